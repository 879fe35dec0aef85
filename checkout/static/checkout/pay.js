/* The payment form: mounts the gateway's card fields (Stripe.js, or the sandbox's
 * stand-in with the same API), turns the card into the gateway's payment-method id
 * in the browser, and posts only that id. Card numbers never reach Cartpath. */
(function () {
  "use strict";
  var form = document.getElementById("pay-form");
  if (!form) {
    return;
  }
  var errorBox = document.getElementById("payment-error");
  var button = document.getElementById("pay-button");
  var field = document.getElementById("payment_method");
  var factory = window[form.dataset.gateway];
  if (typeof factory !== "function") {
    errorBox.textContent = "The card fields could not load. Please reload the page.";
    return;
  }
  var gateway = factory(form.dataset.key);
  var card = gateway.elements().create("card");
  card.mount("#card-element");
  var busy = false;

  function release(message) {
    errorBox.textContent = message;
    button.disabled = false;
    busy = false;
  }

  /* Coming back with the back button must not resend a card that was already used. */
  window.addEventListener("pageshow", function () {
    field.value = "";
    busy = false;
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    button.disabled = true;
    errorBox.textContent = "";
    var billing = {};
    if (form.dataset.name) {
      billing.name = form.dataset.name;
    }
    if (form.dataset.email) {
      billing.email = form.dataset.email;
    }
    gateway.createPaymentMethod({ type: "card", card: card, billing_details: billing })
      .then(function (result) {
        if (result.error) {
          release(result.error.message);
          return;
        }
        field.value = result.paymentMethod.id;
        form.submit();
      }, function () {
        release("We could not reach the card network. Please try again.");
      });
  });
})();

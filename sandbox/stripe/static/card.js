/* Sandbox card fields (runs inside the iframe served by the sandbox).
 * Validates the card, creates a PaymentMethod with the publishable key, and posts
 * only its id to the embedding page (protocol: sandbox/stripe/elements.py). */
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  var key = form.dataset.key;
  var parentOrigin = form.dataset.origin;
  var api = form.dataset.api;
  var inputs = {
    number: document.getElementById("number"),
    expiry: document.getElementById("expiry"),
    cvc: document.getElementById("cvc"),
    postal: document.getElementById("postal")
  };
  var errorBox = document.getElementById("card-error");

  function send(message) {
    window.parent.postMessage(message, parentOrigin);
  }

  function digits(value) {
    return value.replace(/\D/g, "");
  }

  function luhn(number) {
    var sum = 0;
    for (var i = 0; i < number.length; i++) {
      var digit = Number(number.charAt(number.length - 1 - i));
      if (i % 2 === 1) {
        digit = digit > 4 ? digit * 2 - 9 : digit * 2;
      }
      sum += digit;
    }
    return sum % 10 === 0;
  }

  function fail(code, message, param, input) {
    return { error: { type: "validation_error", code: code, message: message, param: param }, input: input };
  }

  /* The same checks and codes as the API (sandbox/stripe/cards.py). */
  function check() {
    var number = digits(inputs.number.value);
    if (!/^\d{12,19}$/.test(number)) {
      return fail("invalid_number", "Your card number is not a valid credit card number.", "card[number]", inputs.number);
    }
    if (!luhn(number)) {
      return fail("incorrect_number", "Your card number is incorrect.", "card[number]", inputs.number);
    }
    var expiry = inputs.expiry.value.match(/^\s*(\d{1,2})\s*\/?\s*(\d{2}|\d{4})\s*$/);
    if (!expiry || Number(expiry[1]) < 1 || Number(expiry[1]) > 12) {
      return fail("invalid_expiry_month", "Your card's expiration month is invalid.", "card[exp_month]", inputs.expiry);
    }
    var month = Number(expiry[1]);
    var year = Number(expiry[2]) < 100 ? 2000 + Number(expiry[2]) : Number(expiry[2]);
    var now = new Date();
    if (year < now.getFullYear() || year > now.getFullYear() + 50) {
      return fail("invalid_expiry_year", "Your card's expiration year is invalid.", "card[exp_year]", inputs.expiry);
    }
    if (year === now.getFullYear() && month < now.getMonth() + 1) {
      return fail("invalid_expiry_month", "Your card's expiration month is invalid.", "card[exp_month]", inputs.expiry);
    }
    var cvcLength = /^3[47]/.test(number) ? 4 : 3;
    if (!new RegExp("^\\d{" + cvcLength + "}$").test(inputs.cvc.value.trim())) {
      return fail("invalid_cvc", "Your card's security code is invalid.", "card[cvc]", inputs.cvc);
    }
    return { card: { number: number, exp_month: String(month), exp_year: String(year), cvc: inputs.cvc.value.trim() } };
  }

  function show(result) {
    Object.keys(inputs).forEach(function (name) {
      inputs[name].removeAttribute("aria-invalid");
    });
    errorBox.textContent = result.error ? result.error.message : "";
    if (result.input) {
      result.input.setAttribute("aria-invalid", "true");
    }
  }

  function encode(params, prefix, pairs) {
    pairs = pairs || [];
    Object.keys(params).forEach(function (name) {
      var value = params[name];
      var field = prefix ? prefix + "[" + name + "]" : name;
      if (value === null || value === undefined || value === "") {
        return;
      }
      if (typeof value === "object") {
        encode(value, field, pairs);
      } else {
        pairs.push(encodeURIComponent(field) + "=" + encodeURIComponent(value));
      }
    });
    return pairs.join("&");
  }

  function create(requestId, billingDetails) {
    var result = check();
    show(result);
    if (result.error) {
      send({ type: "cartpath-sandbox-card", requestId: requestId, error: result.error });
      return;
    }
    var billing = billingDetails || {};
    billing.address = billing.address || {};
    if (inputs.postal.value.trim()) {
      billing.address.postal_code = inputs.postal.value.trim();
    }
    fetch(api + "/payment_methods", {
      method: "POST",
      headers: {
        "Authorization": "Bearer " + key,
        "Content-Type": "application/x-www-form-urlencoded"
      },
      body: encode({ type: "card", card: result.card, billing_details: billing })
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) {
          var error = body.error || { type: "api_error", message: "The card could not be saved." };
          show({ error: error });
          send({ type: "cartpath-sandbox-card", requestId: requestId, error: error });
          return;
        }
        send({
          type: "cartpath-sandbox-card",
          requestId: requestId,
          paymentMethod: {
            id: body.id,
            card: { brand: body.card.brand, last4: body.card.last4, exp_month: body.card.exp_month, exp_year: body.card.exp_year }
          }
        });
      });
    }).catch(function () {
      var error = { type: "api_connection_error", code: null, message: "We could not reach the card network. Please try again." };
      show({ error: error });
      send({ type: "cartpath-sandbox-card", requestId: requestId, error: error });
    });
  }

  inputs.number.addEventListener("input", function () {
    inputs.number.value = digits(inputs.number.value).slice(0, 19).replace(/(\d{4})(?=\d)/g, "$1 ");
  });
  form.addEventListener("input", function () {
    var result = check();
    send({ type: "cartpath-sandbox-card:change", complete: !result.error, error: null });
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  window.addEventListener("message", function (event) {
    if (event.origin !== parentOrigin || event.source !== window.parent) {
      return;
    }
    var data = event.data || {};
    if (data.type === "cartpath-sandbox-card:create") {
      create(data.requestId, data.billingDetails);
    }
  });
  send({ type: "cartpath-sandbox-card:ready" });
})();

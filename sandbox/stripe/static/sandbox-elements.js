/* Cartpath sandbox card fields loader: the sandbox's stand-in for Stripe.js Elements.
 *
 *   var sandbox = CartpathSandbox("pk_test_...");
 *   var card = sandbox.elements().create("card");
 *   card.mount("#card-element");
 *   card.on("change", function (event) { ... event.complete ... });
 *   sandbox.createPaymentMethod({ type: "card", card: card, billing_details: { name: "..." } })
 *     .then(function (result) { result.paymentMethod.id  or  result.error.message });
 *
 * The card number stays inside the sandbox-served iframe; the page only gets the id.
 */
(function (global) {
  "use strict";
  var script = document.currentScript;
  var base = script.src.replace(/\/js\/sandbox-elements\.js(\?.*)?$/, "");
  var frameOrigin = new URL(base).origin;
  var TIMEOUT_MS = 30000;

  function CartpathSandbox(publishableKey) {
    var iframe = null;
    var handlers = { ready: [], change: [] };
    var pending = {};
    var counter = 0;
    var markReady;
    var ready = new Promise(function (resolve) { markReady = resolve; });

    window.addEventListener("message", function (event) {
      if (!iframe || event.source !== iframe.contentWindow || event.origin !== frameOrigin) {
        return;
      }
      var data = event.data || {};
      if (data.type === "cartpath-sandbox-card:ready") {
        markReady();
        handlers.ready.forEach(function (handler) { handler({}); });
      } else if (data.type === "cartpath-sandbox-card:change") {
        handlers.change.forEach(function (handler) { handler({ complete: data.complete, error: data.error }); });
      } else if (data.type === "cartpath-sandbox-card" && pending[data.requestId]) {
        var settle = pending[data.requestId];
        delete pending[data.requestId];
        settle(data.error ? { error: data.error } : { paymentMethod: data.paymentMethod });
      }
    });

    var card = {
      mount: function (target) {
        var host = typeof target === "string" ? document.querySelector(target) : target;
        if (!host) {
          throw new Error("CartpathSandbox: mount target not found: " + target);
        }
        iframe = document.createElement("iframe");
        iframe.title = "Secure card payment input";
        iframe.setAttribute("frameborder", "0");
        iframe.style.width = "100%";
        iframe.style.height = "150px";
        iframe.style.border = "0";
        iframe.src = base + "/elements/card?key=" + encodeURIComponent(publishableKey) +
          "&origin=" + encodeURIComponent(window.location.origin);
        host.appendChild(iframe);
        return card;
      },
      on: function (name, handler) {
        if (handlers[name]) {
          handlers[name].push(handler);
        }
        return card;
      }
    };

    return {
      elements: function () {
        return {
          create: function (kind) {
            if (kind !== "card") {
              throw new Error("CartpathSandbox: only the 'card' element exists");
            }
            return card;
          }
        };
      },
      createPaymentMethod: function (params) {
        if (!params || params.type !== "card" || params.card !== card || !iframe) {
          return Promise.resolve({ error: { type: "invalid_request_error", message: "Mount the card element and pass it as card." } });
        }
        var requestId = "req" + (++counter);
        return ready.then(function () {
          return new Promise(function (resolve) {
            pending[requestId] = resolve;
            iframe.contentWindow.postMessage({
              type: "cartpath-sandbox-card:create",
              requestId: requestId,
              billingDetails: params.billing_details || {}
            }, frameOrigin);
            setTimeout(function () {
              if (pending[requestId]) {
                delete pending[requestId];
                resolve({ error: { type: "api_connection_error", message: "The card fields did not answer in time." } });
              }
            }, TIMEOUT_MS);
          });
        });
      }
    };
  }

  global.CartpathSandbox = CartpathSandbox;
})(window);

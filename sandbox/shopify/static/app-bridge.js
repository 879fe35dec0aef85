/*
 * Stand-in for Shopify App Bridge (https://cdn.shopify.com/shopifycloud/app-bridge.js), sandbox only.
 * Mirrors this subset of App Bridge v4:
 *   - reads the API key from <meta name="shopify-api-key" content="...">;
 *   - window.shopify.config = {apiKey, shop, host} (shop and host from the page's query string);
 *   - window.shopify.idToken() -> Promise<string>: a fresh session token (JWT, 1 minute), obtained
 *     like the real one by asking the parent admin frame over postMessage.
 * Nothing else (toasts, modals, navigation, resource pickers, fetch patching) is emulated.
 */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="shopify-api-key"]');
  var query = new URLSearchParams(window.location.search);
  var pending = {};
  var next = 0;
  window.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type !== "sandbox-app-bridge:id-token" || !pending[data.requestId]) return;
    var request = pending[data.requestId];
    delete pending[data.requestId];
    if (data.idToken) request.resolve(data.idToken); else request.reject(new Error(data.error || "no token"));
  });
  window.shopify = {
    config: {apiKey: meta ? meta.content : null, shop: query.get("shop"), host: query.get("host")},
    idToken: function () {
      return new Promise(function (resolve, reject) {
        if (window.parent === window) { reject(new Error("not embedded in the admin")); return; }
        var requestId = String(++next);
        pending[requestId] = {resolve: resolve, reject: reject};
        window.parent.postMessage(
          {type: "sandbox-app-bridge:request-id-token", requestId: requestId,
           apiKey: window.shopify.config.apiKey}, "*");
      });
    }
  };
})();

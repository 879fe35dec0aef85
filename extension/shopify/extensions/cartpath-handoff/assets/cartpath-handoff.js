/* Cartpath's storefront hand-off: the one script for both platforms (Shopify serves it from
 * this theme app extension or a script tag; BigCommerce loads it through the Scripts API).
 * It keeps where the shopper came from, and at "Check out" asks Cartpath (briefly) whether
 * to hand the cart over; on any failure or delay the platform's own checkout proceeds. */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || window.cartpathHandoff) return; // the app embed and the script tag may both load
  window.cartpathHandoff = true;
  var src = new URL(me.src, location.href);
  function option(name) {
    return me.getAttribute("data-" + name) || src.searchParams.get(name) || "";
  }
  var platform = option("platform") || "shopify";
  var shop = option("shop") || (window.Shopify && window.Shopify.shop) || "";
  var app = option("app") || src.href.split("/storefront/")[0];
  var HEALTH_MS = 400; // the most a shopper waits before the native checkout goes ahead
  var START_MS = 5000;
  var KEY = "cartpath:" + shop;
  var TEST = "cartpath_test";
  var params = new URLSearchParams(location.search);

  // Last click wins: a visit with UTM parameters or from another site replaces what was kept.
  function remember() {
    var found = {};
    var fresh = false;
    ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"].forEach(function (k) {
      if (params.get(k)) found[k] = params.get(k);
      fresh = fresh || !!params.get(k);
    });
    try {
      if (document.referrer && new URL(document.referrer).host !== location.host) {
        found.referrer = document.referrer;
        fresh = true;
      }
      if (fresh || !localStorage.getItem(KEY)) {
        found.landing_page = location.href;
        localStorage.setItem(KEY, JSON.stringify(found));
      }
    } catch (e) {} // storage may be blocked: the hand-off still works, unattributed
    var flag = params.get(TEST);
    if (flag) {
      document.cookie =
        TEST + (flag === "1" ? "=1;max-age=2592000" : "=;max-age=0") + ";path=/;samesite=lax";
    }
  }

  function kept() {
    try {
      return JSON.parse(localStorage.getItem(KEY)) || {};
    } catch (e) {
      return {};
    }
  }

  function getJSON(url, init, ms) {
    var abort = new AbortController();
    var timer = setTimeout(function () { abort.abort(); }, ms);
    init.signal = abort.signal;
    return fetch(url, init)
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .finally(function () { clearTimeout(timer); });
  }

  // The platform adapters: where the cart lives and what Cartpath needs of it.
  var adapters = {
    shopify: function () {
      // https://shopify.dev/docs/api/ajax#locale-aware-urls (window.Shopify.routes.root)
      var root = (window.Shopify && Shopify.routes && Shopify.routes.root) || "/";
      return getJSON(root + "cart.js", {}, START_MS).then(function (cart) {
        return {
          items: cart.items.map(function (i) {
            return { variant_id: i.variant_id, quantity: i.quantity };
          }),
        };
      });
    },
    bigcommerce: function (target) {
      // https://developer.bigcommerce.com/docs/storefront/cart-checkout/guide (Storefront Cart API)
      var root = target.pathname.replace(/checkout\/?$/, "");
      return getJSON(root + "api/storefront/carts", {}, START_MS).then(function (carts) {
        return { cart_id: carts[0].id };
      });
    },
  };

  var busy = false;
  var passing = false;

  function handOff(event, target, proceed) {
    if (passing) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    if (busy) return;
    busy = true;
    var config = app + "/storefront/config?platform=" + platform + "&shop=" + encodeURIComponent(shop);
    getJSON(config, {}, HEALTH_MS)
      .then(function (answer) {
        var flagged = /(?:^|;\s*)cartpath_test=1/.test(document.cookie);
        if (!(answer.handoff === "on" || (answer.handoff === "test" && flagged))) throw 0;
        return adapters[platform](target);
      })
      .then(function (cart) {
        cart.platform = platform;
        cart.shop = shop;
        cart.attribution = kept();
        return getJSON(
          app + "/checkout/start",
          { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(cart) },
          START_MS
        );
      })
      .then(function (started) {
        location.assign(new URL(started.checkout_url, app));
      })
      .catch(function () {
        busy = false;
        passing = true;
        try {
          proceed();
        } finally {
          passing = false;
        }
      });
  }

  function isCheckout(url) {
    return /\/checkout\/?$/.test(url.pathname);
  }

  remember();
  addEventListener(
    "click",
    function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (!link || event.button || event.metaKey || event.ctrlKey || event.shiftKey) return;
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin || !isCheckout(url)) return;
      handOff(event, url, function () { location.assign(url.href); });
    },
    true
  );
  addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var by = event.submitter;
      var url = new URL(form.action, location.href);
      if (!isCheckout(url) && !(by && by.name === "checkout")) return;
      handOff(event, url, function () { by ? form.requestSubmit(by) : form.requestSubmit(); });
    },
    true
  );
})();

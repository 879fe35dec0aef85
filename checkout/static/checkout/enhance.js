/* Cartpath checkout: small enhancements over a page that works without JavaScript.
   - Choosing another country swaps in that country's address fields, keeping what was typed.
   - Choosing a delivery option re-quotes at once (the form is sent for the shopper).
   - A form being sent is marked busy and its button disabled, so a second click sends nothing. */
(function () {
  "use strict";
  var status = document.createElement("p");
  status.setAttribute("role", "status");
  status.className = "cp-visually-hidden";
  document.body.appendChild(status);

  function announce(text) { status.textContent = text; }

  function swapAddressFields(select) {
    var box = document.getElementById("address-fields");
    if (!box || box.getAttribute("data-country") === select.value) { return; }
    var typed = {};
    box.querySelectorAll("input, select").forEach(function (el) { typed[el.name] = el.value; });
    var url = location.pathname.replace(/\/$/, "") + "/address-fields?country=" +
      encodeURIComponent(select.value);
    box.setAttribute("aria-busy", "true");
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      box.innerHTML = html;
      box.setAttribute("data-country", select.value);
      box.querySelectorAll("input").forEach(function (el) {
        if (typed[el.name]) { el.value = typed[el.name]; }  // not selects: a region is per country
      });
      var country = document.getElementById("country_code");
      if (country) { country.focus(); }
      announce("The address form now follows " + select.options[select.selectedIndex].text + ".");
    }).catch(function () {
      announce("The address form could not be updated; it will be checked when you continue.");
    }).then(function () { box.removeAttribute("aria-busy"); });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.id === "country_code") { swapAddressFields(target); }
    if (target.name === "shipping_option" && target.form && target.form.requestSubmit) {
      announce("Updating the total for this delivery option.");
      target.form.requestSubmit();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var action = form.elements.action;
    if (event.defaultPrevented || !action || !/^(contact|delivery|ship_instead|discount|remove_discount)$/.test(action.value)) {
      return;
    }
    if (form.getAttribute("aria-busy") === "true") { event.preventDefault(); return; }
    form.setAttribute("aria-busy", "true");
    form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = true; });
  });

  // Back to a page kept in the browser's memory: its forms may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("form[aria-busy=true]").forEach(function (form) {
      form.removeAttribute("aria-busy");
      form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = false; });
    });
  });
})();

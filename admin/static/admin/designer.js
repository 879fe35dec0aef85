/* Checkout design, enhanced: switch the preview's width in place, and save the draft without
   leaving the page, then reload the preview. Without JavaScript the same links and form work. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("design-form");
    var frame = document.getElementById("preview");
    var pane = document.querySelector(".designer-preview");
    var status = document.querySelector(".notice-region");
    if (!form || !frame || !pane) return;

    var viewport = pane.querySelector(".preview-viewport");
    function fit() {  // the desktop page (1024px wide) scaled to the pane's width
      pane.style.setProperty("--preview-scale", String(Math.min(1, viewport.clientWidth / 1024)));
    }
    fit();
    window.addEventListener("resize", fit);

    document.querySelectorAll(".preview-widths a").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var width = link.dataset.width;
        pane.classList.remove("preview-desktop", "preview-mobile");
        pane.classList.add("preview-" + width);
        fit();
        document.querySelectorAll(".preview-widths a").forEach(function (other) {
          if (other === link) other.setAttribute("aria-current", "true");
          else other.removeAttribute("aria-current");
        });
        document.querySelectorAll("input[name=preview]").forEach(function (input) { input.value = width; });
      });
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      fetch(form.action, {method: "POST", body: new FormData(form), credentials: "omit"})
        .then(function (answer) {
          if (!answer.ok) { form.submit(); return; }  // the server shows each error by its field
          frame.src = frame.src;
          status.innerHTML = "";
          var notice = document.createElement("p");
          notice.className = "banner banner-success";
          notice.dataset.testid = "notice";
          notice.textContent = "Draft saved. The preview shows it; publish it to show it to shoppers.";
          status.appendChild(notice);
        })
        .catch(function () { form.submit(); })
        .finally(function () { if (button) button.disabled = false; });
    });
  });
})();

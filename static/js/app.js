// AluxSat CRM front-end glue. No inline scripts anywhere (Content-Security-Policy).
(function () {
  "use strict";
  // Keep the active tab in step with the tab loaded by htmx.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "tab-content") return;
    var trigger = event.detail.requestConfig.elt;
    if (!trigger || !trigger.dataset.tab) return;
    document.querySelectorAll(".app-tabs .nav-link").forEach(function (link) {
      link.classList.toggle("active", link === trigger);
    });
  });
  // Bring the latest CSRF token to htmx after a login in another tab.
  document.addEventListener("htmx:configRequest", function (event) {
    var cookie = document.cookie.split("; ").find(function (c) { return c.indexOf("csrftoken=") === 0; });
    if (cookie) event.detail.headers["X-CSRFToken"] = cookie.split("=")[1];
  });
})();

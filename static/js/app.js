// AluxSat CRM front-end glue. No inline scripts anywhere (Content-Security-Policy).
(function () {
  "use strict";
  // Mark the tab the user opened as active (its content is loaded by htmx).
  document.addEventListener("click", function (event) {
    var tab = event.target.closest(".app-tabs [data-tab]");
    if (!tab) return;
    tab.closest(".app-tabs").querySelectorAll("[data-tab]").forEach(function (link) {
      var active = link === tab;
      link.classList.toggle("active", active);
      link.setAttribute("aria-selected", active ? "true" : "false");
    });
  });
  // Bring the latest CSRF token to htmx after a login in another tab.
  document.addEventListener("htmx:configRequest", function (event) {
    var cookie = document.cookie.split("; ").find(function (c) { return c.indexOf("csrftoken=") === 0; });
    if (cookie) event.detail.headers["X-CSRFToken"] = cookie.split("=")[1];
  });
})();

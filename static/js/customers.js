// Customers: the global search dropdown in the top bar. No inline scripts (CSP).
(function () {
  "use strict";
  function box() { return document.getElementById("search-results"); }
  function close() {
    var results = box();
    if (results) results.innerHTML = "";
  }
  document.addEventListener("keydown", function (event) {
    var input = document.getElementById("global-search");
    var results = box();
    if (!input || !results) return;
    if (event.key === "Escape" && (document.activeElement === input || results.contains(document.activeElement))) {
      close();
      input.focus();
    }
    // Arrow down from the box moves into the results; up from the first goes back.
    if (event.key === "ArrowDown" && document.activeElement === input) {
      var first = results.querySelector("a");
      if (first) { event.preventDefault(); first.focus(); }
    }
    if ((event.key === "ArrowDown" || event.key === "ArrowUp") && results.contains(document.activeElement)) {
      var links = Array.prototype.slice.call(results.querySelectorAll("a"));
      var index = links.indexOf(document.activeElement);
      event.preventDefault();
      if (event.key === "ArrowDown" && index < links.length - 1) links[index + 1].focus();
      if (event.key === "ArrowUp") (index > 0 ? links[index - 1] : input).focus();
    }
  });
  // A click outside the search closes the dropdown.
  document.addEventListener("click", function (event) {
    var form = document.querySelector(".app-search");
    if (form && !form.contains(event.target)) close();
  });
  // An emptied box closes it too.
  document.addEventListener("input", function (event) {
    if (event.target && event.target.id === "global-search" && event.target.value.trim().length < 2) close();
  });
})();

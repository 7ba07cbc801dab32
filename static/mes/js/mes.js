// Shop-floor helpers: keep the scanner field focused on tablets and submit
// on Enter, which keyboard-wedge scanners send after each code.
(function () {
  "use strict";

  function scannerField() {
    return document.querySelector("[data-scanner]");
  }

  function refocus(event) {
    var field = scannerField();
    if (!field) {
      return;
    }
    var active = document.activeElement;
    var typing = active && active !== field &&
      (active.tagName === "INPUT" || active.tagName === "TEXTAREA" || active.tagName === "SELECT");
    if (!typing) {
      field.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", refocus);
  document.addEventListener("htmx:afterSettle", refocus);
  document.addEventListener("click", function () {
    window.setTimeout(refocus, 0);
  });
})();

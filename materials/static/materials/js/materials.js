// Materials pages: scanner-friendly forms and the label print button.
// A keyboard-wedge scanner types a code and presses Enter. In a stock form,
// Enter moves on to the next empty required field instead of sending a
// half-filled form; the form is sent once every required field is filled.
(function () {
  "use strict";

  function nextEmptyRequired(field) {
    var fields = Array.prototype.slice.call(
      field.form.querySelectorAll("input:not([type=hidden]), select, textarea")
    );
    var after = fields.slice(fields.indexOf(field) + 1);
    for (var i = 0; i < after.length; i++) {
      if (after[i].required && !after[i].value && !after[i].disabled) {
        return after[i];
      }
    }
    return null;
  }

  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || !field.form || field.tagName !== "INPUT") {
      return;
    }
    if (!field.form.classList.contains("stock-form")) {
      return;
    }
    var next = nextEmptyRequired(field);
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var first = document.querySelector(".stock-form [data-scan-field]");
    if (first && !document.querySelector(".errorlist")) {
      first.focus();
    }
    var print = document.querySelector("[data-print]");
    if (print) {
      print.addEventListener("click", function () {
        window.print();
      });
    }
  });
})();

// Inspection tablet: mark a measured value outside its specification limits
// as soon as it is typed, before the inspector saves or signs.
(function () {
  "use strict";

  function check(input) {
    var text = input.value.trim().replace(",", ".");
    var value = parseFloat(text);
    var lower = input.dataset.lower === "" ? null : parseFloat(input.dataset.lower);
    var upper = input.dataset.upper === "" ? null : parseFloat(input.dataset.upper);
    var outside = text !== "" && !isNaN(value) &&
      ((lower !== null && value < lower) || (upper !== null && value > upper));
    input.closest(".sample").classList.toggle("nonconforming", outside);
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches("input[data-lower]")) {
      check(event.target);
    }
  });
})();

// taperline: small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // Fill an empty time-zone field with the browser's zone (sign-up).
  document.querySelectorAll("[data-detect-tz]").forEach(function (input) {
    if (!input.value) {
      try { input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* keep empty */ }
    }
  });
  // Show the value of a range slider next to its label.
  document.querySelectorAll("output[data-for]").forEach(function (output) {
    var input = document.getElementById(output.getAttribute("data-for"));
    if (input) {
      input.addEventListener("input", function () { output.textContent = input.value; });
    }
  });
})();

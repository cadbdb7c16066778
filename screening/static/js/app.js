// Small progressive enhancements shared by every page. No inline scripts (strict CSP).
(function () {
  "use strict";
  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
  // Selects with data-autosubmit submit their form on change.
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) { event.target.form.submit(); }
  });
  // Print buttons.
  document.addEventListener("click", function (event) {
    if (event.target.matches("[data-print]")) { window.print(); }
  });
})();

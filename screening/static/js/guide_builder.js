// Guide builder: move rows up/down (renumbering the order fields) and keep the time budget live.
(function () {
  "use strict";
  var form = document.getElementById("guide-builder");
  if (!form) { return; }
  var body = form.querySelector("#guide-items tbody");
  var total = document.getElementById("time-total");
  var warning = document.getElementById("time-warning");
  var duration = form.querySelector("[data-duration]");
  var addQuestion = form.querySelector("[data-add-question]");

  function renumber() {
    Array.prototype.forEach.call(body.querySelectorAll("tr[data-item]"), function (row, index) {
      row.querySelector("input[name$='-position']").value = index + 1;
    });
  }
  function recompute() {
    var sum = parseInt(total.dataset.fixed, 10) || 0;
    Array.prototype.forEach.call(body.querySelectorAll("tr[data-item]"), function (row) {
      // A removed row, or a retired question (never asked), takes no time.
      if (row.hasAttribute("data-retired") || row.querySelector("input[type=checkbox]").checked) { return; }
      var minutes = row.querySelector("input[name$='-minutes']");
      sum += parseInt(minutes.value, 10) || parseInt(minutes.dataset.default, 10) || 0;
    });
    // The question picked in "add a question" is part of the plan once saved.
    if (addQuestion && addQuestion.selectedIndex >= 0) {
      sum += parseInt(addQuestion.options[addQuestion.selectedIndex].dataset.minutes, 10) || 0;
    }
    total.textContent = sum;
    warning.classList.toggle("hidden", sum <= (parseInt(duration.value, 10) || 0));
  }
  body.addEventListener("click", function (event) {
    var button = event.target.closest("[data-move]");
    if (!button) { return; }
    var row = button.closest("tr");
    if (button.dataset.move === "up" && row.previousElementSibling) { body.insertBefore(row, row.previousElementSibling); }
    if (button.dataset.move === "down" && row.nextElementSibling) { body.insertBefore(row.nextElementSibling, row); }
    renumber();
  });
  form.addEventListener("input", recompute);
  form.addEventListener("change", recompute);
})();

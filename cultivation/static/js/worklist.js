// Bulk actions on the 企业库 and the 培育库 (templates/macros/worklist.html). A firm has a tick box
// in the table (desktop) and one on its card (phone); both belong to form#bulk-form and are kept
// alike. "全选本页" is app.js's data-check-all. This counts the ticked firms and enables the
// action buttons only when some are ticked.
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  if (!form) return;
  function boxes() { return document.querySelectorAll("input.bulk-pick"); }
  function update() {
    var picked = {};
    var all = boxes();
    all.forEach(function (box) { if (box.checked) picked[box.value] = true; });
    var count = Object.keys(picked).length;
    var shown = form.querySelector("[data-bulk-count]");
    if (shown) shown.textContent = String(count);
    form.querySelectorAll("[data-bulk-needs]").forEach(function (button) {
      button.disabled = count === 0;
    });
    var page = form.querySelector("[data-pick-page]");
    if (page) {
      var distinct = {};
      all.forEach(function (box) { distinct[box.value] = true; });
      var total = Object.keys(distinct).length;
      page.checked = total > 0 && count === total;
      page.indeterminate = count > 0 && count < total;
      page.disabled = total === 0;
    }
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.classList && box.classList.contains("bulk-pick")) {
      boxes().forEach(function (twin) {
        if (twin !== box && twin.value === box.value) twin.checked = box.checked;
      });
    }
    update();
  });
  // app.js ticks every box on a click of "全选本页" (no change events): count afterwards.
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-pick-page]")) window.setTimeout(update, 0);
  });
  update();
})();

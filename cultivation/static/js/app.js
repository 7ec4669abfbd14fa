// Page behaviour declared with data-* attributes (the CSP allows no inline event handlers).
(function () {
  "use strict";
  // <form data-confirm="…"> asks before submitting; with data-confirm-mode="x" only when the
  // form's "mode" field is x.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    var mode = form.dataset.confirmMode;
    if (mode && (!form.elements.mode || form.elements.mode.value !== mode)) return;
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
  // <input type="checkbox" data-check-all="ids"> ticks every checkbox named "ids".
  document.addEventListener("click", function (event) {
    var box = event.target.closest ? event.target.closest("[data-check-all]") : null;
    if (box) {
      document.querySelectorAll('input[name="' + box.dataset.checkAll + '"]').forEach(function (c) {
        c.checked = box.checked;
      });
    }
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });
  // <select data-autosubmit> submits its form on change.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.submit();
  });
})();

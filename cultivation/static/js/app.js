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
    // <button data-fold> inside a .fold section opens / folds it (phone field mode).
    var toggle = event.target.closest ? event.target.closest("[data-fold]") : null;
    if (toggle) {
      var section = toggle.closest(".fold");
      var open = section.classList.toggle("open");
      toggle.textContent = open ? "收起" : "展开";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
  });
  // <select data-autosubmit> submits its form on change.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.submit();
  });
  // A link to a folded section (/enterprises/…#activity after a 走访 is saved) opens it.
  function openTarget() {
    var target = location.hash.length > 1 ? document.getElementById(location.hash.slice(1)) : null;
    if (!target || !target.classList.contains("fold")) return;
    target.classList.add("open");
    var toggle = target.querySelector("[data-fold]");
    if (toggle) { toggle.textContent = "收起"; toggle.setAttribute("aria-expanded", "true"); }
  }
  openTarget();
  window.addEventListener("hashchange", openTarget);
  // <form data-draft>: what is typed is kept in sessionStorage (this tab only) and put back
  // when the same page opens again with the draft unsaved — e.g. after the session expired and
  // the user logged in again. A page showing a "saved" message (body[data-saved]) drops
  // drafts that were submitted; logging out (form[data-clear-drafts]) drops them all.
  var PREFIX = "draft:";
  var store = null;
  try { store = window.sessionStorage; } catch (e) { store = null; }
  function draftKey(form) { return PREFIX + location.pathname + "#" + (form.id || ""); }
  function draftable(el) {
    return el.name && el.name !== "csrf_token" && el.name !== "version" && el.type !== "password" &&
      el.type !== "file" && el.type !== "hidden" && el.type !== "submit" && el.type !== "button";
  }
  function readForm(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!draftable(el)) return;
      fields[el.name] = (el.type === "checkbox" || el.type === "radio") ? el.checked : el.value;
    });
    return fields;
  }
  function saveDraft(form, submitted) {
    if (!store) return;
    try {
      store.setItem(draftKey(form), JSON.stringify({fields: readForm(form), submitted: submitted}));
    } catch (e) { /* storage full or disabled: nothing to keep */ }
  }
  function allDrafts() {
    var keys = [];
    for (var i = 0; store && i < store.length; i++) {
      if (store.key(i).indexOf(PREFIX) === 0) keys.push(store.key(i));
    }
    return keys;
  }
  if (store) {
    if (document.body.hasAttribute("data-saved")) {
      allDrafts().forEach(function (key) {
        try { if (JSON.parse(store.getItem(key)).submitted) store.removeItem(key); }
        catch (e) { store.removeItem(key); }
      });
    }
    document.querySelectorAll("form[data-draft]").forEach(function (form) {
      var raw = store.getItem(draftKey(form));
      if (!raw) return;
      var draft;
      try { draft = JSON.parse(raw); } catch (e) { store.removeItem(draftKey(form)); return; }
      var changed = false;
      Object.keys(draft.fields || {}).forEach(function (name) {
        var el = form.elements[name];
        if (!el || !draftable(el)) return;
        var value = draft.fields[name];
        if (el.type === "checkbox" || el.type === "radio") {
          if (el.checked !== value) { el.checked = value; changed = true; }
        } else if (el.value !== value) { el.value = value; changed = true; }
      });
      if (!changed) return;
      var note = document.createElement("div");
      note.className = "alert alert-info d-flex align-items-center gap-2 draft-restored";
      note.setAttribute("role", "status");
      note.textContent = "已恢复上次未保存的内容，请核对后提交。";
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "btn btn-outline-secondary btn-sm ms-auto";
      discard.textContent = "放弃草稿";
      discard.addEventListener("click", function () {
        store.removeItem(draftKey(form));
        location.reload();
      });
      note.appendChild(discard);
      form.insertBefore(note, form.firstChild);
    });
  }
  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-draft") && draftable(event.target)) saveDraft(form, false);
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    if (form.hasAttribute("data-draft")) saveDraft(form, true);
    if (form.hasAttribute("data-clear-drafts") && store) {
      allDrafts().forEach(function (key) { store.removeItem(key); });
    }
  });
  // 梯次看板: a card dropped on another column opens the certificate form for that tier
  // (tiers come from certificates); on 未入梯 it opens the firm's certificates. The card itself
  // never moves.
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    dragged = event.target.closest ? event.target.closest("[data-board-card][draggable]") : null;
    if (dragged) event.dataTransfer.setData("text/plain", dragged.dataset.boardCard);
  });
  document.addEventListener("dragend", function () {
    dragged = null;
    document.querySelectorAll(".drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
  });
  function dropColumn(event) {
    var column = event.target.closest ? event.target.closest("[data-board-column]") : null;
    return dragged && column && column.dataset.boardColumn !== dragged.dataset.tier ? column : null;
  }
  document.addEventListener("dragover", function (event) {
    var column = dropColumn(event);
    if (!column) return;
    event.preventDefault();
    column.classList.add("drop-target");
  });
  document.addEventListener("dragleave", function (event) {
    var column = event.target.closest ? event.target.closest("[data-board-column]") : null;
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("drop-target");
  });
  document.addEventListener("drop", function (event) {
    var column = dropColumn(event);
    if (!column) return;
    event.preventDefault();
    var kind = column.dataset.kind;
    location.href = kind
      ? dragged.dataset.qualificationUrl + "?kind=" + encodeURIComponent(kind) + "&from=board"
      : dragged.dataset.firmUrl + "#qualifications";
  });
})();

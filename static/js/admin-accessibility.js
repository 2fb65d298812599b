/* Names for the admin's controls that come without one, on every admin page (loaded by
   templates/admin/base_site.html; no inline script, CSP):
   - Select2 boxes (autocomplete fields) get the label of the select they stand for;
   - inputs in a tabular inline's cells get the column's heading ("Position", "Delete?").
   Kept up as inline rows are added and Select2 draws its boxes. */
(function () {
  "use strict";

  function labelText(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (label) return label.textContent.replace(/:\s*$/, "").trim();
    return columnHeading(select);
  }

  function columnHeading(control) {
    var cell = control.closest("td");
    var table = cell && cell.closest("table");
    if (!table) return "";
    var row = cell.parentElement;
    var index = Array.prototype.indexOf.call(row.children, cell);
    var heads = table.querySelectorAll("thead tr th");
    var head = heads[index];
    return head ? head.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function nameSelect2(container) {
    var select = container.previousElementSibling;
    if (!select || select.tagName !== "SELECT") return;
    var name = labelText(select);
    if (!name) return;
    container.querySelectorAll(".select2-selection[role=combobox]").forEach(function (box) {
      if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", name);
    });
    container.querySelectorAll(".select2-selection__rendered[role=textbox]").forEach(function (box) {
      if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", name);
    });
    container.querySelectorAll(".select2-search__field").forEach(function (field) {
      if (!field.hasAttribute("aria-label")) field.setAttribute("aria-label", "Search " + name);
    });
  }

  function nameCells(root) {
    root.querySelectorAll(".tabular td input:not([type=hidden]), .tabular td select, .tabular td textarea")
      .forEach(function (control) {
        if (control.hasAttribute("aria-label") || control.labels && control.labels.length) return;
        var heading = columnHeading(control);
        if (heading) control.setAttribute("aria-label", heading);
      });
  }

  function sweep() {
    document.querySelectorAll("span.select2").forEach(nameSelect2);
    nameCells(document);
  }

  function start() {
    sweep();
    var pending = false;
    new MutationObserver(function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () { pending = false; sweep(); });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

/* After a refused save (templates/admin/articles/article/_edit_conflict.html): choosing
   "take theirs" for a text field puts the saved text in the form, "keep mine" puts back
   what was typed, so the form always shows what the next save will keep. */
(function () {
  "use strict";
  function start() {
    document.querySelectorAll(".edit-conflict__row").forEach(function (row) {
      var theirs = row.querySelector("[data-theirs-for]");
      if (!theirs) return;
      var field = document.getElementById(theirs.getAttribute("data-theirs-for"));
      if (!field) return;
      var mine = field.value;
      row.querySelectorAll("input[type=radio]").forEach(function (radio) {
        radio.addEventListener("change", function () {
          if (!radio.checked) return;
          field.value = radio.value === "theirs" ? theirs.value : mine;
          field.dispatchEvent(new Event("input", { bubbles: true }));
        });
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

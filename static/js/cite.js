// “Cite this article”: copy buttons. Without JavaScript (or a clipboard) the buttons
// stay hidden and every citation remains plain, selectable text.
(function () {
  "use strict";
  if (!navigator.clipboard || !navigator.clipboard.writeText) {
    return;
  }
  var status = document.querySelector(".cite__status");

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var label = button.closest(".cite__style").querySelector(".cite__label").textContent;
      navigator.clipboard.writeText(target.textContent.trim()).then(
        function () {
          button.setAttribute("data-copied", "");
          if (status) {
            status.textContent = label + " citation copied.";
          }
          window.setTimeout(function () {
            button.removeAttribute("data-copied");
          }, 2000);
        },
        function () {
          window.getSelection().selectAllChildren(target);
          if (status) {
            status.textContent = "Copying was refused: the " + label + " citation is selected instead.";
          }
        }
      );
    });
  });
})();

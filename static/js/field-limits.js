/* The article form's headline fields: a live count against each limit, and a preview of
   the address the slug makes. Loaded by ArticleAdmin's Media; no inline script (CSP). */
(function () {
  "use strict";

  function counter(input) {
    var limit = parseInt(input.getAttribute("data-limit"), 10);
    if (!limit) return;
    var out = document.createElement("p");
    out.className = "field-count";
    out.id = input.id + "_count";
    out.setAttribute("aria-live", "polite");
    input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + out.id).trim());
    input.insertAdjacentElement("afterend", out);
    function update() {
      var used = Array.from(input.value).length;
      var over = used - limit;
      out.textContent = over > 0
        ? used + " of " + limit + " characters: " + over + " too many"
        : used + " of " + limit + " characters";
      out.classList.toggle("field-count--over", over > 0);
      input.classList.toggle("field-over-limit", over > 0);
    }
    input.addEventListener("input", update);
    update();
  }

  // The same rule as Django's slugify for ASCII: accents dropped, lower case, hyphens.
  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^\w\s-]/g, "").trim().toLowerCase().replace(/[-\s]+/g, "-").replace(/^-+|-+$/g, "");
  }

  function addressPreview(slug) {
    var prefix = slug.getAttribute("data-address-prefix");
    if (prefix === null) return;
    var title = document.getElementById("id_title");
    var out = document.createElement("p");
    out.className = "field-address";
    out.id = "id_slug_address";
    out.setAttribute("aria-live", "polite");
    slug.insertAdjacentElement("afterend", out);
    slug.setAttribute("aria-describedby", ((slug.getAttribute("aria-describedby") || "") + " " + out.id).trim());
    function update() {
      var typed = slugify(slug.value);
      var made = typed || slugify(title ? title.value : "");
      out.textContent = "";
      var label = document.createElement("span");
      label.textContent = typed ? "Address: " : "Address (from the title): ";
      var path = document.createElement("code");
      path.textContent = window.location.origin + prefix + (made || "…") + "/";
      out.append(label, path);
    }
    slug.addEventListener("input", update);
    if (title) title.addEventListener("input", update);
    update();
  }

  function start() {
    document.querySelectorAll("input[data-limit]").forEach(counter);
    var slug = document.getElementById("id_slug");
    if (slug) addressPreview(slug);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

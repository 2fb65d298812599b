/*
 * The toolbar for the house syntax above the article's Markdown editor.
 *
 * The markup is the server's (templates/admin/articles/article/_editor_toolbar.html):
 * a <template id="editor-toolbar"> copied above each django-markdownx editor, and a
 * <template id="editor-dialogs"> whose dialogs are moved to the end of <body>, outside
 * the article form. The buttons write what the renderer (articles/markdown.py) reads:
 *
 *   Heading    ### text (again: #### text, again: plain)      Alt+Shift+H
 *   Bold       **text**                                       Ctrl/⌘+B
 *   Italic     _text_                                         Ctrl/⌘+I
 *   Link       [text](address), asked for in a dialog          Ctrl/⌘+K
 *   List       - item, on each selected line (again: removed)  Alt+Shift+L
 *   Pull quote ___`quote`___, a paragraph of its own           Alt+Shift+Q
 *   Aside      _`text`_, a paragraph of its own                Alt+Shift+A
 *   Figure     _▲ __Title.__ caption [Source](address)._ under
 *              the image line at the cursor (or a new one)     Alt+Shift+F
 *   Excerpt    <excerpt/> here (one per text: an earlier one
 *              is moved, and the status line says so)          Alt+Shift+E
 *   Footnote   [^n] here, "[^n]: note" at the end of the text  Alt+Shift+N
 *   Image      upload from this device, or pick from the
 *              image library (GET /admin/markdownx/images/)    Alt+Shift+M
 *
 * Keyboard: the toolbar is one tab stop (an ARIA toolbar with a roving tabindex: the
 * arrow keys, Home and End move along it); Alt+F10 in the text goes to the toolbar and
 * Escape in the toolbar goes back to the text. Tab in the text indents (markdownx);
 * after Escape, Tab and Shift+Tab leave the text instead, so the keyboard is never
 * trapped there. The shortcuts work in the text area.
 * Text is changed with execCommand("insertText") where the browser has it, so Ctrl+Z
 * undoes a toolbar change like typing; either way an "input" event follows, which the
 * live preview, the field counters and autosave listen for.
 *
 * An uploaded image is announced with markdownx's own "markdownx.fileUploadEnd" event,
 * so static/js/editor.js asks for its alt text exactly as after a drop or a paste.
 * Everything is built from the templates or with DOM calls and styled by class
 * (admin-editor.css): no inline script or style, as the Content Security Policy requires.
 */
(function () {
  "use strict";

  var IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent || "");
  var HOUSE_HEADING = "### ";
  var SUBHEADING = "#### ";
  var EXCERPT = /<excerpt\s*\/>|<!--\s*more\s*-->/gi;
  var IMAGE_LINE = /^!\[([^\]\n]*)\]\(([^)\n]*)\)$/;
  var SAFE_ADDRESS = /^(https?:\/\/[^\s]+|mailto:[^\s]+|\/[^\s]*|#[^\s]*)$/i;
  var TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"];

  /* Shortcuts: Ctrl (⌘ on a Mac) + key, or Alt (⌥) + Shift + key, by physical key. */
  var PRIMARY = { KeyB: "bold", KeyI: "italic", KeyK: "link" };
  var ALT_SHIFT = {
    KeyH: "heading",
    KeyL: "list",
    KeyQ: "pullquote",
    KeyA: "aside",
    KeyF: "figure",
    KeyE: "excerpt",
    KeyN: "footnote",
    KeyM: "image",
  };

  var dialogs = null; // {link, figure, footnote, image}: moved to <body> once
  var current = null; // the editor the open dialog writes into, and where

  /* --- changing the text ----------------------------------------------------------- */

  /* Replace editor.value[start:end] with text, then select [selStart, selEnd] counted
     from start. Undoable where the browser supports insertText. */
  function replace(editor, start, end, text, selStart, selEnd) {
    editor.focus();
    editor.setSelectionRange(start, end);
    var done = false;
    try {
      done = document.execCommand("insertText", false, text);
    } catch (unsupported) {
      done = false;
    }
    if (!done || editor.value.slice(start, start + text.length) !== text) {
      editor.setRangeText(text, start, end, "end");
      editor.dispatchEvent(new Event("input", { bubbles: true }));
    }
    var a = start + (selStart === undefined ? text.length : selStart);
    var b = start + (selEnd === undefined ? (selStart === undefined ? text.length : selStart) : selEnd);
    editor.setSelectionRange(a, b);
  }

  function lineBounds(value, position) {
    var start = value.lastIndexOf("\n", position - 1) + 1;
    var end = value.indexOf("\n", position);
    return { start: start, end: end < 0 ? value.length : end };
  }

  /* **selection** (or a selected placeholder); again on wrapped text unwraps it. */
  function wrap(editor, before, after, placeholder) {
    var value = editor.value;
    var start = editor.selectionStart;
    var end = editor.selectionEnd;
    var chosen = value.slice(start, end);
    if (
      value.slice(start - before.length, start) === before &&
      value.slice(end, end + after.length) === after
    ) {
      replace(editor, start - before.length, end + after.length, chosen, 0, chosen.length);
      return;
    }
    // Spaces stay outside the marks ("**word** ", not "**word **", which is no bold).
    var lead = chosen.match(/^\s*/)[0];
    var trail = chosen.slice(lead.length).match(/\s*$/)[0];
    var inner = chosen.slice(lead.length, chosen.length - trail.length) || placeholder;
    var text = lead + before + inner + after + trail;
    var from = lead.length + before.length;
    replace(editor, start, end, text, from, from + inner.length);
  }

  /* A paragraph of its own, blank lines around it, with `inner` selected. */
  function block(editor, start, end, before, inner, after) {
    var value = editor.value;
    var head = value.slice(0, start).replace(/[ \t]+$/, "");
    var tail = value.slice(end).replace(/^[ \t]+/, "");
    var gapBefore = head === "" ? "" : /\n\n$/.test(head) ? "" : /\n$/.test(head) ? "\n" : "\n\n";
    var gapAfter = /^\n\n/.test(tail) ? "" : /^\n/.test(tail) ? "\n" : tail === "" ? "\n" : "\n\n";
    var from = head.length;
    var to = value.length - tail.length;
    var text = gapBefore + before + inner + after + gapAfter;
    var at = gapBefore.length + before.length;
    replace(editor, from, to, text, at, at + inner.length);
  }

  function quoteBlock(editor, before, after, placeholder) {
    var start = editor.selectionStart;
    var end = editor.selectionEnd;
    var chosen = editor.value.slice(start, end).replace(/\s+/g, " ").trim();
    // A backtick would end the construct early: the house syntax has no escape for it.
    chosen = chosen.replace(/`/g, "'");
    block(editor, start, end, before, chosen || placeholder, after);
  }

  function heading(editor) {
    var line = lineBounds(editor.value, editor.selectionStart);
    var text = editor.value.slice(line.start, line.end);
    var marks = text.match(/^(#{1,6})[ \t]+/);
    var bare = marks ? text.slice(marks[0].length) : text;
    var level = marks ? marks[1].length : 0;
    var next = level === 3 ? SUBHEADING : level === 4 ? "" : HOUSE_HEADING;
    var caret = editor.selectionStart - line.start - (marks ? marks[0].length : 0);
    if (!bare) {
      bare = "Heading";
      replace(editor, line.start, line.end, next + bare, next.length, next.length + bare.length);
      return;
    }
    var at = next.length + Math.max(0, caret);
    replace(editor, line.start, line.end, next + bare, at, at);
  }

  function list(editor) {
    var value = editor.value;
    var first = lineBounds(value, editor.selectionStart).start;
    var endAt = editor.selectionEnd > editor.selectionStart && value[editor.selectionEnd - 1] === "\n"
      ? editor.selectionEnd - 1
      : editor.selectionEnd;
    var last = lineBounds(value, endAt).end;
    var lines = value.slice(first, last).split("\n");
    var listed = lines.every(function (line) {
      return /^\s*[-*+] /.test(line) || !line.trim();
    });
    var changed = lines.map(function (line) {
      if (!line.trim()) {
        return line;
      }
      return listed ? line.replace(/^(\s*)[-*+] /, "$1") : "- " + line;
    });
    var text = changed.join("\n");
    if (lines.length === 1 && !lines[0].trim() && !listed) {
      text = "- ";
    }
    replace(editor, first, last, text, text.length, text.length);
  }

  function excerpt(editor, say) {
    var value = editor.value;
    var start = editor.selectionStart;
    var found = value.match(EXCERPT);
    if (found) {
      // Take the old marker out (and the blank line it stood in), keeping the cursor.
      var at = value.search(EXCERPT);
      var length = found[0].length;
      var before = value.slice(0, at);
      var after = value.slice(at + length);
      var cut = length;
      if (/\n\n$/.test(before) && /^\n\n/.test(after)) {
        at -= 2;
        cut += 2;
      }
      replace(editor, at, at + cut, "", 0, 0);
      start = start > at + cut ? start - cut : Math.min(start, at);
      editor.setSelectionRange(start, start);
    }
    var line = lineBounds(editor.value, start);
    var point = editor.value.slice(line.start, line.end).trim() ? line.end : start;
    block(editor, point, point, "<excerpt/>", "", "");
    var caret = editor.value.indexOf("<excerpt/>") + "<excerpt/>".length;
    editor.setSelectionRange(caret, caret);
    say(
      found
        ? "The excerpt marker is moved here: a text has one."
        : "The excerpt ends here: what comes before it is the article's summary."
    );
  }

  function nextFootnote(value) {
    var highest = 0;
    var labels = value.match(/\[\^(\d+)\]/g) || [];
    labels.forEach(function (label) {
      highest = Math.max(highest, parseInt(label.slice(2, -1), 10));
    });
    return highest + 1;
  }

  function footnote(editor, point, note) {
    var number = nextFootnote(editor.value);
    var reference = "[^" + number + "]";
    var definition = "[^" + number + "]: " + note.replace(/\s*\n\s*/g, " ").trim();
    var value = editor.value;
    var ending = /\n\n$/.test(value) ? "" : /\n$/.test(value) ? "\n" : "\n\n";
    // The definition first, at the end, so the reference's position stays right.
    replace(editor, value.length, value.length, ending + definition + "\n");
    replace(editor, point, point, reference);
    return number;
  }

  /* The image line at the cursor (or on the line before it), if any. */
  function imageAt(editor) {
    var value = editor.value;
    var line = lineBounds(value, editor.selectionStart);
    var text = value.slice(line.start, line.end).trim();
    if (!text && line.start > 0) {
      line = lineBounds(value, line.start - 1);
      text = value.slice(line.start, line.end).trim();
    }
    var match = text.match(IMAGE_LINE);
    return match ? { start: line.start, end: line.end, alt: match[1], address: match[2] } : null;
  }

  function captionLine(fields) {
    var title = fields.title.replace(/\s+/g, " ").trim().replace(/_/g, "");
    if (!/[.!?:]$/.test(title)) {
      title += ".";
    }
    var line = "_▲ __" + title + "__";
    var caption = fields.caption.replace(/\s+/g, " ").trim();
    if (caption) {
      line += " " + caption;
    }
    if (fields.source) {
      var name = (fields.source_name || "Source").replace(/[\[\]]/g, "").trim() || "Source";
      line += " [" + name + "](" + fields.source + ")";
    }
    return line + (/[.!?]$/.test(line) ? "_" : "._");
  }

  /* At the selection the dialog was opened on: the dialog took the focus since. */
  function insertImage(context, alt, address) {
    var editor = context.editor;
    var start = context.start;
    var end = context.end;
    var cleanAlt = (alt || "").replace(/[\[\]\n]/g, " ").replace(/\s+/g, " ").trim();
    block(editor, start, end, "![" + cleanAlt + "](" + address + ")", "", "");
    var line = "![" + cleanAlt + "](" + address + ")";
    var caret = editor.value.indexOf(line, Math.max(0, start - 2)) + line.length;
    editor.setSelectionRange(caret, caret);
  }

  /* --- dialogs ----------------------------------------------------------------------- */

  function setUpDialogs() {
    if (dialogs) {
      return dialogs;
    }
    var template = document.getElementById("editor-dialogs");
    if (!template || !template.content) {
      return null;
    }
    document.body.appendChild(template.content.cloneNode(true));
    dialogs = {
      link: document.getElementById("editor-link-dialog"),
      figure: document.getElementById("editor-figure-dialog"),
      footnote: document.getElementById("editor-footnote-dialog"),
      image: document.getElementById("editor-image-dialog"),
    };
    Object.keys(dialogs).forEach(function (name) {
      var dialog = dialogs[name];
      var form = dialog.querySelector("form");
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        submitDialog(name, dialog);
      });
      dialog.querySelector("[data-action='cancel']").addEventListener("click", function () {
        dialog.close("cancel");
      });
      dialog.addEventListener("close", function () {
        if (current && current.editor) {
          var editor = current.editor;
          current = null;
          editor.focus();
        }
      });
    });
    setUpPicker(dialogs.image);
    return dialogs;
  }

  function field(dialog, name) {
    return dialog.querySelector("[data-field='" + name + "']");
  }

  function showError(dialog, message, focus) {
    var box = dialog.querySelector(".editor-dialog__error");
    box.textContent = message;
    box.hidden = !message;
    if (focus) {
      focus.setAttribute("aria-invalid", "true");
      focus.focus();
    }
  }

  function openDialog(name, editor, prepare) {
    var all = setUpDialogs();
    if (!all) {
      return;
    }
    var dialog = all[name];
    current = {
      editor: editor,
      start: editor.selectionStart,
      end: editor.selectionEnd,
      say: sayerFor(editor),
    };
    showError(dialog, "");
    Array.prototype.forEach.call(dialog.querySelectorAll("[aria-invalid]"), function (node) {
      node.removeAttribute("aria-invalid");
    });
    var first = prepare(dialog);
    dialog.showModal();
    if (first) {
      first.focus();
      if (first.select && first.value) {
        first.select();
      }
    }
  }

  function checkedAddress(dialog, input, required) {
    var address = input.value.trim();
    if (!address) {
      if (required) {
        showError(dialog, "Give the address.", input);
        return null;
      }
      return "";
    }
    if (!SAFE_ADDRESS.test(address)) {
      showError(
        dialog,
        "“" + address + "” is not an address a reader can follow: start it with https://, " +
          "/ (a page of this site), mailto: or #, without spaces.",
        input
      );
      return null;
    }
    return address.replace(/\)/g, "%29").replace(/\(/g, "%28");
  }

  function submitDialog(name, dialog) {
    if (!current) {
      dialog.close();
      return;
    }
    var editor = current.editor;
    showError(dialog, "");
    if (name === "link") {
      var text = field(dialog, "text").value.replace(/\s+/g, " ").trim();
      var address = checkedAddress(dialog, field(dialog, "address"), true);
      if (address === null) {
        return;
      }
      var label = (text || address).replace(/([\[\]])/g, "\\$1");
      var markdown = "[" + label + "](" + address + ")";
      var context = current;
      dialog.close("done");
      replace(editor, context.start, context.end, markdown);
      context.say("Link inserted.");
    } else if (name === "figure") {
      var fields = {
        title: field(dialog, "title").value,
        caption: field(dialog, "caption").value,
        source_name: field(dialog, "source_name").value,
      };
      if (!fields.title.trim()) {
        showError(dialog, "Give the figure a title: it is printed in bold above the caption.", field(dialog, "title"));
        return;
      }
      fields.source = checkedAddress(dialog, field(dialog, "source"), false);
      if (fields.source === null) {
        return;
      }
      var image = current.image;
      var imageAddress = "";
      if (!image) {
        imageAddress = checkedAddress(dialog, field(dialog, "image"), true);
        if (imageAddress === null) {
          return;
        }
      }
      var caption = captionLine(fields);
      var figureContext = current;
      dialog.close("done");
      if (image) {
        // Right under the image line, replacing a caption line already there.
        var value = editor.value;
        var below = lineBounds(value, Math.min(value.length, image.end + 1));
        var hasCaption =
          image.end < value.length && /^_.*\S_$/.test(value.slice(below.start, below.end).trim());
        if (hasCaption) {
          replace(editor, below.start, below.end, caption);
        } else {
          replace(editor, image.end, image.end, "\n" + caption);
        }
      } else {
        editor.setSelectionRange(figureContext.start, figureContext.end);
        block(editor, figureContext.start, figureContext.end, "![](" + imageAddress + ")\n" + caption, "", "");
      }
      figureContext.say("Figure caption inserted.");
    } else if (name === "footnote") {
      var note = field(dialog, "note").value.trim();
      if (!note) {
        showError(dialog, "Write the note first.", field(dialog, "note"));
        return;
      }
      var noteContext = current;
      dialog.close("done");
      var number = footnote(editor, noteContext.end, note);
      noteContext.say("Footnote " + number + " added; its text is at the end of the article.");
    }
  }

  /* --- the image dialog: upload, or pick from the library ---------------------------- */

  function csrfToken() {
    var input = document.querySelector("input[name='csrfmiddlewaretoken']");
    if (input && input.value) {
      return input.value;
    }
    var found = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return found ? decodeURIComponent(found[1]) : "";
  }

  function errorText(payload, fallback) {
    if (payload && typeof payload.error === "string" && payload.error) {
      return payload.error;
    }
    if (payload && typeof payload === "object") {
      var keys = Object.keys(payload);
      for (var i = 0; i < keys.length; i += 1) {
        var value = payload[keys[i]];
        if (Array.isArray(value) && typeof value[0] === "string") {
          return value[0];
        }
      }
    }
    return fallback;
  }

  function jsonOf(response) {
    return response
      .json()
      .catch(function () {
        return {};
      })
      .then(function (payload) {
        return { ok: response.ok, payload: payload };
      });
  }

  function setUpPicker(dialog) {
    var file = field(dialog, "file");
    var search = field(dialog, "search");
    var results = dialog.querySelector(".editor-picker");
    var found = dialog.querySelector("#editor-image-found");
    var more = dialog.querySelector("[data-action='more']");
    var searchUrl = dialog.getAttribute("data-search-url");
    var page = 1;
    var asked = 0; // the newest search wins when answers arrive out of order
    var timer = null;

    function chosen(image) {
      var context = current;
      dialog.close("done");
      insertImage(context, image.alt_text, image.url);
      context.say(
        image.alt_text
          ? "Image inserted, with its alt text from the library."
          : "Image inserted. It has no alt text yet: the article cannot be published until it does."
      );
      if (!image.alt_text && image.describe_url) {
        announceUpload(context.editor, { image_code: "", image: image });
      }
    }

    function item(image) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "editor-picker__item";
      var thumb = document.createElement("img");
      thumb.src = image.thumbnail_url;
      thumb.alt = "";
      thumb.loading = "lazy";
      thumb.width = 96;
      thumb.height = 72;
      var label = document.createElement("span");
      label.className = "editor-picker__label";
      label.textContent = image.alt_text || image.caption || "No alt text yet";
      if (!image.alt_text) {
        label.classList.add("editor-picker__label--missing");
      }
      button.appendChild(thumb);
      button.appendChild(label);
      button.addEventListener("click", function () {
        chosen(image);
      });
      li.appendChild(button);
      return li;
    }

    function load(reset) {
      if (reset) {
        page = 1;
      }
      asked += 1;
      var mine = asked;
      var address = searchUrl + "?q=" + encodeURIComponent(search.value.trim()) + "&page=" + page;
      found.textContent = "Looking in the library…";
      window
        .fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(jsonOf)
        .then(function (result) {
          if (mine !== asked) {
            return;
          }
          if (!result.ok) {
            found.textContent = "";
            showError(dialog, errorText(result.payload, "The library could not be searched."));
            return;
          }
          if (reset) {
            results.textContent = "";
          }
          result.payload.images.forEach(function (image) {
            results.appendChild(item(image));
          });
          var count = results.children.length;
          var words = search.value.trim();
          found.textContent = count
            ? count + (result.payload.more ? "+" : "") + " image" + (count === 1 ? "" : "s") +
              (words ? " matching “" + words + "”" : " in the library, newest first") +
              ": choose one to insert it."
            : words
              ? "No image in the library matches “" + words + "”."
              : "The library has no images yet: upload one above.";
          more.hidden = !result.payload.more;
        })
        .catch(function () {
          if (mine === asked) {
            found.textContent = "";
            showError(dialog, "The library could not be reached. Check your connection and try again.");
          }
        });
    }

    search.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        load(true);
      }, 250);
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // search now, do not submit
        window.clearTimeout(timer);
        load(true);
      }
    });
    more.addEventListener("click", function () {
      page += 1;
      load(false);
    });

    file.addEventListener("change", function () {
      var picked = file.files && file.files[0];
      if (!picked || !current) {
        return;
      }
      if (TYPES.indexOf(picked.type) < 0) {
        showError(dialog, "“" + picked.name + "” is not a JPEG, PNG, GIF or WebP image.", file);
        file.value = "";
        return;
      }
      var editor = current.editor;
      var data = new FormData();
      data.append("image", picked);
      found.textContent = "Uploading “" + picked.name + "”…";
      file.disabled = true;
      window
        .fetch(editor.getAttribute("data-markdownx-upload-urls-path") || "/admin/markdownx/upload/", {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" },
        })
        .then(jsonOf)
        .then(function (result) {
          file.disabled = false;
          file.value = "";
          found.textContent = "";
          if (!result.ok || !result.payload.image) {
            showError(dialog, errorText(result.payload, "The image could not be uploaded."), file);
            return;
          }
          var context = current;
          dialog.close("done");
          insertImage(context, "", result.payload.image.url);
          context.say("Image uploaded and inserted. Say what it shows below.");
          announceUpload(context.editor, result.payload);
        })
        .catch(function () {
          file.disabled = false;
          found.textContent = "";
          showError(dialog, "The image could not be uploaded. Check your connection and try again.", file);
        });
    });

    dialog.addEventListener("editor:open", function () {
      file.value = "";
      file.removeAttribute("aria-invalid");
      if (!results.children.length || search.value) {
        search.value = "";
        load(true);
      }
    });
  }

  /* Tell static/js/editor.js, as markdownx does after a drop, so it asks for alt text. */
  function announceUpload(editor, answer) {
    var widget = editor.closest(".markdownx") || editor;
    widget.dispatchEvent(new CustomEvent("markdownx.fileUploadEnd", { detail: [answer] }));
  }

  /* --- commands -------------------------------------------------------------------- */

  function sayerFor(editor) {
    return function (message) {
      var toolbar = editor.editorToolbar;
      var status = toolbar && toolbar.querySelector(".editor-toolbar__status");
      if (status) {
        status.textContent = "";
        // A fresh node each time, so a screen reader announces a repeated message too.
        window.setTimeout(function () {
          status.textContent = message;
        }, 30);
      }
    };
  }

  function run(command, editor) {
    var say = sayerFor(editor);
    if (command === "bold") {
      wrap(editor, "**", "**", "bold text");
    } else if (command === "italic") {
      wrap(editor, "_", "_", "italic text");
    } else if (command === "heading") {
      heading(editor);
    } else if (command === "list") {
      list(editor);
    } else if (command === "pullquote") {
      quoteBlock(editor, "___`", "`___", "A sentence worth pulling out");
    } else if (command === "aside") {
      quoteBlock(editor, "_`", "`_", "A note set apart in a box");
    } else if (command === "excerpt") {
      excerpt(editor, say);
    } else if (command === "link") {
      openDialog("link", editor, function (dialog) {
        var selected = editor.value.slice(editor.selectionStart, editor.selectionEnd).trim();
        var text = field(dialog, "text");
        var address = field(dialog, "address");
        text.value = SAFE_ADDRESS.test(selected) ? "" : selected;
        address.value = SAFE_ADDRESS.test(selected) ? selected : "";
        return text.value ? address : text;
      });
    } else if (command === "figure") {
      openDialog("figure", editor, function (dialog) {
        var image = imageAt(editor);
        current.image = image;
        var where = dialog.querySelector("[data-role='where']");
        var imageRow = dialog.querySelector("[data-role='image-row']");
        ["title", "caption", "source", "image"].forEach(function (name) {
          field(dialog, name).value = "";
        });
        field(dialog, "source_name").value = "Source";
        if (image) {
          where.textContent = "The caption goes under the image " +
            (image.alt ? "“" + image.alt + "”" : image.address) + ".";
          where.hidden = false;
          imageRow.hidden = true;
        } else {
          where.textContent = "";
          where.hidden = true;
          imageRow.hidden = false;
        }
        return field(dialog, "title");
      });
    } else if (command === "footnote") {
      openDialog("footnote", editor, function (dialog) {
        field(dialog, "note").value = "";
        return field(dialog, "note");
      });
    } else if (command === "image") {
      openDialog("image", editor, function (dialog) {
        dialog.dispatchEvent(new CustomEvent("editor:open"));
        return field(dialog, "search");
      });
    }
  }

  /* --- the toolbar: buttons, roving tabindex, shortcuts ------------------------------ */

  function buttonsOf(toolbar) {
    return Array.prototype.slice.call(toolbar.querySelectorAll(".editor-toolbar__button"));
  }

  function focusButton(buttons, index) {
    buttons.forEach(function (button, i) {
      button.tabIndex = i === index ? 0 : -1;
    });
    buttons[index].focus();
  }

  function forMac(toolbar) {
    buttonsOf(toolbar).forEach(function (button) {
      button.title = button.title.replace("Ctrl+", "⌘").replace("Alt+Shift+", "⌥⇧");
    });
  }

  function attach(editor) {
    if (editor.editorToolbar) {
      return;
    }
    var template = document.getElementById("editor-toolbar");
    if (!template || !template.content) {
      return;
    }
    var toolbar = template.content.firstElementChild.cloneNode(true);
    toolbar.setAttribute("aria-controls", editor.id);
    editor.editorToolbar = toolbar;
    if (IS_MAC) {
      forMac(toolbar);
    }
    var buttons = buttonsOf(toolbar);
    // markdownx takes Tab in the text to indent. After Escape the next Tab (or
    // Shift+Tab) moves the focus on instead, so the keyboard is never caught in the
    // text. Listening on the parent, capturing, runs before markdownx's own listener.
    var tabLeaves = false;
    editor.parentNode.addEventListener(
      "keydown",
      function (event) {
        if (event.target !== editor) {
          return;
        }
        if (event.key === "Escape") {
          tabLeaves = true;
          sayerFor(editor)("Tab now leaves the text; Shift+Tab goes to the toolbar.");
        } else if (event.key === "Tab" && tabLeaves) {
          event.stopPropagation(); // the browser moves the focus, markdownx does not indent
          tabLeaves = false;
        } else if (["Shift", "Control", "Alt", "Meta"].indexOf(event.key) < 0) {
          tabLeaves = false;
        }
      },
      true
    );
    editor.addEventListener("blur", function () {
      tabLeaves = false;
    });
    buttons.forEach(function (button, i) {
      button.tabIndex = i === 0 ? 0 : -1;
      // Keep the text's selection: a click on a button must not take the focus first.
      button.addEventListener("mousedown", function (event) {
        event.preventDefault();
      });
      button.addEventListener("click", function () {
        buttons.forEach(function (other, j) {
          other.tabIndex = j === i ? 0 : -1;
        });
        run(button.getAttribute("data-command"), editor);
      });
    });
    toolbar.addEventListener("keydown", function (event) {
      var index = buttons.indexOf(document.activeElement);
      if (index < 0) {
        return;
      }
      var next = null;
      if (event.key === "ArrowRight" || event.key === "ArrowDown") {
        next = (index + 1) % buttons.length;
      } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
        next = (index - 1 + buttons.length) % buttons.length;
      } else if (event.key === "Home") {
        next = 0;
      } else if (event.key === "End") {
        next = buttons.length - 1;
      } else if (event.key === "Escape") {
        event.preventDefault();
        editor.focus();
        tabLeaves = true;
        return;
      }
      if (next !== null) {
        event.preventDefault();
        focusButton(buttons, next);
      }
    });
    editor.addEventListener("keydown", function (event) {
      var command = null;
      if ((IS_MAC ? event.metaKey : event.ctrlKey) && !event.altKey && !event.shiftKey) {
        command = PRIMARY[event.code] || null;
      } else if (event.altKey && event.shiftKey && !event.ctrlKey && !event.metaKey) {
        command = ALT_SHIFT[event.code] || null;
      } else if (event.altKey && event.key === "F10") {
        event.preventDefault();
        var active = buttons.filter(function (button) {
          return button.tabIndex === 0;
        })[0];
        (active || buttons[0]).focus();
        return;
      }
      if (command) {
        event.preventDefault();
        run(command, editor);
      }
    });
    var notices = editor.parentNode.querySelector(".editor-notices");
    editor.parentNode.insertBefore(toolbar, notices || editor);
  }

  function attachAll() {
    var editors = document.querySelectorAll(".markdownx textarea.markdownx-editor");
    Array.prototype.forEach.call(editors, attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", attachAll);
  } else {
    attachAll();
  }
})();

/*
 * The article editor in the admin: say plainly why an image upload failed, and ask for
 * the alt text (and caption and credit) of an image that was uploaded.
 *
 * django-markdownx (markdownx/static/markdownx/js/markdownx.js, sendFile) handles a
 * failed upload by
 *   1. dispatching a CustomEvent on the widget's .markdownx element:
 *      "markdownx.fileUploadError" when the server answered without an image_code
 *      (event.detail is [the parsed JSON], e.g. [{error: "…"}]), or "fileUploadError"
 *      when the request itself failed (event.detail is [the response text]);
 *   2. then, synchronously right after the event, inserting the literal text
 *      "Invalid response" into the textarea at the cursor.
 * We take that text out again and show the server's message in an alert just above
 * the textarea. A later successful upload ("markdownx.fileUploadEnd") clears it.
 *
 * After a successful upload ("markdownx.fileUploadEnd", event.detail is [the JSON
 * answer]) markdownx has inserted the answer's image_code, "![](address)". Our answer
 * also describes the new library image (image.describe_url), so a small panel above
 * the text area asks what the image shows. Saving sends the texts to the library and
 * writes the alt text into the Markdown, "![alt text](address)", and the live preview
 * shows it. "Later" leaves it: the pre-publish checklist then lists the image. The
 * panel's markup is rendered by the server, in the change form's
 * <template id="editor-image-prompt">; each upload gets a copy with ids of its own.
 *
 * The events do not bubble, so the listeners sit on the document in the capture
 * phase: they work for every editor on the page, whenever it was added. What is added
 * to the page is built with DOM calls or cloned from a <template>, and styled by class
 * (admin-editor.css): no inline script or style, as the Content Security Policy requires.
 */
(function () {
  "use strict";

  var INSERTED_TEXT = "Invalid response"; // markdownx's XHR_RESPONSE_ERROR
  var ERROR_CLASS = "editor-upload-error";
  var FALLBACK_MESSAGE =
    "The image could not be uploaded. Check your connection and try again, " +
    "or choose a JPEG, PNG, GIF or WebP file.";

  function firstText(value) {
    if (typeof value === "string") {
      return value.trim();
    }
    if (Array.isArray(value)) {
      for (var i = 0; i < value.length; i += 1) {
        var text = firstText(value[i]);
        if (text) {
          return text;
        }
      }
    }
    return "";
  }

  /* The message to show, from whichever shape event.detail has. */
  function messageFrom(detail) {
    var payload = Array.isArray(detail) ? detail[0] : detail;
    if (typeof payload === "string") {
      try {
        payload = JSON.parse(payload);
      } catch (notJson) {
        return FALLBACK_MESSAGE; // an HTML error page or nothing at all
      }
    }
    if (payload && typeof payload === "object") {
      // Our endpoint answers {"error": "…"}; markdownx's own view answers with form
      // errors, {"image": ["…"]}.
      var message = firstText(payload.error) || firstText(payload.message);
      if (!message) {
        var keys = Object.keys(payload);
        for (var i = 0; i < keys.length && !message; i += 1) {
          message = firstText(payload[keys[i]]);
        }
      }
      if (message) {
        return message;
      }
    }
    return FALLBACK_MESSAGE;
  }

  function widgetParts(target) {
    var widget = target && target.closest ? target.closest(".markdownx") : null;
    if (!widget) {
      return null;
    }
    var editor = widget.querySelector(".markdownx-editor");
    return editor ? { widget: widget, editor: editor } : null;
  }

  /* The area above the text area that holds the error and the describe panels. */
  function noticeArea(widget, editor) {
    var area = widget.querySelector(".editor-notices");
    if (!area) {
      area = document.createElement("div");
      area.className = "editor-notices";
      editor.parentNode.insertBefore(area, editor);
    }
    return area;
  }

  function clearError(widget) {
    var old = widget.querySelectorAll("." + ERROR_CLASS);
    for (var i = 0; i < old.length; i += 1) {
      old[i].parentNode.removeChild(old[i]);
    }
  }

  function showError(widget, editor, message) {
    clearError(widget);
    var box = document.createElement("div");
    box.className = ERROR_CLASS;
    box.setAttribute("role", "alert");
    box.textContent = message; // text, never HTML: the message quotes a file name
    var area = noticeArea(widget, editor);
    area.insertBefore(box, area.firstChild);
  }

  /* markdownx inserts its text only after our listener returns, so note the editor's
     state now and undo the insertion on the next task. */
  function removeInsertedText(editor) {
    var before = {
      value: editor.value,
      start: editor.selectionStart,
      end: editor.selectionEnd,
    };
    window.setTimeout(function () {
      var value = editor.value;
      var expected =
        before.value.slice(0, before.start) + INSERTED_TEXT + before.value.slice(before.end);
      if (value === expected) {
        // Exactly markdownx's insertion: restore the text, and any selection it replaced.
        editor.value = before.value;
        editor.setSelectionRange(before.start, before.end);
      } else if (value.substr(before.start, INSERTED_TEXT.length) === INSERTED_TEXT) {
        editor.value =
          value.slice(0, before.start) + value.slice(before.start + INSERTED_TEXT.length);
        editor.setSelectionRange(before.start, before.start);
      } else {
        return; // not where markdownx puts it: leave the author's text alone
      }
      // Let markdownx re-render the preview (it listens for input on the textarea).
      editor.dispatchEvent(new Event("input", { bubbles: true }));
    }, 0);
  }

  function onUploadError(event) {
    var parts = widgetParts(event.target);
    if (!parts) {
      return;
    }
    removeInsertedText(parts.editor);
    showError(parts.widget, parts.editor, messageFrom(event.detail));
  }

  function onUploadEnd(event) {
    var parts = widgetParts(event.target);
    if (!parts) {
      return;
    }
    clearError(parts.widget);
    var answer = Array.isArray(event.detail) ? event.detail[0] : event.detail;
    if (answer && answer.image && answer.image.describe_url) {
      askForDescription(parts.widget, parts.editor, answer.image);
    }
  }

  /* --- describing an uploaded image -------------------------------------------- */

  var PROMPT_CLASS = "editor-image-prompt";
  var PROMPT_TEMPLATE_ID = "editor-image-prompt"; // in the article change form
  var promptCount = 0;

  function csrfToken() {
    var field = document.querySelector("input[name='csrfmiddlewaretoken']");
    if (field && field.value) {
      return field.value;
    }
    var found = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return found ? decodeURIComponent(found[1]) : "";
  }

  /* A copy of the server-rendered panel, with ids of its own: every id, and every
     attribute naming one, gets "__n" appended. Null where the page has no template. */
  function promptFromTemplate() {
    var template = document.getElementById(PROMPT_TEMPLATE_ID);
    if (!template || !template.content) {
      return null;
    }
    var panel = template.content.firstElementChild.cloneNode(true);
    promptCount += 1;
    var suffix = "__" + promptCount;
    var nodes = [panel].concat(Array.prototype.slice.call(panel.querySelectorAll("*")));
    nodes.forEach(function (node) {
      ["id", "for", "aria-labelledby", "aria-describedby"].forEach(function (name) {
        var value = node.getAttribute(name);
        if (value) {
          node.setAttribute(name, value + suffix);
        }
      });
    });
    return panel;
  }

  /* "![old](address)" → "![alt](address)" for this image's address, wherever it is. */
  function writeAltText(editor, address, alt) {
    var escaped = alt.replace(/\s+/g, " ").replace(/([\\\[\]])/g, "\\$1");
    var target = "](" + address + ")";
    var end = editor.value.indexOf(target);
    if (end < 0) {
      return;
    }
    var start = editor.value.lastIndexOf("![", end);
    if (start < 0) {
      return;
    }
    editor.value = editor.value.slice(0, start) + "![" + escaped + editor.value.slice(end);
    editor.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function askForDescription(widget, editor, image) {
    var panel = promptFromTemplate();
    if (!panel) {
      return; // an editor outside the article form: the checklist still asks later
    }
    var thumb = panel.querySelector("." + PROMPT_CLASS + "__thumb");
    if (image.thumbnail_url) {
      thumb.src = image.thumbnail_url;
      thumb.hidden = false;
    } else {
      thumb.parentNode.removeChild(thumb);
    }
    var alt = panel.querySelector("input[name='alt_text']");
    alt.value = image.alt_text || "";
    var caption = panel.querySelector("input[name='caption']");
    caption.value = image.caption || "";
    var credit = panel.querySelector("input[name='credit']");
    credit.value = image.credit || "";
    var status = panel.querySelector("." + PROMPT_CLASS + "__status");
    var save = panel.querySelector("[data-action='save']");
    var later = panel.querySelector("[data-action='later']");

    function close() {
      if (panel.parentNode) {
        panel.parentNode.removeChild(panel);
      }
      editor.focus();
    }

    function fail(message) {
      status.textContent = message;
      status.hidden = false;
      save.disabled = false;
    }

    function submit() {
      if (!alt.value.trim()) {
        fail("Write the alt text first, or choose Later.");
        alt.focus();
        return;
      }
      save.disabled = true;
      var data = new FormData();
      data.append("alt_text", alt.value.trim());
      data.append("caption", caption.value.trim());
      data.append("credit", credit.value.trim());
      window
        .fetch(image.describe_url, {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" },
        })
        .then(function (response) {
          return response.json().then(function (payload) {
            return { ok: response.ok, payload: payload };
          });
        })
        .then(function (result) {
          if (!result.ok) {
            fail(messageFrom([result.payload]));
            return;
          }
          writeAltText(editor, image.url, alt.value.trim());
          close();
        })
        .catch(function () {
          fail("The description could not be saved. Check your connection and try again.");
        });
    }

    save.addEventListener("click", submit);
    later.addEventListener("click", close);
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target.tagName === "INPUT") {
        event.preventDefault(); // not the article form's submit
        submit();
      } else if (event.key === "Escape") {
        close();
      }
    });

    noticeArea(widget, editor).appendChild(panel);
    alt.focus();
  }

  document.addEventListener("markdownx.fileUploadError", onUploadError, true);
  document.addEventListener("fileUploadError", onUploadError, true);
  document.addEventListener("markdownx.fileUploadEnd", onUploadEnd, true);
})();

/*
 * The article editor in the admin: say plainly why an image upload failed.
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
 * The events do not bubble, so the listeners sit on the document in the capture
 * phase: they work for every editor on the page, whenever it was added.
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
    editor.parentNode.insertBefore(box, editor);
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
    if (parts) {
      clearError(parts.widget);
    }
  }

  document.addEventListener("markdownx.fileUploadError", onUploadError, true);
  document.addEventListener("fileUploadError", onUploadError, true);
  document.addEventListener("markdownx.fileUploadEnd", onUploadEnd, true);
})();

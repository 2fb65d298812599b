/*
 * Autosave in the article editor: what is typed in the title, subtitle and body is sent,
 * a few seconds after the typing pauses, to the admin's autosave endpoint, which keeps it
 * in the person's one slot for the article (never a revision). Every copy is written to
 * this browser's localStorage first, so when the server cannot be reached the text is
 * still kept ("Offline, kept in this browser") and sent again once the browser is back
 * online.
 *
 * On opening the change form, the server's slot (rendered as JSON in
 * <script type="application/json" id="autosave-slot"> when it may hold unsaved text) and
 * the browser's copy are compared with the form; when one differs, a prompt offers to
 * restore it. Restoring fills in the fields and dispatches "input", so that the
 * markdownx preview is drawn again, and puts back the version the text was written on:
 * if someone saved since, saving shows their changes (the edit-conflict check) instead
 * of overwriting them.
 *
 * After a successful save the server names, in a hidden .autosave-saved element on the
 * next page, the browser copies that are done with; they are removed here.
 *
 * Everything is built from the server's markup and styled by class (admin-editor.css):
 * no inline script or style, as the Content Security Policy requires.
 */
(function () {
  "use strict";

  var PAUSE_MS = 3000; // typing pauses this long before the text is sent
  var FIELDS = ["title", "subtitle", "body"];
  var OFFLINE = "Offline, kept in this browser";

  /* --- the browser's copy ----------------------------------------------------------- */

  // localStorage may be missing or full (private windows, quotas): autosave then works
  // with the server alone.
  function readLocal(key) {
    try {
      var raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : null;
    } catch (unreadable) {
      return null;
    }
  }

  function writeLocal(key, entry) {
    try {
      window.localStorage.setItem(key, JSON.stringify(entry));
      return true;
    } catch (full) {
      return false;
    }
  }

  function removeLocal(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (unavailable) {
      // nothing kept, nothing to remove
    }
  }

  /* The copies the server says are saved now (the page after a successful save). */
  function forgetSaved() {
    var markers = document.querySelectorAll(".autosave-saved[data-storage-keys]");
    Array.prototype.forEach.call(markers, function (marker) {
      marker.getAttribute("data-storage-keys").split(" ").forEach(function (key) {
        if (key) {
          removeLocal(key);
        }
      });
    });
  }

  /* --- helpers ---------------------------------------------------------------------- */

  function csrfToken(form) {
    var field = form.querySelector("input[name='csrfmiddlewaretoken']");
    if (field && field.value) {
      return field.value;
    }
    var found = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return found ? decodeURIComponent(found[1]) : "";
  }

  /* Line breaks as a text area shows them: the server may have CRLF. */
  function lines(text) {
    return String(text || "").replace(/\r\n?/g, "\n");
  }

  function sameText(a, b) {
    return FIELDS.every(function (name) {
      return lines(a[name]) === lines(b[name]);
    });
  }

  /* "12:04" today, "3 March, 12:04" another day: in the site's time zone. */
  function formatter(timeZone, options) {
    try {
      return new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone: timeZone }, options));
    } catch (unknownZone) {
      return new Intl.DateTimeFormat("en-GB", options);
    }
  }

  function when(iso, timeZone) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) {
      return "earlier";
    }
    var clock = formatter(timeZone, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    var day = formatter(timeZone, { day: "numeric", month: "long" });
    var time = clock.format(date);
    return day.format(date) === day.format(new Date()) ? time : day.format(date) + ", " + time;
  }

  /* --- the editor ------------------------------------------------------------------- */

  function start() {
    forgetSaved();
    var root = document.getElementById("autosave");
    var form = root ? root.closest("form") : null;
    var inputs = {};
    FIELDS.forEach(function (name) {
      inputs[name] = document.getElementById("id_" + name);
    });
    if (!form || !inputs.title || !inputs.body) {
      return; // not an article form that can be edited
    }
    var key = root.getAttribute("data-storage-key");
    var timeZone = root.getAttribute("data-time-zone");
    var versionField = form.querySelector("input[name='loaded_version']");
    var status = document.getElementById("autosave-status");
    var prompt = document.getElementById("autosave-prompt");
    var slotScript = document.getElementById("autosave-slot");
    var serverSlot = null;
    try {
      serverSlot = slotScript ? JSON.parse(slotScript.textContent) : null;
    } catch (unreadable) {
      serverSlot = null;
    }

    var timer = null;
    var waiting = false; // the prompt is open: nothing is sent until it is answered
    var sending = false;
    var sendAgain = false;
    var unsent = false; // the last copy did not reach the server

    function typed() {
      var text = {};
      FIELDS.forEach(function (name) {
        text[name] = inputs[name] ? inputs[name].value : "";
      });
      return text;
    }

    function version() {
      return versionField ? parseInt(versionField.value, 10) || null : null;
    }

    function show(text, kind) {
      status.textContent = text;
      status.className = "autosave-status" + (kind ? " is-" + kind : "");
    }

    function keepInBrowser(extra) {
      var entry = Object.assign(typed(), {
        loaded_version: version(),
        saved_at: new Date().toISOString(),
        synced: false,
      });
      writeLocal(key, Object.assign(entry, extra || {}));
      return entry;
    }

    function failed(message) {
      unsent = true;
      show(message, message === OFFLINE ? "offline" : "refused");
    }

    function send() {
      timer = null;
      if (waiting) {
        return;
      }
      if (sending) {
        sendAgain = true;
        return;
      }
      var entry = keepInBrowser();
      if (navigator.onLine === false) {
        failed(OFFLINE);
        return;
      }
      sending = true;
      var data = new FormData();
      FIELDS.forEach(function (name) {
        data.append(name, entry[name]);
      });
      data.append("loaded_version", versionField ? versionField.value : "");
      window
        .fetch(root.getAttribute("data-url"), {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(form), "X-Requested-With": "XMLHttpRequest" },
        })
        .then(function (response) {
          return response.json().then(
            function (payload) {
              return { ok: response.ok, payload: payload || {} };
            },
            function () {
              return { ok: false, payload: {} }; // an HTML page: signed out, or an error
            }
          );
        })
        .then(function (result) {
          if (result.ok) {
            unsent = false;
            var kept = readLocal(key);
            if (kept && sameText(kept, entry)) {
              writeLocal(key, Object.assign(kept, { synced: true, saved_at: result.payload.saved_at }));
            }
            show(result.payload.display || "Saved", "");
          } else {
            failed(
              (result.payload.error || "Not saved on the server (are you still signed in?).") +
                " Kept in this browser."
            );
          }
        })
        .catch(function () {
          failed(OFFLINE);
        })
        .then(function () {
          sending = false;
          if (sendAgain) {
            sendAgain = false;
            send();
          }
        });
    }

    function schedule() {
      if (waiting) {
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(send, PAUSE_MS);
    }

    FIELDS.forEach(function (name) {
      if (inputs[name]) {
        inputs[name].addEventListener("input", schedule);
      }
    });

    window.addEventListener("online", function () {
      if (unsent && !waiting) {
        send();
      }
    });

    // Closing the page within the pause: the text is still kept in this browser.
    window.addEventListener("pagehide", function () {
      if (timer !== null) {
        window.clearTimeout(timer);
        timer = null;
        keepInBrowser();
      }
    });

    // The save carries the text; the page after a successful one forgets this copy.
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
      timer = null;
      if (!waiting) {
        keepInBrowser({ submitted: true });
      }
    });

    /* --- restoring ------------------------------------------------------------------ */

    function offer() {
      var inForm = typed();
      if (document.querySelector(".errornote")) {
        // A save was refused and the form shows what was typed: that is the newest text.
        schedule();
        return;
      }
      var kept = readLocal(key);
      if (kept && sameText(kept, inForm)) {
        removeLocal(key);
        kept = null;
      }
      var server = serverSlot && !sameText(serverSlot, inForm) ? serverSlot : null;
      var chosen = server;
      if (kept && (!server || !(Date.parse(kept.saved_at) < Date.parse(server.saved_at)))) {
        chosen = kept;
      }
      if (!chosen || !prompt) {
        return;
      }
      waiting = true;
      var time = prompt.querySelector(".autosave-prompt__time");
      time.textContent = when(chosen.saved_at, timeZone);
      time.setAttribute("datetime", chosen.saved_at);
      var older = prompt.querySelector(".autosave-prompt__older");
      older.hidden = !(chosen.loaded_version && version() && chosen.loaded_version < version());
      prompt.hidden = false;

      function close() {
        prompt.hidden = true;
        waiting = false;
      }

      prompt.querySelector("[data-autosave='restore']").addEventListener("click", function () {
        close();
        if (versionField && chosen.loaded_version) {
          versionField.value = String(chosen.loaded_version);
        }
        FIELDS.forEach(function (name) {
          if (inputs[name]) {
            inputs[name].value = chosen[name] || "";
            // markdownx draws its preview on input; so does this script send on it
            inputs[name].dispatchEvent(new Event("input", { bubbles: true }));
          }
        });
        show("Restored: save the article to keep it.", "");
        inputs.body.focus();
      });

      prompt.querySelector("[data-autosave='discard']").addEventListener("click", function () {
        close();
        removeLocal(key);
        var data = new FormData();
        window
          .fetch(root.getAttribute("data-discard-url"), {
            method: "POST",
            body: data,
            credentials: "same-origin",
            headers: { "X-CSRFToken": csrfToken(form), "X-Requested-With": "XMLHttpRequest" },
          })
          .catch(function () {
            // offline: the server's copy is overwritten by the next autosave anyway
          });
        show("Unsaved text discarded.", "");
        if (!sameText(typed(), inForm)) {
          schedule(); // typed while the prompt was open
        }
        inputs.title.focus();
      });
    }

    offer();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

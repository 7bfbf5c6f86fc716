/* Evidence pages: keep what a member types in this browser until the server has it, so a
   phone on a bad connection loses nothing; after a reload, offer it back when it differs
   from the saved text. htmx does the saving (hx-post on each textarea); no framework. */
(function () {
  "use strict";

  function read(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function write(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* private mode: no copy */ }
  }
  function forget(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
  }

  function offerRestore(area, kept) {
    var box = document.getElementById(area.dataset.restoreBox);
    if (!box) { return; }
    box.hidden = false;
    box.querySelector("[data-restore]").addEventListener("click", function () {
      area.value = kept;
      box.hidden = true;
      area.focus();
      area.dispatchEvent(new Event("input", { bubbles: true }));  // htmx saves it
    });
    box.querySelector("[data-discard]").addEventListener("click", function () {
      forget(area.dataset.draftKey);
      box.hidden = true;
      area.focus();
    });
  }

  function wire(area) {
    var key = area.dataset.draftKey;
    var kept = read(key);
    if (kept !== null && kept !== area.value) {
      offerRestore(area, kept);
    } else if (kept !== null) {
      forget(key);
    }
    area.addEventListener("input", function () { write(key, area.value); });
  }

  // "Saved 19:42" in the reader's own time zone (the server writes UTC).
  function localTimes(root) {
    var times = root.querySelectorAll("time[data-local-time]");
    for (var i = 0; i < times.length; i += 1) {
      var when = new Date(times[i].getAttribute("datetime"));
      if (!isNaN(when.getTime())) {
        times[i].textContent = when.toLocaleTimeString(document.documentElement.lang || undefined,
          { hour: "numeric", minute: "2-digit" });
      }
    }
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail && event.detail.target) { localTimes(event.detail.target); }
  });

  function areaOf(event) {
    var elt = event.detail && event.detail.elt;
    return elt && elt.dataset && elt.dataset.draftKey ? elt : null;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var area = areaOf(event);
    if (area) { area.dataset.sending = area.value; }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var area = areaOf(event);
    if (!area) { return; }
    var status = document.getElementById(area.dataset.status);
    if (!event.detail.successful) {
      if (status) { status.textContent = status.dataset.offline; }
      return;
    }
    var saved = status && status.querySelector("[data-state='saved']");
    // Only once the server has exactly this text is the browser's copy let go.
    if (saved && area.value === area.dataset.sending) { forget(area.dataset.draftKey); }
  });

  function start() {
    var areas = document.querySelectorAll("textarea[data-draft-key]");
    for (var i = 0; i < areas.length; i += 1) { wire(areas[i]); }
    localTimes(document);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());

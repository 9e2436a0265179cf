// The board's clocks and live panels. No library: served by the board itself, works offline.
(function () {
  "use strict";
  var offset = 0; // server time - this browser's time, from the page's data-now

  function syncClock(root) {
    var el = root.querySelector("[data-now]");
    if (el) offset = Number(el.getAttribute("data-now")) - Date.now();
  }

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function span(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return (h ? h + ":" + two(m) : String(m)) + ":" + two(r);
  }

  function tick() {
    var now = Date.now() + offset;
    document.querySelectorAll("[data-since]").forEach(function (el) {
      el.textContent = span((now - Number(el.getAttribute("data-since"))) / 1000);
    });
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var left = (Number(el.getAttribute("data-due")) - now) / 1000;
      if (left >= 0) {
        el.textContent = span(left);
        el.classList.remove("late");
      } else {
        el.textContent = el.getAttribute("data-late") + " +" + span(-left);
        el.classList.add("late");
      }
    });
    var clock = document.getElementById("now");
    if (clock) {  // the utility's time, whatever zone this screen is set to
      clock.textContent = new Date(now).toLocaleTimeString("en-GB", { timeZone: clock.getAttribute("data-zone"), hour12: false });
    }
  }

  function connected(ok) {
    var el = document.getElementById("conn");
    if (!el) return;
    el.textContent = el.getAttribute(ok ? "data-live" : "data-offline");
    el.classList.toggle("late", !ok);
  }

  function refresh(live) {
    fetch(live.getAttribute("data-panels"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.status === 401) { window.location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (html === null) return;
        live.innerHTML = html;
        syncClock(live);
        tick();
        live.setAttribute("data-updated", String(Date.now()));
      })
      .catch(function () { connected(false); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    syncClock(document);
    tick();
    window.setInterval(tick, 1000);
    var live = document.getElementById("live");
    if (!live || !window.EventSource) return;
    var source = new EventSource(live.getAttribute("data-events"));
    source.addEventListener("hello", function () { connected(true); });
    source.addEventListener("change", function () { connected(true); refresh(live); });
    source.addEventListener("signedout", function () { source.close(); window.location.reload(); });
    source.onerror = function () { connected(false); };
  });
})();

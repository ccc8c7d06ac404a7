// The console's degraded mode: a banner while live updates cannot flow.
//
// With several web processes every push goes through the message queue (Redis), even to a
// process's own consoles, so while the queue is down the socket stays connected but nothing
// arrives. The page cannot hear that over the socket, so it asks GET /healthz: every
// NORMAL_MS, and every DEGRADED_MS while degraded. While degraded it shows a banner and reloads
// the incidents from the database at each check; when the queue is back it hides the banner and
// reloads once more, for whatever was pushed (and lost) meanwhile.
//
// Loaded after console.js (it uses window.vigilConsole when present) by a <script> tag whose src
// is .../static/degraded.js: /healthz is found relative to it, so a path prefix works.
(function () {
  "use strict";

  var NORMAL_MS = 10000;
  var DEGRADED_MS = 5000;
  var script = document.currentScript;
  var healthUrl = new URL("../healthz", script ? script.src : window.location.href).href;
  // The texts come in the page's language from the server (web/console.py, _client_strings: "degraded").
  function text(key) {
    var strings = (window.VIGIL && window.VIGIL.strings && window.VIGIL.strings.degraded) || {};
    return strings[key] || "";
  }

  var banner = document.createElement("div");
  banner.id = "degraded-banner";
  banner.className = "degraded-banner";
  banner.setAttribute("role", "alert");
  banner.hidden = true;
  banner.style.cssText = "background:#8d6e00;color:#fff;font-weight:600;padding:.4rem .8rem;";
  var bar = document.querySelector("header.bar");
  if (bar && bar.parentNode) {
    bar.parentNode.insertBefore(banner, bar.nextSibling);
  } else {
    document.body.insertBefore(banner, document.body.firstChild);
  }

  var state = "ok";  // ok | live | database
  var timer = null;

  function consoleApi() {
    return window.vigilConsole || null;
  }

  function reload() {
    var api = consoleApi();
    if (!api) return;
    if (typeof api.reload === "function") {
      var done = api.reload();
      if (done && typeof done.catch === "function") done.catch(function () {});
    }
    if (api.panel && typeof api.panel.openId === "function" && api.panel.openId() !== null &&
        typeof api.panel.reload === "function") {
      api.panel.reload();
    }
  }

  function badge(degraded) {
    var status = document.getElementById("live-status");
    var api = consoleApi();
    var strings = (window.VIGIL && window.VIGIL.strings) || {};
    if (!status) return;
    if (degraded) {
      status.className = "status disconnected degraded";
      status.textContent = text("badge");
    } else if (status.classList.contains("degraded")) {  // put back what the socket says
      var connected = api && api.socket && api.socket.connected;
      status.className = "status " + (connected ? "connected" : "disconnected");
      status.textContent = strings[connected ? "connected" : "disconnected"] || "";
    }
  }

  function show(next) {
    var before = state;
    state = next;
    banner.hidden = next === "ok";
    banner.textContent = next === "ok" ? "" : text(next);
    document.body.setAttribute("data-degraded", next === "ok" ? "" : next);
    badge(next !== "ok");
    if (next === "live") {
      reload();  // the database is the truth: keep the list current while nothing is pushed
    } else if (next === "ok" && before !== "ok") {
      reload();  // pushes made while degraded were lost
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, state === "ok" ? NORMAL_MS : DEGRADED_MS);
  }

  function check() {
    fetch(healthUrl, { cache: "no-store", credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (health) {
        if (health.database && health.database.ok === false) {
          show("database");
        } else if (health.live && health.live.ok === false) {
          show("live");
        } else {
          show("ok");
        }
      }, function () {
        // no answer at all: the server itself is away, which the socket's own status already says
      })
      .then(schedule, schedule);
  }

  var api = consoleApi();
  if (api && api.socket && typeof api.socket.on === "function") {
    api.socket.on("connect", function () { check(); });  // a reconnect is a good moment to look again
  }
  window.vigilDegraded = { check: check, state: function () { return state; } };
  check();
})();

// The feeds page: one row per feed, refreshed from the API on (re)connect and updated live.
(function () {
  "use strict";
  var cfg = window.VIGIL;
  var S = cfg.strings;
  var body = document.querySelector("#feeds tbody");
  var empty = document.getElementById("no-feeds");
  var rows = new Map();
  var when = new Intl.DateTimeFormat(cfg.locale, {
    timeZone: cfg.timeZone, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    second: "2-digit", hour12: false
  });

  function time(iso) { return iso ? when.format(new Date(iso)) : S.never; }

  function seconds(value) {
    if (value === null || value === undefined) return "";
    if (value < 120) return Math.round(value) + " s";
    if (value < 7200) return Math.round(value / 60) + " min";
    return Math.round(value / 3600) + " h";
  }

  function cell(text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function render(feed) {
    var tr = rows.get(feed.source) || document.createElement("tr");
    var status = S.status[feed.last_status || "none"] || feed.last_status;
    if (feed.silent_since) status = S.silent_since.replace("%(time)s", time(feed.silent_since));
    tr.className = feed.silent_since ? "silent" : (feed.last_status === "error" ? "failing" : "");
    tr.dataset.source = feed.source;
    tr.replaceChildren(
      cell(feed.source), cell(feed.format || ""), cell(status, "status-cell"),
      cell(time(feed.last_attempt_at)), cell(time(feed.last_success_at)), cell(time(feed.last_event_at)),
      cell(String(feed.accepted_total)), cell(String(feed.duplicate_total)), cell(String(feed.rejected_total)),
      cell(seconds(feed.lag_seconds)), cell(seconds(feed.heartbeat_seconds)));
    if (feed.last_error) tr.title = feed.last_error;
    if (!rows.has(feed.source)) {
      rows.set(feed.source, tr);
      body.appendChild(tr);
    }
    empty.hidden = rows.size > 0;
  }

  function merge(health) {
    var known = rows.get(health.source);
    var previous = known ? known._feed : {};
    var feed = Object.assign({}, previous, health);
    if (health.heartbeat_seconds === null && previous.heartbeat_seconds) feed.heartbeat_seconds = previous.heartbeat_seconds;
    render(feed);
    rows.get(health.source)._feed = feed;
  }

  function reload() {
    return fetch(cfg.feedsUrl).then(function (r) { return r.json(); }).then(function (data) {
      data.feeds.forEach(merge);
      empty.hidden = rows.size > 0;
    });
  }

  var socket = io("/live", { transports: ["websocket", "polling"] });
  socket.on("connect", reload);
  ["feed_health", "feed_silent", "feed_recovered"].forEach(function (name) { socket.on(name, merge); });
})();

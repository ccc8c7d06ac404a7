// The console's live behaviour: load open incidents, then apply pushes from /live.
// Every (re)connect reloads the list from the API, so a console that was away
// misses nothing: Socket.IO only says "something changed", the database is the truth.
(function () {
  "use strict";
  var cfg = window.VIGIL;
  var S = cfg.strings;
  var map = window[cfg.mapName];
  var realtime = window[cfg.realtimeName];
  // Plain-text attribution: no link out of a closed network, no flag on a government screen.
  if (map.attributionControl) map.attributionControl.setPrefix("Leaflet");
  var OPEN = { "new": true, "acknowledged": true, "responding": true };
  var incidents = new Map();
  var listEl = document.getElementById("incident-list");
  var emptyEl = document.getElementById("empty-list");
  var statusEl = document.getElementById("live-status");
  var countEl = document.getElementById("open-count");
  var timeFormat = new Intl.DateTimeFormat(cfg.locale, {
    timeZone: cfg.timeZone, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false
  });

  function setStatus(kind) {
    statusEl.className = "status " + kind;
    statusEl.textContent = S[kind];
  }

  function formatTime(iso) {
    return iso ? timeFormat.format(new Date(iso)) : "";
  }

  function itemFor(feature) {
    var p = feature.properties;
    var li = document.createElement("li");
    li.dataset.id = String(feature.id);
    li.dataset.severity = p.severity;
    li.tabIndex = 0;
    var dot = document.createElement("span");
    dot.className = "sev sev-" + p.severity;
    dot.title = S.severity[p.severity] || p.severity;
    var text = document.createElement("div");
    var headline = document.createElement("div");
    headline.className = "headline";
    if (p.drill) {
      var tag = document.createElement("span");
      tag.className = "drill-tag";
      tag.textContent = S.drill;
      headline.appendChild(tag);
    }
    headline.appendChild(document.createTextNode(p.headline));  // feed text: never HTML
    var meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = [S.severity[p.severity] || p.severity, p.source,
                        formatTime(p.occurred_at || p.received_at),
                        feature.geometry ? "" : S.no_position].filter(Boolean).join(" · ");
    text.appendChild(headline);
    text.appendChild(meta);
    li.appendChild(dot);
    li.appendChild(text);
    li.addEventListener("click", function () { focus(feature.id); });
    li.addEventListener("keydown", function (e) { if (e.key === "Enter") focus(feature.id); });
    return li;
  }

  function focus(id) {
    var layer = realtime.getLayer(id);
    if (!layer) return;
    var container = realtime.options.container;
    if (container && container.zoomToShowLayer) {
      container.zoomToShowLayer(layer, function () { layer.openPopup(); });
    } else {
      map.setView(layer.getLatLng(), Math.max(map.getZoom(), 8));
      layer.openPopup();
    }
  }

  function sortKey(feature) {
    return feature.properties.updated_at || feature.properties.received_at || "";
  }

  function renderList() {
    var features = Array.from(incidents.values()).sort(function (a, b) {
      return sortKey(a) < sortKey(b) ? 1 : -1;
    });
    var existing = new Map();
    Array.prototype.forEach.call(listEl.children, function (li) { existing.set(li.dataset.id, li); });
    var fragment = document.createDocumentFragment();
    features.forEach(function (f) { fragment.appendChild(existing.get(String(f.id)) || itemFor(f)); });
    listEl.replaceChildren(fragment);
    emptyEl.hidden = features.length > 0;
    countEl.textContent = S.open_count.replace("%(n)s", String(features.length));
  }

  function apply(feature, fresh) {
    var id = String(feature.id);
    var old = listEl.querySelector('li[data-id="' + id + '"]');
    if (old) old.remove();  // rebuilt from the new version
    if (OPEN[feature.properties.status]) {
      incidents.set(id, feature);
      if (feature.geometry) realtime.update(feature); else if (realtime.getLayer(feature.id)) realtime.remove(feature);
    } else {
      incidents.delete(id);
      if (realtime.getLayer(feature.id)) realtime.remove(feature);
    }
    renderList();
    if (fresh) {
      var li = listEl.querySelector('li[data-id="' + id + '"]');
      if (li) li.classList.add("fresh");
    }
  }

  function reload() {
    return fetch(cfg.incidentsUrl, { headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (collection) {
        var stale = [];
        incidents.forEach(function (f) { if (realtime.getLayer(f.id)) stale.push(f); });
        if (stale.length) realtime.remove({ type: "FeatureCollection", features: stale });
        incidents.clear();
        listEl.replaceChildren();
        var placed = [];
        collection.features.forEach(function (f) {
          incidents.set(String(f.id), f);
          if (f.geometry) placed.push(f);
        });
        if (placed.length) realtime.update({ type: "FeatureCollection", features: placed });
        renderList();
      });
  }

  // Silent feeds: a red line per feed across the top until it speaks again.
  var alertsEl = document.getElementById("feed-alerts");
  function showSilence(health) {
    var id = "silent-" + health.source;
    var existing = document.getElementById(id);
    if (!health.silent_since) { if (existing) existing.remove(); return; }
    var li = existing || document.createElement("li");
    li.id = id;
    li.textContent = S.feed_silent.replace("%(source)s", health.source)
                                  .replace("%(time)s", formatTime(health.silent_since));
    if (!existing) alertsEl.appendChild(li);
  }
  function reloadFeeds() {
    return fetch(cfg.feedsUrl).then(function (r) { return r.json(); })
      .then(function (data) { alertsEl.replaceChildren(); data.feeds.forEach(showSilence); });
  }

  var socket = io("/live", { transports: ["websocket", "polling"] });
  socket.on("feed_silent", showSilence);
  socket.on("feed_recovered", showSilence);
  socket.on("connect", function () {
    reloadFeeds().catch(function () {});
    reload().then(function () { setStatus("connected"); }, function () { setStatus("disconnected"); });
  });
  socket.on("disconnect", function () { setStatus("disconnected"); });
  socket.io.on("reconnect_attempt", function () { setStatus("disconnected"); });
  socket.on("incident", function (feature) { apply(feature, true); });
  window.vigilConsole = { incidents: incidents, socket: socket, reload: reload };
  renderList();
})();

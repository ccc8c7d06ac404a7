// The console's live behaviour: load incidents, then apply pushes from /live.
// Every (re)connect reloads the list from the API, so a console that was away
// misses nothing: Socket.IO only says "something changed", the database is the truth.
// Filters apply to the list, the markers and pushes alike: everything loaded or pushed is
// kept in memory, only what matches is shown. A push touches only its own list item: it is
// removed and put back at its place in the sort order (binary search), so a push costs the
// same with 10,000 incidents open as with ten.
(function () {
  "use strict";
  var cfg = window.VIGIL;
  var S = cfg.strings;
  var map = window[cfg.mapName];
  var realtime = window[cfg.realtimeName];
  // Plain-text attribution: no link out of a closed network, no flag on a government screen.
  if (map.attributionControl) map.attributionControl.setPrefix("Leaflet");
  var OPEN = { "new": true, "acknowledged": true, "responding": true };
  var ALL_STATUSES = ["new", "acknowledged", "responding", "resolved", "closed"];
  var incidents = new Map();  // id -> Feature, everything loaded or pushed
  var shown = [];             // the sort entries ({t, n, id}) of the listed incidents, newest change first
  var entries = new Map();    // id -> its entry in shown
  var items = new Map();      // id -> its list item
  var openCount = 0;
  var sourceCounts = new Map();  // feed name -> incidents held from it (for the source filter)
  var listEl = document.getElementById("incident-list");
  var emptyEl = document.getElementById("empty-list");
  var statusEl = document.getElementById("live-status");
  var countEl = document.getElementById("open-count");
  var hiddenEl = document.getElementById("hidden-count");
  var timeFormat = new Intl.DateTimeFormat(cfg.locale, {
    timeZone: cfg.timeZone, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false
  });
  var fullFormat = new Intl.DateTimeFormat(cfg.locale, {
    timeZone: cfg.timeZone, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
  });

  function setStatus(kind) {
    statusEl.className = "status " + kind;
    statusEl.textContent = S[kind];
  }

  function formatTime(iso) {
    return iso ? timeFormat.format(new Date(iso)) : "";
  }

  function formatFull(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    if (isNaN(d.getTime())) return String(iso);
    // 2026-11-24 03:00:00 in the duty room's zone, the same in every language.
    var parts = {};
    fullFormat.formatToParts(d).forEach(function (part) { parts[part.type] = part.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute + ":" + parts.second;
  }

  // ---- filters ---------------------------------------------------------------------------

  var filtersEl = document.getElementById("filters");
  var sourceEl = document.getElementById("filter-source");
  var searchEl = document.getElementById("filter-q");

  function checked(name) {
    var values = {};
    Array.prototype.forEach.call(filtersEl.querySelectorAll('input[name="' + name + '"]'), function (box) {
      if (box.checked) values[box.value] = true;
    });
    return values;
  }

  var filter = readFilters();
  function readFilters() {
    return {
      source: sourceEl.value,
      severity: checked("severity"),
      grade: checked("grade"),
      status: checked("status"),
      q: searchEl.value.trim().toLowerCase()
    };
  }

  function matches(feature) {
    var p = feature.properties;
    if (filter.source && p.source !== filter.source) return false;
    if (!filter.severity[S.severity[p.severity] ? p.severity : "unknown"]) return false;
    if (!filter.grade[p.grade || "none"]) return false;
    if (!filter.status[p.status]) return false;
    if (filter.q) {
      var text = [p.headline, p.event, p.address].filter(Boolean).join(" ").toLowerCase();
      if (text.indexOf(filter.q) < 0) return false;
    }
    return true;
  }

  // Statuses beyond the open ones are not in the default list: ask the API for them.
  function statusQuery() {
    var wanted = ALL_STATUSES.filter(function (s) { return filter.status[s]; });
    var onlyOpen = wanted.every(function (s) { return OPEN[s]; });
    return onlyOpen ? "" : wanted.join(",");
  }

  function fillSources() {
    var seen = {};
    sourceCounts.forEach(function (_n, source) { seen[source] = true; });
    if (filter.source) seen[filter.source] = true;
    var names = Object.keys(seen).sort();
    var current = Array.prototype.slice.call(sourceEl.options, 1).map(function (o) { return o.value; });
    if (current.join("\n") === names.join("\n")) return;
    var keep = sourceEl.value;
    while (sourceEl.options.length > 1) sourceEl.remove(1);
    names.forEach(function (name) {
      var option = document.createElement("option");
      option.value = name;
      option.textContent = name;  // feed-supplied: text only
      sourceEl.appendChild(option);
    });
    sourceEl.value = keep;
  }

  var searchTimer = null;
  filtersEl.addEventListener("input", function (e) {
    if (e.target === searchEl) {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(filtersChanged, 200);
    }
  });
  filtersEl.addEventListener("change", function (e) { if (e.target !== searchEl) filtersChanged(); });
  filtersEl.addEventListener("submit", function (e) { e.preventDefault(); filtersChanged(); });

  function filtersChanged() {
    var before = statusQuery();
    filter = readFilters();
    if (statusQuery() !== before) {
      reload().catch(function () { setStatus("disconnected"); });
    } else {
      syncMarkers();
      renderList();
    }
  }

  // ---- list and markers ------------------------------------------------------------------

  function itemFor(feature) {
    var p = feature.properties;
    var li = document.createElement("li");
    li.dataset.id = String(feature.id);
    li.dataset.severity = p.severity;
    li.dataset.status = p.status;
    li.tabIndex = 0;
    var dot = document.createElement("span");
    dot.className = "sev sev-" + p.severity;
    dot.title = S.severity[p.severity] || p.severity;
    var text = document.createElement("div");
    text.className = "text";
    var headline = document.createElement("div");
    headline.className = "headline";
    if (p.drill) {
      var tag = document.createElement("span");
      tag.className = "drill-tag";
      tag.textContent = S.drill;
      headline.appendChild(tag);
    }
    if (p.sensitive) {
      var flag = document.createElement("span");
      flag.className = "sensitive-tag";
      flag.textContent = S.sensitive;
      headline.appendChild(flag);
    }
    headline.appendChild(document.createTextNode(p.headline));  // feed text: never HTML
    var meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = ["#" + feature.id, S.statuses[p.status] || p.status,
                        S.severity[p.severity] || p.severity,
                        p.grade ? S.grade_short.replace("%(grade)s", p.grade) : "", p.source,
                        formatTime(p.occurred_at || p.received_at),
                        feature.geometry ? "" : S.no_position].filter(Boolean).join(" · ");
    text.appendChild(headline);
    text.appendChild(meta);
    var details = document.createElement("button");
    details.type = "button";
    details.className = "details";
    details.textContent = S.details;
    details.addEventListener("click", function (e) { e.stopPropagation(); panel.open(feature.id); });
    li.appendChild(dot);
    li.appendChild(text);
    li.appendChild(details);
    li.addEventListener("click", function () { focus(feature.id); panel.open(feature.id); });
    li.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && e.target === li) { focus(feature.id); panel.open(feature.id); }
    });
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

  // The list's order is the API's: last change first, then the higher id.
  function entryFor(feature) {
    var p = feature.properties;
    var t = Date.parse(p.updated_at || p.received_at || "");
    return { t: isNaN(t) ? 0 : t, n: Number(feature.id), id: String(feature.id) };
  }

  function sortsBefore(a, b) {
    return a.t > b.t || (a.t === b.t && a.n > b.n);
  }

  // The first place in shown whose entry does not sort before ``entry``.
  function position(entry) {
    var lo = 0, hi = shown.length;
    while (lo < hi) {
      var mid = (lo + hi) >>> 1;
      if (sortsBefore(shown[mid], entry)) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  function unlist(id) {
    var entry = entries.get(id);
    if (!entry) return;
    var at = position(entry);
    if (shown[at] !== entry) at = shown.indexOf(entry);  // never expected: keys are unique
    shown.splice(at, 1);
    entries.delete(id);
    items.get(id).remove();
    items.delete(id);
  }

  function list(feature) {
    var entry = entryFor(feature);
    var at = position(entry);
    var li = itemFor(feature);
    var next = shown[at];
    shown.splice(at, 0, entry);
    entries.set(entry.id, entry);
    items.set(entry.id, li);
    listEl.insertBefore(li, next ? items.get(next.id) : null);
    return li;
  }

  function counted(feature, step) {  // keep the open count and the source names in step with incidents
    var p = feature.properties;
    if (OPEN[p.status]) openCount += step;
    if (!p.source) return false;
    var n = (sourceCounts.get(p.source) || 0) + step;
    if (n > 0) sourceCounts.set(p.source, n); else sourceCounts.delete(p.source);
    return n === 0 || (n === 1 && step > 0);  // a source name appeared or went
  }

  function showCounts() {
    emptyEl.hidden = shown.length > 0;
    countEl.textContent = S.open_count.replace("%(n)s", String(openCount));
    var hidden = incidents.size - shown.length;
    hiddenEl.textContent = hidden ? S.hidden_count.replace("%(n)s", String(hidden)) : "";
  }

  // The whole list again: after a load or a filter change. Items already built are reused.
  function renderList() {
    var features = [];
    openCount = 0;
    sourceCounts.clear();
    incidents.forEach(function (f) {
      counted(f, 1);
      if (matches(f)) features.push(f);
    });
    shown = features.map(entryFor).sort(function (a, b) { return sortsBefore(a, b) ? -1 : 1; });
    var built = items;
    entries = new Map();
    items = new Map();
    var fragment = document.createDocumentFragment();
    shown.forEach(function (entry) {
      var li = built.get(entry.id) || itemFor(incidents.get(entry.id));
      entries.set(entry.id, entry);
      items.set(entry.id, li);
      fragment.appendChild(li);
    });
    listEl.replaceChildren(fragment);
    showCounts();
    fillSources();
  }

  // Put one incident's marker in line with the filters.
  function syncMarker(feature) {
    if (feature.geometry && matches(feature)) realtime.update(feature);
    else if (realtime.getLayer(feature.id)) realtime.remove(feature);
  }

  function syncMarkers() {
    var show = [], hide = [];
    incidents.forEach(function (f) {
      if (f.geometry && matches(f)) show.push(f);
      else if (realtime.getLayer(f.id)) hide.push(f);
    });
    if (hide.length) realtime.remove({ type: "FeatureCollection", features: hide });
    if (show.length) realtime.update({ type: "FeatureCollection", features: show });
  }

  // One incident changed: its item leaves the list and, if it still matches, comes back
  // rebuilt at its place in the order. Nothing else in the list is touched.
  function apply(feature, fresh) {
    var id = String(feature.id);
    var old = incidents.get(id);
    var sourcesMoved = old ? counted(old, -1) : false;
    unlist(id);
    if (feature.properties.merged_into) {  // shown through the incident it joined
      incidents.delete(id);
      if (realtime.getLayer(feature.id)) realtime.remove(feature);
    } else {
      incidents.set(id, feature);
      sourcesMoved = counted(feature, 1) || sourcesMoved;
      syncMarker(feature);
      if (matches(feature)) {
        var li = list(feature);
        if (fresh) li.classList.add("fresh");
      }
    }
    showCounts();
    if (sourcesMoved) fillSources();
  }

  function reload() {
    var status = statusQuery();
    var url = cfg.incidentsUrl + (status ? "?status=" + encodeURIComponent(status) : "");
    return fetch(url, { headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (collection) {
        var stale = [];
        incidents.forEach(function (f) { if (realtime.getLayer(f.id)) stale.push(f); });
        if (stale.length) realtime.remove({ type: "FeatureCollection", features: stale });
        incidents.clear();
        items.clear();  // every item is rebuilt from what the API says now
        listEl.replaceChildren();
        collection.features.forEach(function (f) { incidents.set(String(f.id), f); });
        syncMarkers();
        renderList();
      });
  }

  // ---- alerts: a tone and a notification for a new severe incident -----------------------

  var alertButton = document.getElementById("enable-alerts");
  var audio = null;
  var alerted = new Set();
  var alertCount = 0;

  function audioContext() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    if (!audio) audio = new Ctx();
    if (audio.state === "suspended") audio.resume().catch(function () {});
    return audio;
  }

  function tone() {
    var ac = audioContext();
    if (!ac) return;
    var start = ac.currentTime + 0.02;
    [0, 0.28].forEach(function (offset, i) {  // two short beeps, the second higher
      var osc = ac.createOscillator();
      var gain = ac.createGain();
      osc.type = "sine";
      osc.frequency.value = i ? 1175 : 880;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.3, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.22);
      osc.connect(gain).connect(ac.destination);
      osc.start(start + offset);
      osc.stop(start + offset + 0.25);
    });
  }

  function notificationsGranted() {
    return "Notification" in window && window.Notification.permission === "granted";
  }

  function showAlertState() {
    var granted = notificationsGranted();
    alertButton.textContent = granted ? S.alerts_on : S.enable_alerts;
    alertButton.setAttribute("aria-pressed", granted ? "true" : "false");
    alertButton.classList.toggle("on", granted);
  }

  alertButton.addEventListener("click", function () {
    audioContext();  // a click is the gesture browsers want before sound
    if (!("Notification" in window)) { alertButton.textContent = S.alerts_sound_only; return; }
    if (window.Notification.permission === "denied") { alertButton.textContent = S.alerts_blocked; return; }
    Promise.resolve(window.Notification.requestPermission()).then(showAlertState, showAlertState);
  });
  // Any click on the page unlocks sound for later pushes.
  document.addEventListener("click", function unlock() {
    if (window.AudioContext || window.webkitAudioContext) audioContext();
    document.removeEventListener("click", unlock);
  });

  function isAlarming(feature, known) {
    var p = feature.properties;
    return !known && !p.drill && p.status === "new" && !p.merged_into &&
      (p.severity === "extreme" || p.severity === "severe") && !alerted.has(String(feature.id));
  }

  function raiseAlert(feature) {
    var p = feature.properties;
    alerted.add(String(feature.id));
    alertCount += 1;
    window.vigilConsole.alertCount = alertCount;
    try { tone(); } catch (e) { /* no audio device */ }
    if (notificationsGranted()) {
      try {
        var note = new window.Notification(S.notify_title.replace("%(severity)s", S.severity[p.severity]), {
          body: String(p.headline || p.event || ""), tag: "vigil-incident-" + feature.id
        });
        note.onclick = function () { window.focus(); panel.open(feature.id); note.close(); };
      } catch (e) { /* some browsers only notify from a service worker */ }
    }
  }

  // ---- silent feeds: a red line per feed across the top until it speaks again ------------

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

  // ---- overdue escalations: a line each across the top until the escalation moves on ------
  // The auditor pushes "escalation_overdue" when a step is late (the worker died, the clock jumped);
  // a later "escalation" push with another due time, an answer or an end clears the line. On every
  // (re)connect the lines are rebuilt from the API, so one raised while this console was away shows.

  var escalationAlertsEl = document.getElementById("escalation-alerts");
  var overdue = new Map();  // escalation id -> {esc: as raised, at: when this console learnt of it}
  var clock = new Intl.DateTimeFormat(cfg.locale, {
    timeZone: cfg.timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === undefined || values[key] === null ? "" : String(values[key]);
    });
  }

  // Still worth a line: active and unanswered, and overdue as the server says (the API's "overdue"),
  // or, for a push, still at the due time the auditor raised.
  function stillOverdue(esc, raised) {
    if (esc.state !== "active" || esc.acknowledged_at) return false;
    if (typeof esc.overdue === "boolean") return esc.overdue;
    return !!raised && Date.parse(esc.due_at) === Date.parse(raised.due_at);
  }

  function overdueLine(esc) {
    var id = "overdue-" + esc.id;
    var li = document.getElementById(id) || document.createElement("li");
    li.id = id;
    li.dataset.escalation = String(esc.id);
    li.dataset.incident = String(esc.incident_id);
    var open = document.createElement("button");
    open.type = "button";
    open.className = "overdue-open";
    var due = new Date(esc.due_at);
    open.textContent = fill(S.escalation_overdue, {
      id: esc.id, incident: esc.incident_id, step: esc.step + 1, steps: esc.steps,
      time: isNaN(due.getTime()) ? "" : clock.format(due)
    });
    if (esc.headline) open.appendChild(document.createTextNode(" — " + esc.headline));  // feed text: never HTML
    open.addEventListener("click", function () { panel.open(esc.incident_id); });
    li.replaceChildren(open);
    return li;
  }

  function showOverdue() {
    var lines = [];
    overdue.forEach(function (item) { lines.push(overdueLine(item.esc)); });
    escalationAlertsEl.replaceChildren.apply(escalationAlertsEl, lines);
    window.vigilConsole.overdue = Array.from(overdue.keys());
  }

  function escalationOverdue(esc) {  // the auditor found its step late
    if (esc.state !== "active" || esc.acknowledged_at) return;
    var known = overdue.has(String(esc.id));
    overdue.set(String(esc.id), { esc: esc, at: Date.now() });
    showOverdue();
    if (!known) { try { tone(); } catch (e) { /* no audio device */ } }
  }

  function escalationChanged(esc) {  // it started, moved on, was answered or ended
    var item = overdue.get(String(esc.id));
    if (!item) return;
    if (stillOverdue(esc, item.esc)) overdue.set(String(esc.id), { esc: esc, at: item.at });
    else overdue.delete(String(esc.id));
    showOverdue();
  }

  function reloadOverdue() {
    var asked = Date.now();
    return fetch(cfg.escalationsUrl + "?overdue=true", { headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (answer) {
        var fresh = new Map();
        overdue.forEach(function (item, id) { if (item.at > asked) fresh.set(id, item); });  // pushed meanwhile
        answer.escalations.forEach(function (esc) {
          if (!fresh.has(String(esc.id)) && stillOverdue(esc)) fresh.set(String(esc.id), { esc: esc, at: asked });
        });
        overdue = fresh;
        showOverdue();
      });
  }

  // ---- reports due (待报送): the open and missed report obligations, soonest first ---------
  // Loaded on every (re)connect and refetched when the duty log says an obligation was created,
  // filed, late or missed. The countdown ticks on this console's clock, corrected by the server's
  // "now" of the last answer, so a console whose clock is off still counts to the server's deadline.

  var dueEl = document.getElementById("reports-due");
  var dueListEl = document.getElementById("reports-due-list");
  var dueCountEl = document.getElementById("reports-due-count");
  var dueToggle = document.getElementById("reports-due-toggle");
  var DUE_COLLAPSED_KEY = "vigil.reportsDue.collapsed";
  var DUE_KINDS = { "incident_graded": true, "report_filed": true, "report_late": true, "report_missed": true };
  var dueItems = [];       // the obligations as /reports/due lists them
  var serverOffset = 0;    // server clock − this console's clock, in ms
  var dueTimer = null;
  var dayFormat = new Intl.DateTimeFormat("en-CA", {
    timeZone: cfg.timeZone, year: "numeric", month: "2-digit", day: "2-digit"
  });

  var dueIsCollapsed = false;  // the operator's choice, kept for the next page load when the browser allows
  try { dueIsCollapsed = window.localStorage.getItem(DUE_COLLAPSED_KEY) === "1"; } catch (e) { /* private mode */ }

  function setDueCollapsed(collapsed) {
    dueIsCollapsed = collapsed;
    try { window.localStorage.setItem(DUE_COLLAPSED_KEY, collapsed ? "1" : "0"); } catch (e) { /* private mode */ }
    dueToggle.setAttribute("aria-expanded", collapsed ? "false" : "true");
    dueEl.classList.toggle("collapsed", collapsed);
    dueListEl.hidden = collapsed;
  }

  dueToggle.addEventListener("click", function () { setDueCollapsed(!dueIsCollapsed); });

  // The due time in the duty room's zone: HH:MM today there, with the date on another day.
  function dueTime(iso, now) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    return dayFormat.format(d) === dayFormat.format(new Date(now)) ? clock.format(d) : timeFormat.format(d);
  }

  function countdown(ms) {  // 29:41, 1:05:12
    var total = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(total / 3600), m = Math.floor(total % 3600 / 60), sec = total % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return h ? h + ":" + pad(m) + ":" + pad(sec) : pad(m) + ":" + pad(sec);
  }

  // What is left of an obligation's time, or how long it is overdue (whole minutes, rounded up).
  function remaining(item, now) {
    var left = Date.parse(item.due_at) - now;
    if (left > 0 && item.status === "open") {
      return { overdue: false, text: fill(S.time_left, { time: countdown(left) }) };
    }
    return { overdue: true, text: fill(S.overdue_by, { n: Math.max(1, Math.ceil(-left / 60000)) }) };
  }

  function dueLine(item, now) {
    var li = document.createElement("li");
    li.dataset.obligation = String(item.id);
    li.dataset.incident = String(item.incident_id);
    li.dataset.channel = item.channel;
    li.dataset.status = item.status;
    var open = document.createElement("button");
    open.type = "button";
    open.className = "report-due-open";
    var parts = [["report-due-incident", "#" + item.incident_id],
                 ["report-due-headline", item.headline || ""],  // feed text: never HTML
                 ["report-due-channel", S.report_channels[item.channel] || item.channel],
                 ["report-due-time", fill(S.due_time, { time: dueTime(item.due_at, now) })]];
    if (item.status === "missed") parts.push(["report-due-missed", S.obligation_statuses.missed]);
    parts.push(["report-due-left", ""]);
    parts.forEach(function (part) {
      var span = document.createElement("span");
      span.className = part[0];
      span.textContent = part[1];
      open.appendChild(span);
    });
    open.title = item.headline || "";
    open.addEventListener("click", function () { panel.open(item.incident_id); });
    li.appendChild(open);
    return li;
  }

  function tickDue() {
    var now = Date.now() + serverOffset;
    Array.prototype.forEach.call(dueListEl.children, function (li, i) {
      var item = dueItems[i];
      if (!item) return;
      var left = remaining(item, now);
      var span = li.querySelector(".report-due-left");
      if (span.textContent !== left.text) span.textContent = left.text;
      li.classList.toggle("overdue", left.overdue);
      li.classList.toggle("missed", item.status === "missed");
    });
  }

  function showDue() {
    var now = Date.now() + serverOffset;
    var focused = document.activeElement && dueListEl.contains(document.activeElement)
      ? document.activeElement.closest("li").dataset.obligation : null;
    dueListEl.replaceChildren.apply(dueListEl, dueItems.map(function (item) { return dueLine(item, now); }));
    if (focused) {  // a refresh must not take the keyboard's place
      var again = dueListEl.querySelector('li[data-obligation="' + focused + '"] button');
      if (again) again.focus({ preventScroll: true });
    }
    var missed = dueItems.filter(function (item) { return item.status === "missed"; }).length;
    dueCountEl.textContent = String(dueItems.length) + (missed ? " · " + fill(S.missed_count, { n: missed }) : "");
    dueEl.classList.toggle("has-missed", missed > 0);
    dueEl.hidden = !dueItems.length;
    tickDue();
    clearInterval(dueTimer);
    dueTimer = dueItems.length ? setInterval(tickDue, 1000) : null;
    if (window.vigilConsole) window.vigilConsole.reportsDue = dueItems.map(function (item) { return item.id; });
  }

  // One request at a time; asked again meanwhile, once more when it is done.
  var dueLoading = null, dueAgain = false;
  function reloadDue() {
    if (!cfg.reportsDueUrl) return Promise.resolve();  // this role may not read what is due: no strip
    if (dueLoading) { dueAgain = true; return dueLoading; }
    var asked = Date.now();
    dueLoading = fetch(cfg.reportsDueUrl + "?status=open,missed", { headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (r.status === 401 || r.status === 403) { dueItems = []; showDue(); return null; }
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (answer) {
        if (!answer) return;
        var server = Date.parse(answer.now);
        if (!isNaN(server)) serverOffset = server - (asked + Date.now()) / 2;
        dueItems = answer.obligations || [];
        showDue();
      })
      .catch(function () { /* kept as it was; the next push or reconnect retries */ })
      .then(function () {
        dueLoading = null;
        if (dueAgain) { dueAgain = false; return reloadDue(); }
      });
    return dueLoading;
  }

  // A duty-log entry that creates, discharges or misses an obligation.
  function touchesReports(entry) {
    if (DUE_KINDS[entry.kind]) return true;
    return entry.kind === "incident_updated" && !!(entry.data && entry.data.obligations);
  }

  setDueCollapsed(dueIsCollapsed);

  // ---- the panel -------------------------------------------------------------------------

  var panel = window.vigilPanelKit({
    cfg: cfg, strings: S, formatFull: formatFull,
    known: function (id) { return incidents.get(String(id)) || null; },
    onLoaded: function (feature) {  // the panel saw a newer version: keep list and map in step
      var known = incidents.get(String(feature.id));
      if (!known || known.properties.version <= feature.properties.version) {
        apply({ type: "Feature", id: feature.id, geometry: feature.geometry,
                properties: feature.properties }, false);
      }
    }
  });
  var cluster = realtime.options.container || realtime;
  cluster.on("click", function (e) {
    if (e.layer && e.layer.feature) panel.open(e.layer.feature.id);
  });

  // ---- live channel ----------------------------------------------------------------------

  var socket = io("/live", { transports: ["websocket", "polling"] });
  socket.on("feed_silent", showSilence);
  socket.on("feed_recovered", showSilence);
  socket.on("connect", function () {
    reloadFeeds().catch(function () {});
    reloadDue();
    reloadOverdue().catch(function () {});
    reload().then(function () { setStatus("connected"); }, function () { setStatus("disconnected"); });
    if (panel.openId() !== null) panel.reload();  // keep the panel open, with what changed meanwhile
  });
  socket.on("disconnect", function () { setStatus("disconnected"); });
  socket.io.on("reconnect_attempt", function () { setStatus("disconnected"); });
  socket.on("incident", function (feature) {
    var known = incidents.has(String(feature.id));
    apply(feature, true);
    if (isAlarming(feature, known)) raiseAlert(feature);
    panel.pushed(feature);
  });
  socket.on("correlation", function (proposal) { panel.proposed(proposal); });
  socket.on("escalation_overdue", function (esc) { escalationOverdue(esc); panel.escalated(esc); });
  socket.on("escalation", function (esc) { escalationChanged(esc); panel.escalated(esc); });
  socket.on("dutylog", function (entry) {
    if (touchesReports(entry)) reloadDue();
    panel.logged(entry);
  });
  window.vigilConsole = { incidents: incidents, socket: socket, panel: panel, matches: matches, alertCount: 0,
                          overdue: [], reportsDue: [], reloadDue: reloadDue,
                          // degraded mode reloads from the database: the reports due too
                          reload: function () { reloadDue(); return reload(); } };
  showAlertState();
  renderList();
})();

// The shift handover page: the draft Vigil builds, notes and settled items, then the two signatures.
// A signature lands in the duty log, which is pushed live, so the other officer's screen follows.
(function () {
  "use strict";
  var cfg = window.VIGIL;
  var S = cfg.strings;
  var $ = function (id) { return document.getElementById(id); };
  var actor = $("actor");
  var handover = null;
  var shiftId = cfg.shift || "";
  var when = new Intl.DateTimeFormat(cfg.locale, {
    timeZone: cfg.timeZone, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });

  var user = window.vigilSession.user;  // who signs (web/static/session.js)
  window.vigilSession.signAs(actor);

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key] === undefined || values[key] === null ? "" : values[key]; });
  }

  function time(iso) { return iso ? when.format(new Date(iso)) : ""; }
  function who(p) { return p ? p.display_name + " (" + p.username + ")" : S.nobody; }

  function request(method, url, payload) {
    var options = { method: method, headers: { "Content-Type": "application/json" } };
    if (payload !== undefined) options.body = JSON.stringify(payload);
    return fetch(url, options).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; });
    });
  }

  function errorText(body) {
    var known = S.errors[body.code];
    return known ? fill(known, { expected: (body.expected || []).join(", ") }) : (body.error || "");
  }

  function list(id, rows, total, line) {
    var ul = $(id);
    ul.replaceChildren();
    if (!rows.length) { ul.appendChild(el("li", "", S.none_listed)); return; }
    rows.forEach(function (row) { ul.appendChild(line(row)); });
    if (total > rows.length) ul.appendChild(el("li", "", fill(S.more, { count: total - rows.length })));
  }

  function render(shift, incoming, h) {
    handover = h;
    shiftId = String(shift.id);
    $("shift-title").textContent = fill(S.shift, { id: shift.id, start: time(shift.starts_at), end: time(shift.ends_at) });
    $("shift-people").textContent = fill(S.officer, { name: who(shift.duty_officer) }) + " · " +
      fill(S.leader, { name: who(shift.leader) });
    $("incoming").textContent = incoming
      ? fill(S.incoming, { id: incoming.id, start: time(incoming.starts_at), end: time(incoming.ends_at), name: who(incoming.duty_officer) })
      : S.no_incoming;
    $("log-link").href = cfg.api.dutylog + "?shift=" + shift.id;
    var state = h ? h.state : "none";
    $("state").textContent = fill(S.state[state], {
      name: h && h.outgoing_signed_by, time: time(h && (h.incoming_signed_at || h.outgoing_signed_at)),
      outgoing: h && h.outgoing_signed_by, incoming: h && h.incoming_signed_by
    });
    var d = h ? h.draft : { open_incidents: [], unacknowledged_escalations: [], reports_due: [], open_items: [], settled: {} };
    var editable = state === "draft";
    list("incidents", d.open_incidents, d.open_incidents_total || 0, function (i) {
      var li = el("li", "", fill(S.incident, { id: i.id, headline: i.headline, status: i.status, severity: i.severity,
                                               grade: i.grade ? ", " + i.grade : "" }));
      if (i.cap_status === "exercise" || i.cap_status === "test") li.prepend(el("strong", "", S.exercise + " "));
      return li;
    });
    list("escalations", d.unacknowledged_escalations, d.unacknowledged_escalations_total || 0, function (e) {
      return el("li", "", fill(S.escalation, { id: e.id, playbook: e.playbook, incident: e.incident_id,
                                               headline: e.headline, step: e.step }));
    });
    list("reports", d.reports_due, d.reports_due_total || 0, function (r) {
      var li = el("li", "", fill(S.report, { channel: r.channel, incident: r.incident_id, headline: r.headline,
                                             time: time(r.due_at) }));
      if (r.overdue) li.appendChild(el("span", "overdue", " " + S.overdue));
      return li;
    });
    list("open-items", d.open_items, d.open_items.length, function (item) { return openItem(item, d.settled || {}, editable); });
    var notes = $("notes");
    if (document.activeElement !== notes) notes.value = d.notes || "";
    notes.readOnly = !editable;
    $("save-notes").disabled = !editable;
    $("refresh").disabled = !editable;
    $("sign-outgoing").disabled = !editable;
    $("sign-incoming").disabled = state !== "outgoing_signed";
  }

  function openItem(item, settled, editable) {
    var li = el("li");
    li.dataset.key = item.key;
    var reasons = item.reasons.map(function (r) { return fill(S.reasons[r] || r, { owner: item.owner }); }).join("; ");
    li.appendChild(el("div", "", fill(S.item, { id: item.entry_id, time: time(item.occurred_at), summary: item.summary })
                                   + " — " + reasons));
    var mark = settled[item.key];
    if (mark) {
      var done = el("div", "settled", fill(S.settled, { by: mark.by, remark: mark.remark }));
      if (editable) {
        var reopen = el("button", "", S.unsettle);
        reopen.type = "button";
        reopen.addEventListener("click", function () { settle(item.key, null); });
        done.append(" ", reopen);
      }
      li.appendChild(done);
    } else if (editable) {
      var row = el("div", "settle");
      var label = el("label", "", S.settle);
      var remark = el("input");
      remark.type = "text";
      remark.maxLength = 500;
      label.appendChild(remark);
      var save = el("button", "", S.save);
      save.type = "button";
      save.addEventListener("click", function () { settle(item.key, remark.value.trim()); });
      row.append(label, save);
      li.appendChild(row);
    }
    return li;
  }

  function name() {
    var value = actor.value.trim();
    if (!value) { $("sign-error").textContent = S.name_first; actor.focus(); return null; }
    return value;
  }

  function settle(key, remark) {
    var who_ = name();
    if (!who_) return;
    var settled = {};
    settled[key] = remark;
    edit({ actor: who_, settled: settled });
  }

  function edit(payload) {
    $("sign-error").textContent = "";
    return request("POST", cfg.api.handovers + "/" + handover.id + "/notes", payload).then(function (r) {
      if (!r.ok) { $("sign-error").textContent = fill(S.failed, { error: errorText(r.body) }); return false; }
      load(false);
      return true;
    });
  }

  $("save-notes").addEventListener("click", function () {
    var who_ = name();
    if (!who_) return;
    edit({ actor: who_, notes: $("notes").value }).then(function (ok) { if (ok) $("notes-status").textContent = S.saved; });
  });

  function signAs(role) {
    var who_ = name();
    if (!who_ || !handover) return;
    $("sign-error").textContent = "";
    var payload = { role: role, actor: who_ };
    if (role === "outgoing") payload.digest = handover.digest;
    request("POST", cfg.api.handovers + "/" + handover.id + "/sign", payload).then(function (r) {
      if (!r.ok) {
        $("sign-error").textContent = fill(S.failed, { error: errorText(r.body) });
        if (r.body.code === "stale_draft") load(false);
        return;
      }
      load(false);
    });
  }

  $("sign-outgoing").addEventListener("click", function () { signAs("outgoing"); });
  $("sign-incoming").addEventListener("click", function () { signAs("incoming"); });
  $("refresh").addEventListener("click", function () { load(true); });

  // Load the shift due now (or ?shift=); draft its handover when none exists yet, refresh it when asked.
  function load(refresh) {
    var url = cfg.api.current + (shiftId ? "?shift=" + encodeURIComponent(shiftId) : "");
    return request("GET", url).then(function (r) {
      if (!r.ok) {
        $("problem").textContent = r.body.code === "no_shift" ? S.no_shift : errorText(r.body);
        $("problem").hidden = false;
        return;
      }
      $("problem").hidden = true;
      var body = r.body;
      var draftable = !body.shift.closed_at && (!body.handover || (refresh && body.handover.state === "draft"));
      if (!draftable) { render(body.shift, body.incoming_shift, body.handover); return; }
      return request("POST", cfg.api.handovers, { shift_id: body.shift.id }).then(function (d) {
        if (!d.ok) { $("problem").textContent = errorText(d.body); $("problem").hidden = false; return; }
        render(body.shift, body.incoming_shift, d.body);
      });
    });
  }

  var socket = io("/live", { transports: ["websocket", "polling"] });
  socket.on("connect", function () { $("offline").hidden = true; load(!handover); });
  socket.on("disconnect", function () { $("offline").textContent = S.disconnected; $("offline").hidden = false; });
  socket.on("dutylog", function (entry) {
    if (entry.kind === "handover" && handover && entry.data && entry.data.handover_id === handover.id) load(false);
  });
})();

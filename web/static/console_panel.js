// The incident panel: one incident with its events and timeline, and the operator's changes.
// Feed text (headlines, addresses, payloads) only ever reaches the page through textContent.
// Every change sends the version the operator saw; a stale one (409) reloads the panel.
// Editing takes an advisory lease ("being edited by") that other consoles show; it is renewed
// while the panel is open and given back when it closes. The version check stays the real guard.
// The panel also shows the incident's escalations (refetched on every "escalation" push for it) and
// its phone calls from the duty log (a "dutylog" push adds one), with a form to record a call, and its
// reporting (信息报送): the deadlines it owes and the reports filed (refetched when the duty log says an
// obligation was created, filed, late or missed), with a form to file the next report of the series.
window.vigilPanelKit = function (ctx) {
  "use strict";
  var S = ctx.strings;
  var cfg = ctx.cfg;
  var ACTOR_KEY = "vigil.actor";
  var ACTIONS = {  // status -> the operator moves valid from it (command/lifecycle.py)
    "new": ["acknowledge", "respond", "resolve"],
    "acknowledged": ["respond", "resolve"],
    "responding": ["resolve"],
    "resolved": ["close", "reopen"],
    "closed": ["reopen"]
  };
  var GRADES = ["I", "II", "III", "IV"];
  var HARM = ["deaths", "serious_injuries", "direct_loss_yuan"];
  var LEASE_RENEW_MS = 60000;  // the server's lease lasts two minutes

  var panel = document.getElementById("incident-panel");
  var body = document.getElementById("panel-body");
  var messageEl = document.getElementById("panel-message");
  var actorInput = document.getElementById("actor-name");
  var closeButton = document.getElementById("panel-close");
  var numberEl = document.getElementById("panel-number");
  var openId = null;
  var detail = null;  // last loaded {"incident", "events", "timeline", "merged", "proposals"}
  var escalations = null;  // the open incident's escalations as the API lists them; null while loading
  var calls = null;        // its phone calls (duty-log entries); null while loading
  var callsPushed = [];    // calls pushed while the list was still loading
  var reporting = null;    // its report series and obligations (GET …/reports); null while loading
  var reportingFailed = false;
  var REPORT_KINDS = { "incident_graded": true, "report_filed": true, "report_late": true, "report_missed": true };
  var loading = null;
  var reloadAgain = false;
  var lastFocus = null;
  var clock = new Intl.DateTimeFormat(cfg.locale, {
    timeZone: cfg.timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });

  // The lease: wanted from the first edit until the panel closes.
  var lease = { wanted: false, id: null, actor: null, held: false, timer: null, expiry: null };

  // The person logged in acts (web/static/session.js), so the name is not asked for; the field is only
  // shown on a page rendered without a login.
  var user = window.vigilSession.user;
  if (user) {
    window.vigilSession.signAs(actorInput);
  } else {
    try { actorInput.value = window.localStorage.getItem(ACTOR_KEY) || ""; } catch (e) { /* private mode */ }
  }
  actorInput.addEventListener("change", function () {
    var name = actorInput.value.trim();
    actorInput.value = name;
    try { window.localStorage.setItem(ACTOR_KEY, name); } catch (e) { /* private mode */ }
    if (name) fieldError("actor", "");
    if (lease.wanted && name !== lease.actor) {  // the lease follows the name
      releaseLease();
      startEditing();
    }
    showLease();
  });
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") close(); });
  // Focusing a form or an action is starting to edit.
  body.addEventListener("focusin", function (e) {  // recording a call or filing a report does not change it
    if (e.target.closest("form, .panel-actions, .panel-merge") && !e.target.closest(".panel-calls, .panel-reporting")) {
      startEditing();
    }
  });
  window.addEventListener("pagehide", function () { releaseLease(); });

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function button(className, text, onClick) {
    var b = el("button", className, text);
    b.type = "button";
    b.addEventListener("click", function () { onClick(b); });
    return b;
  }

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === undefined || values[key] === null ? "" : String(values[key]);
    });
  }

  function hhmm(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? "" : clock.format(d);
  }

  function showMessage(text, kind) {
    messageEl.textContent = text || "";
    messageEl.className = "panel-message " + (kind || "info");
    messageEl.hidden = !text;
  }

  // A server or client error next to the field it names; unknown fields go to the message line.
  function fieldError(field, text) {
    var target = panel.querySelector('.field-error[data-for="' + field + '"]');
    if (!target) { if (text) showMessage(text, "error"); return; }
    target.textContent = text || "";
    target.hidden = !text;
  }

  function clearErrors() {
    Array.prototype.forEach.call(panel.querySelectorAll(".field-error"), function (e) {
      e.textContent = ""; e.hidden = true;
    });
  }

  function errorSlot(field) {
    var slot = el("span", "field-error");
    slot.dataset.for = field;
    slot.hidden = true;
    slot.setAttribute("role", "alert");
    return slot;
  }

  // What the server said, in the console's language: its code picks the text, the English
  // message is the fallback for a code this console does not know.
  function serverText(answer, status) {
    var template = answer && answer.code && S.errors[answer.code];
    if (!template) return (answer && answer.error) || fmt(S.request_failed, { status: status });
    return fmt(template, {
      action: S.action_names[answer.action] || answer.action,
      status: S.statuses[answer.status] || answer.status,
      who: answer.changed_by || answer.editing_by || S.someone,
      time: answer.changed_at ? ctx.formatFull(answer.changed_at) : hhmm(answer.editing_until),
      into: answer.into, parent: answer.parent, limit: answer.limit,
      decision: S.decisions[answer.decision] || answer.decision, field: answer.field
    });
  }

  function fact(dl, label, value, className) {
    var dt = el("dt", null, label);
    var dd = el("dd", className || null);
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = value === null || value === undefined || value === "" ? "—" : String(value);
    dl.appendChild(dt);
    dl.appendChild(dd);
    return dd;
  }

  function gradeName(grade) {
    return grade ? (S.grades[grade] || grade) : S.not_graded;
  }

  function number(value) {
    return Number(value).toLocaleString(cfg.locale);
  }

  // The system's reason for a proposed grade, in the console's language.
  function gradeReason(p) {
    var parts = p.grade_reason_parts;
    var R = S.grade_reasons;
    if (!parts || !R[parts.code]) return p.grade_reason;
    if (parts.code === "harm") {
      return fmt(R.harm, { items: parts.reached.map(function (r) {
        return fmt(R.harm_item, { name: S.harm_names[r.name] || r.name, value: number(r.value),
                                  limit: number(r.limit) });
      }).join(S.list_separator) });
    }
    var sev = parts.severity;
    return fmt(R[parts.code], { colour: S.level_colour[sev] || sev, severity: S.severity[sev] || sev });
  }

  // ---- rendering -------------------------------------------------------------------------

  function render() {
    var f = detail.incident;
    var p = f.properties;
    var sev = S.severity[p.severity] ? p.severity : "unknown";
    panel.dataset.status = p.status;
    panel.dataset.version = String(p.version);
    panel.dataset.merged = p.merged_into ? String(p.merged_into) : "";
    // A live reload must not take the operator's place: keep forms, focus, caret and scroll.
    var forms = keepForms();
    var active = document.activeElement && body.contains(document.activeElement) ? document.activeElement : null;
    var caret = null;
    try {
      if (active && active.setSelectionRange) caret = [active.selectionStart, active.selectionEnd];
    } catch (e) { caret = null; }  // number inputs have no caret
    var scroll = body.scrollTop;
    body.replaceChildren();

    if (p.drill) body.appendChild(el("div", "drill-banner", S.drill_banner));
    var leaseBox = el("div", "lease-banner");
    leaseBox.id = "lease-banner";
    leaseBox.setAttribute("role", "status");
    leaseBox.hidden = true;
    body.appendChild(leaseBox);
    if (p.merged_into) body.appendChild(mergedBanner(p.merged_into));
    if (p.sensitive) body.appendChild(el("div", "sensitive-banner", S.sensitive));
    numberEl.textContent = "#" + f.id;
    var headline = el("h3", "panel-headline", p.headline || p.event || "");
    headline.id = "panel-headline";
    body.appendChild(headline);

    var dl = el("dl", "facts");
    var level = el("span", "level");
    level.appendChild(el("span", "sev sev-" + sev));
    level.appendChild(document.createTextNode(S.level_colour[sev] + " · " + S.severity[sev]));
    fact(dl, S.warning_level, level);
    fact(dl, S.grade, gradeName(p.grade), "grade-value");
    if (p.grade_proposed) {
      var why = gradeReason(p);
      fact(dl, S.grade_proposed, gradeName(p.grade_proposed) + (why ? " (" + why + ")" : ""), "grade-proposed");
    }
    fact(dl, S.status, S.statuses[p.status] || p.status, "status-value");
    fact(dl, S.source, p.source);
    if (p.event) fact(dl, S.event_type, p.event);
    fact(dl, S.occurred, ctx.formatFull(p.occurred_at));
    fact(dl, S.received, ctx.formatFull(p.received_at));
    fact(dl, S.address, p.address);
    fact(dl, S.position, f.geometry ? f.geometry.coordinates[1].toFixed(5) + ", " +
         f.geometry.coordinates[0].toFixed(5) : S.no_position);
    fact(dl, S.sensitive, p.sensitive ? S.yes : S.no, "sensitive-value");
    fact(dl, S.deaths, p.deaths);
    fact(dl, S.serious_injuries, p.serious_injuries);
    fact(dl, S.direct_loss, p.direct_loss_yuan === null || p.direct_loss_yuan === undefined ? null
         : number(p.direct_loss_yuan));
    fact(dl, S.updated, [ctx.formatFull(p.updated_at), p.updated_by].filter(Boolean).join(" · "));
    body.appendChild(dl);

    body.appendChild(actionsSection(p));
    body.appendChild(reportingSection(forms));
    body.appendChild(escalationsSection());
    body.appendChild(mergeSection(f, forms));
    body.appendChild(forms["grade-form"] || gradeForm());
    body.appendChild(forms["harm-form"] || harmForm());
    body.appendChild(forms["note-form"] || noteForm());
    fillForms(p, forms);
    body.appendChild(callsSection(forms));
    body.appendChild(eventsSection(detail.events || []));
    body.appendChild(timelineSection(detail.timeline || []));
    showLease();

    body.scrollTop = scroll;
    if (active && active.isConnected && document.activeElement !== active) {
      active.focus({ preventScroll: true });
      try { if (caret) active.setSelectionRange(caret[0], caret[1]); } catch (e) { /* not a text field */ }
    }
  }

  function actionsSection(p) {
    var section = el("section", "panel-actions");
    section.appendChild(el("h4", null, S.actions));
    var row = el("div", "buttons");
    (ACTIONS[p.status] || []).forEach(function (action) {
      var b = button("action action-" + action, S.action_names[action], function () {
        post("actions", { action: action }, b);
      });
      b.dataset.action = action;
      row.appendChild(b);
    });
    var sensitive = button("sensitive-toggle", p.sensitive ? S.clear_sensitive : S.mark_sensitive, function () {
      post("sensitive", { sensitive: !p.sensitive }, sensitive);
    });
    sensitive.setAttribute("aria-pressed", p.sensitive ? "true" : "false");
    row.appendChild(sensitive);
    section.appendChild(row);
    section.appendChild(errorSlot("action"));
    section.appendChild(errorSlot("sensitive"));
    return section;
  }

  // The forms survive a live reload so what the operator is typing is kept.
  function keepForms() {
    var kept = {};
    Array.prototype.forEach.call(body.querySelectorAll("form[data-form]"), function (form) {
      kept[form.dataset.form] = form;
    });
    return kept;
  }

  function newForm(name, title) {
    var form = el("form", name);
    form.dataset.form = name;
    form.noValidate = true;
    if (title) form.appendChild(el("h4", null, title));
    form.addEventListener("input", function () { form.dataset.dirty = "1"; });
    return form;
  }

  function labelled(labelText, input, field) {
    var wrap = el("label", "field");
    wrap.appendChild(el("span", "label", labelText));
    wrap.appendChild(input);
    wrap.appendChild(errorSlot(field));
    return wrap;
  }

  function reasonInput() {
    var input = el("input");
    input.name = "reason";
    input.maxLength = 1000;
    input.autocomplete = "off";
    return input;
  }

  function submitButton(text) {
    var submit = el("button", "submit", text);
    submit.type = "submit";
    return submit;
  }

  function gradeForm() {
    var form = newForm("grade-form", S.grade);
    var select = el("select");
    select.name = "grade";
    GRADES.forEach(function (g) {
      var option = el("option", null, S.grades[g]);
      option.value = g;
      select.appendChild(option);
    });
    form.appendChild(labelled(S.grade, select, "grade"));
    form.appendChild(labelled(S.reason, reasonInput(), "reason"));
    var submit = submitButton(S.set_grade);
    form.appendChild(submit);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var reason = form.elements.reason.value.trim();
      clearErrors();
      if (!reason) { scopedError(form, "reason", S.reason_required); return; }
      post("grade", { grade: select.value, reason: reason }, submit, form);
    });
    return form;
  }

  function harmForm() {
    var form = newForm("harm-form", S.harm);
    var labels = { deaths: S.deaths, serious_injuries: S.serious_injuries, direct_loss_yuan: S.direct_loss };
    HARM.forEach(function (name) {
      var input = el("input");
      input.type = "number";
      input.min = "0";
      input.step = "1";
      input.inputMode = "numeric";
      input.name = name;
      form.appendChild(labelled(labels[name], input, name));
    });
    form.appendChild(labelled(S.reason, reasonInput(), "reason"));
    var submit = submitButton(S.record_harm);
    form.appendChild(submit);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      clearErrors();
      var payload = {};
      var bad = false;
      HARM.forEach(function (name) {
        var raw = form.elements[name].value.trim();
        if (raw === "") { payload[name] = null; return; }
        if (!/^\d+$/.test(raw)) { scopedError(form, name, S.whole_number); bad = true; return; }
        payload[name] = parseInt(raw, 10);
      });
      payload.reason = form.elements.reason.value.trim();
      if (!payload.reason) { scopedError(form, "reason", S.reason_required); bad = true; }
      if (!bad) post("harm", payload, submit, form);
    });
    return form;
  }

  function noteForm() {
    var form = newForm("note-form", S.note);
    var text = el("textarea");
    text.name = "text";
    text.rows = 2;
    text.maxLength = 4000;
    form.appendChild(labelled(S.note, text, "text"));
    var submit = submitButton(S.add_note);
    form.appendChild(submit);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      clearErrors();
      var value = text.value.trim();
      if (!value) { scopedError(form, "text", S.errors.note_empty); return; }
      post("notes", { text: value }, submit, form).then(function (ok) { if (ok) text.value = ""; });
    });
    return form;
  }

  function scopedError(form, field, text) {
    var slot = form.querySelector('.field-error[data-for="' + field + '"]');
    if (!slot) { fieldError(field, text); return; }
    slot.textContent = text;
    slot.hidden = !text;
  }

  // Fill the forms from the incident unless the operator has started typing in them.
  function fillForms(p, kept) {
    var grade = body.querySelector("form.grade-form");
    var harm = body.querySelector("form.harm-form");
    if (!kept["grade-form"] || !grade.dataset.dirty) {
      grade.elements.grade.value = p.grade || p.grade_proposed || "IV";
      grade.elements.reason.value = "";
    }
    var submit = grade.querySelector("button.submit");
    submit.textContent = !p.grade && p.grade_proposed ? S.confirm_grade : S.set_grade;
    if (!kept["harm-form"] || !harm.dataset.dirty) {
      HARM.forEach(function (name) {
        harm.elements[name].value = p[name] === null || p[name] === undefined ? "" : String(p[name]);
      });
      harm.elements.reason.value = "";
    }
  }

  // ---- merge, split and correlation proposals --------------------------------------------

  function mergedBanner(parentId) {
    var box = el("div", "merged-banner");
    box.appendChild(el("span", null, fmt(S.merged_into, { id: parentId })));
    box.appendChild(button("open-incident", fmt(S.open_incident, { id: parentId }), function () {
      open(parentId);
    }));
    return box;
  }

  function mergeSection(f, kept) {
    var p = f.properties;
    var id = String(f.id);
    var section = el("section", "panel-merge");
    section.appendChild(el("h4", null, S.merge_title));
    var proposals = (detail.proposals || []).filter(function (x) { return x.status === "proposed"; });
    if (proposals.length) {
      section.appendChild(el("h5", null, S.correlation_title));
      var list = el("ul", "proposals");
      proposals.forEach(function (proposal) { list.appendChild(proposalItem(proposal, id)); });
      section.appendChild(list);
    }
    if ((detail.merged || []).length) {
      section.appendChild(el("h5", null, S.merged_here));
      var merged = el("ul", "merged-list");
      detail.merged.forEach(function (childId) {
        var li = el("li", "merged-item");
        li.dataset.id = String(childId);
        li.appendChild(el("span", "incident-ref", "#" + childId));
        var row = el("span", "buttons");
        row.appendChild(button("open-incident", fmt(S.open_incident, { id: childId }), function () { open(childId); }));
        var split = button("split", S.split, function () { changeOther(childId, "split", {}, split); });
        row.appendChild(split);
        li.appendChild(row);
        merged.appendChild(li);
      });
      section.appendChild(merged);
    }
    section.appendChild(p.merged_into ? (kept["split-form"] || splitForm()) : (kept["merge-form"] || mergeForm()));
    if (p.merged_into) section.querySelector("form.split-form button.submit").textContent =
      fmt(S.split_from, { id: p.merged_into });
    section.appendChild(errorSlot("id"));
    return section;
  }

  function proposalItem(proposal, id) {
    var pair = proposal.incidents.map(String);
    var other = pair[0] === id ? pair[1] : pair[0];
    // The later report joins the earlier one: the incident people have worked on stays.
    var child = String(Math.max(Number(pair[0]), Number(pair[1])));
    var parent = String(Math.min(Number(pair[0]), Number(pair[1])));
    var li = el("li", "proposal");
    li.dataset.proposal = String(proposal.id);
    li.dataset.other = other;
    var known = ctx.known(other);
    var what = el("div", "proposal-what");
    what.appendChild(el("span", "incident-ref", "#" + other));
    if (known) what.appendChild(document.createTextNode(" " + (known.properties.headline || "")));
    li.appendChild(what);
    li.appendChild(el("div", "meta", [
      S.correlation_rules[proposal.rule] || proposal.rule,
      fmt(S.proposal_apart, { distance: number(proposal.distance_km), minutes: number(proposal.minutes_apart) })
    ].join(" · ")));
    var row = el("div", "buttons");
    var merge = button("merge-proposal", fmt(S.merge_pair, { child: child, parent: parent }), function () {
      changeOther(child, "merge", { into: Number(parent) }, merge);
    });
    var dismiss = button("dismiss-proposal", S.dismiss, function () { dismissProposal(proposal.id, dismiss); });
    row.appendChild(merge);
    row.appendChild(dismiss);
    li.appendChild(row);
    return li;
  }

  function mergeForm() {
    var form = newForm("merge-form");
    var into = el("input");
    into.type = "number";
    into.min = "1";
    into.step = "1";
    into.inputMode = "numeric";
    into.name = "into";
    form.appendChild(labelled(S.merge_into_label, into, "into"));
    var reason = reasonInput();
    form.appendChild(labelled(S.reason_optional, reason, "reason"));
    var submit = submitButton(S.merge);
    form.appendChild(submit);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      clearErrors();
      var raw = into.value.trim();
      if (!/^\d+$/.test(raw) || Number(raw) < 1) { scopedError(form, "into", S.incident_number_required); return; }
      var payload = { into: parseInt(raw, 10) };
      if (reason.value.trim()) payload.reason = reason.value.trim();
      post("merge", payload, submit, form).then(function (ok) { if (ok) { into.value = ""; reason.value = ""; } });
    });
    return form;
  }

  function splitForm() {
    var form = newForm("split-form");
    var reason = reasonInput();
    form.appendChild(labelled(S.reason_optional, reason, "reason"));
    var submit = submitButton(S.split);
    form.appendChild(submit);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      clearErrors();
      var payload = reason.value.trim() ? { reason: reason.value.trim() } : {};
      post("split", payload, submit, form).then(function (ok) { if (ok) reason.value = ""; });
    });
    return form;
  }

  // Merge or split an incident other than the open one: it needs that incident's version.
  function changeOther(target, kind, payload, b) {
    target = String(target);
    if (target === openId) return post(kind, payload, b);
    if (b) b.disabled = true;
    return fetch(cfg.incidentsUrl + "/" + encodeURIComponent(target), { headers: { "Accept": "application/json" } })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (answer) {
          if (b) b.disabled = false;
          if (!r.ok) { fieldError("id", serverText(answer, r.status)); return false; }
          return post(kind, payload, b, null, { target: target, version: answer.incident.properties.version });
        });
      }, function () {
        if (b) b.disabled = false;
        showMessage(fmt(S.request_failed, { status: "—" }), "error");
        return false;
      });
  }

  function dismissProposal(proposalId, b) {
    var actor = requireActor();
    if (!actor) return Promise.resolve(false);
    b.disabled = true;
    return send(cfg.correlationsUrl + "/" + encodeURIComponent(proposalId) + "/dismiss", "POST", { actor: actor })
      .then(function (result) {
        b.disabled = false;
        if (result.status === 200) { showMessage(S.dismissed, "ok"); load(); return true; }
        fieldError("id", serverText(result.answer, result.status));
        if (result.status === 409) load();  // someone decided it meanwhile
        return false;
      }, function () {
        b.disabled = false;
        showMessage(fmt(S.request_failed, { status: "—" }), "error");
        return false;
      });
  }

  // ---- events and timeline ---------------------------------------------------------------

  function eventsSection(events) {
    var section = el("section", "panel-events");
    section.appendChild(el("h4", null, fmt(S.events_title, { n: events.length })));
    var list = el("ol", "events");
    events.forEach(function (ev) {
      var li = el("li", "event");
      li.appendChild(el("div", "event-headline", ev.headline || ev.event || ""));
      li.appendChild(el("div", "meta", [
        S.msg_type + ": " + (ev.msg_type || "—"),
        S.version + ": " + (ev.version === null || ev.version === undefined ? "—" : ev.version),
        S.sent + ": " + (ctx.formatFull(ev.sent_at) || "—"),
        S.received + ": " + (ctx.formatFull(ev.received_at) || "—")
      ].join(" · ")));
      var raw = el("details", "raw");
      raw.appendChild(el("summary", null, S.raw_payload));
      raw.appendChild(el("pre", null, JSON.stringify(ev, null, 2)));  // text, never parsed as HTML
      li.appendChild(raw);
      list.appendChild(li);
    });
    section.appendChild(list);
    return section;
  }

  // A logged value in the console's language (statuses, colours, yes/no); others as written.
  function logValue(kind, value) {
    if (value === null || value === undefined || value === "None") return "—";
    var text = String(value);
    if (kind === "status" || kind === "updated") {
      return text.split("/").map(function (part) {
        return S.statuses[part] || S.severity[part] || part;
      }).join(" · ");
    }
    if (kind === "opened") return S.severity[text] || text;
    if (kind === "sensitive") return text === "True" ? S.yes : text === "False" ? S.no : text;
    if (kind === "harm") return text.split("/").map(function (v) { return v === "None" ? "—" : v; }).join(" / ");
    if (kind === "grade") {
      var proposed = /^proposed (\S+)$/.exec(text);
      if (proposed) return proposed[1] === "None" ? S.not_graded : fmt(S.proposed_value, { grade: proposed[1] });
    }
    return text;
  }

  function logReason(entry) {
    var parts = entry.reason_parts;
    var template = parts && S.system_reasons[parts.code];
    if (!template) return entry.reason;
    return fmt(template, { at: parts.at ? ctx.formatFull(parts.at) : "", seconds: parts.seconds });
  }

  function timelineSection(entries) {
    var section = el("section", "panel-timeline");
    section.appendChild(el("h4", null, S.timeline));
    var list = el("ol", "timeline");
    entries.forEach(function (entry) {
      var li = el("li", "entry");
      li.dataset.rule = entry.rule_id || "";
      var head = el("div", "entry-head");
      head.appendChild(el("time", null, ctx.formatFull(entry.at)));
      head.appendChild(el("span", "actor", entry.actor || ""));
      if (entry.rule_id && S.rules[entry.rule_id]) head.appendChild(el("span", "rule-label", S.rules[entry.rule_id]));
      if (entry.rule_id) head.appendChild(el("code", "rule", entry.rule_id));
      li.appendChild(head);
      if (entry.before !== null || entry.after !== null) {
        li.appendChild(el("div", "change",
                          logValue(entry.kind, entry.before) + " → " + logValue(entry.kind, entry.after)));
      }
      var reason = logReason(entry);
      if (reason) li.appendChild(el("div", "reason", reason));
      list.appendChild(li);
    });
    section.appendChild(list);
    return section;
  }

  // ---- escalations -----------------------------------------------------------------------

  // An active escalation someone has acknowledged reads as acknowledged (it ends at its next check).
  function shownState(esc) {
    return esc.state === "active" && esc.acknowledged_at ? "acknowledged" : esc.state;
  }

  function playbookTitle(esc) {
    var title = esc.title;
    if (title && typeof title === "object") {
      title = title[cfg.locale.indexOf("zh") === 0 ? "zh" : "en"] || title.en || title.zh;
    }
    return title || esc.playbook;
  }

  function escalationsSection() {
    var section = el("section", "panel-escalations");
    section.appendChild(el("h4", null, fmt(S.escalations_title, { n: escalations ? escalations.length : "…" })));
    if (escalations === null) section.appendChild(el("p", "empty", S.loading));
    else if (!escalations.length) section.appendChild(el("p", "empty", S.no_escalations));
    else {
      var list = el("ol", "escalations");
      escalations.forEach(function (esc) { list.appendChild(escalationItem(esc)); });
      section.appendChild(list);
    }
    return section;
  }

  function escalationItem(esc) {
    var state = shownState(esc);
    var li = el("li", "escalation");
    li.dataset.id = String(esc.id);
    li.dataset.state = state;
    li.classList.toggle("overdue", !!esc.overdue);
    var head = el("div", "escalation-head");
    head.appendChild(el("span", "incident-ref", "#" + esc.id));
    if (esc.exercise) head.appendChild(el("span", "drill-tag", S.drill));
    head.appendChild(el("span", "escalation-title", playbookTitle(esc)));
    head.appendChild(el("span", "escalation-state state-" + state, S.escalation_states[state] || state));
    if (esc.overdue) head.appendChild(el("span", "overdue-tag", S.overdue));
    li.appendChild(head);
    var dl = el("dl", "escalation-facts");
    fact(dl, S.playbook, esc.playbook, "escalation-playbook");
    if (esc.state === "active") {
      var step = fmt(S.step_of, { step: esc.step + 1, steps: esc.steps });
      if (esc.step_type) step += " · " + (S.step_types[esc.step_type] || esc.step_type);
      fact(dl, S.current_step, step, "escalation-step");
      fact(dl, S.next_due, ctx.formatFull(esc.due_at), "escalation-due");
    }
    if (esc.acknowledged_at) fact(dl, S.acknowledged_at, ctx.formatFull(esc.acknowledged_at), "escalation-acked");
    li.appendChild(dl);
    if (esc.state === "active" && esc.reply_code) li.appendChild(el("div", "meta", fmt(S.reply_code, { code: esc.reply_code })));
    li.appendChild(el("h5", null, S.answers_title));
    var answers = esc.answers || [];
    if (!answers.length) li.appendChild(el("p", "empty no-answers", S.no_answers));
    else {
      var list = el("ul", "answers");
      answers.forEach(function (a) {
        var item = el("li", "answer", fmt(S.answer_line, {
          actor: a.actor, answer: S.answer_names[a.answer] || a.answer, via: S.vias[a.via] || a.via,
          time: ctx.formatFull(a.at)
        }));
        item.dataset.answer = a.answer;
        list.appendChild(item);
      });
      li.appendChild(list);
    }
    return li;
  }

  function replaceSection(selector, fresh) {
    var old = body.querySelector(selector);
    if (old) old.replaceWith(fresh);
  }

  // Fetch in turn: one request at a time per list, again once more if asked meanwhile.
  function serial(fetchOnce) {
    var running = null, again = false;
    return function run() {
      if (running) { again = true; return running; }
      running = fetchOnce().catch(function () { /* kept as it was; the next push or reconnect retries */ })
        .then(function () {
          running = null;
          if (again) { again = false; return run(); }
        });
      return running;
    };
  }

  function getJson(address) {
    return fetch(address, { headers: { "Accept": "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  var loadEscalations = serial(function () {
    var id = openId;
    if (id === null) return Promise.resolve();
    return getJson(cfg.escalationsUrl + "?incident=" + encodeURIComponent(id) +
                   "&state=active,acknowledged,resolved,finished,cancelled,superseded")
      .then(function (answer) {
        if (id !== openId) return;
        escalations = answer.escalations;
        if (detail) replaceSection("section.panel-escalations", escalationsSection());
      });
  });

  // ---- reporting (信息报送) ----------------------------------------------------------------

  function zh() { return cfg.locale.indexOf("zh") === 0; }

  function reportingSection(kept) {
    var section = el("section", "panel-reporting");
    section.appendChild(el("h4", null, S.reporting_title));
    if (reporting === null) {
      section.appendChild(el("p", "empty", reportingFailed ? S.load_failed : S.loading));
      return section;
    }
    var obligations = reporting.obligations || [];
    section.appendChild(el("h5", null, fmt(S.obligations_title, { n: obligations.length })));
    if (!obligations.length) section.appendChild(el("p", "empty no-obligations", S.no_obligations));
    else section.appendChild(obligationsTable(obligations));
    var reports = reporting.reports || [];
    section.appendChild(el("h5", null, fmt(S.series_title, { n: reports.length })));
    if (!reports.length) section.appendChild(el("p", "empty no-reports", S.no_reports));
    else {
      var list = el("ol", "reports");
      reports.forEach(function (report) { list.appendChild(reportItem(report)); });
      section.appendChild(list);
    }
    var kinds = reporting.next_kinds || [];
    if (!kinds.length) {
      section.appendChild(el("p", "empty series-closed", S.report_form.closed));
      return section;
    }
    // The form being filled survives a refetch while the same kinds may come next.
    var form = kept && kept["report-form"];
    section.appendChild(form && form.dataset.kinds === kinds.join(",") ? form : reportForm(kinds));
    return section;
  }

  // ---- filing a report: kind (what may come next), channel, the kind's fields ----------------

  function reportForm(kinds) {
    var F = S.report_form;
    var form = newForm("report-form", F.title);
    form.dataset.kinds = kinds.join(",");
    var kind = el("select");
    kind.name = "kind";
    kinds.forEach(function (k) {
      var option = el("option", null, F.kinds[k] || k);
      option.value = k;
      kind.appendChild(option);
    });
    form.appendChild(labelled(F.kind, kind, "kind"));
    var channel = el("select");
    channel.name = "channel";
    ["phone", "written"].forEach(function (c) {
      var option = el("option", null, S.report_channels[c]);
      option.value = c;
      channel.appendChild(option);
    });
    form.appendChild(labelled(S.report_channel, channel, "channel"));
    var fields = el("div", "report-form-fields");
    form.appendChild(fields);
    form.appendChild(errorSlot("fields"));
    form.appendChild(errorSlot("to_verify"));
    var submit = submitButton(F.submit);
    form.appendChild(submit);
    kind.addEventListener("change", function () { reportFields(form, fields, kind.value); });
    reportFields(form, fields, kind.value);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      fileReport(form, submit);
    });
    return form;
  }

  var LONG_FIELDS = { summary: true, trend: true, progress: true, casualties: true, losses: true, measures: true,
                      cause: true };

  // The chosen kind's fields; what was typed in a field the new kind also asks for is kept.
  function reportFields(form, box, kind) {
    var F = S.report_form;
    var typed = {};
    Array.prototype.forEach.call(box.querySelectorAll("[data-field]"), function (input) {
      typed[input.dataset.field] = input.value;
    });
    box.replaceChildren();
    var required = F.required[kind] || [];
    (F.fields[kind] || []).forEach(function (name) {
      var input = el(LONG_FIELDS[name] ? "textarea" : "input");
      if (LONG_FIELDS[name]) input.rows = 2; else { input.type = "text"; input.autocomplete = "off"; }
      input.name = "field_" + name;
      input.dataset.field = name;
      input.maxLength = 4000;
      input.value = typed[name] || "";
      input.id = "report-field-" + name;
      var mandatory = required.indexOf(name) >= 0;
      if (mandatory) input.setAttribute("aria-required", "true");
      var wrap = el("div", "field report-field" + (mandatory ? " required" : ""));
      wrap.dataset.name = name;
      var head = el("div", "report-field-head");
      var label = el("label", "label", S.report_fields[name] || name);
      label.htmlFor = input.id;
      head.appendChild(label);
      wrap.appendChild(head);
      wrap.appendChild(input);
      wrap.appendChild(errorSlot("fields." + name));
      // The first report may leave what is not yet known to be verified (待核实), never what it must say.
      if (kind === "first" && !mandatory) {
        var check = el("input");
        check.type = "checkbox";
        check.name = "verify_" + name;
        check.dataset.verify = name;
        var mark = el("label", "to-verify-box");
        mark.appendChild(check);
        mark.appendChild(document.createTextNode(" " + F.to_verify));
        head.appendChild(mark);
      }
      box.appendChild(wrap);
    });
  }

  function fileReport(form, submit) {
    var actor = requireActor();
    if (!actor) return;
    var payload = { kind: form.elements.kind.value, channel: form.elements.channel.value, fields: {},
                    to_verify: [], actor: actor };
    Array.prototype.forEach.call(form.querySelectorAll("[data-field]"), function (input) {
      var value = input.value.trim();
      if (value) payload.fields[input.dataset.field] = value;
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-verify]"), function (check) {
      if (check.checked) payload.to_verify.push(check.dataset.verify);
    });
    var id = openId;
    submit.disabled = true;
    showMessage("", "info");
    send(url("reports", id), "POST", payload).then(function (result) {
      submit.disabled = false;
      var answer = result.answer || {};
      if (result.status === 201) {
        delete form.dataset.dirty;
        form.reset();
        reportFields(form, form.querySelector(".report-form-fields"), form.elements.kind.value);
        var report = answer.report || {};
        showMessage(fmt(S.report_form.filed, { report: zh() ? report.label_zh : report.label_en }), "ok");
        if (id === openId) loadReporting();  // the "dutylog" push refetches too
        return;
      }
      var text = serverText(answer, result.status);
      var slot = answer.field && form.querySelector('.field-error[data-for="' + answer.field + '"]');
      if (slot) {
        scopedError(form, answer.field, text);
        var input = form.querySelector('[data-field="' + answer.field.replace(/^fields\./, "") + '"]');
        if (input && answer.field.indexOf("fields.") === 0) input.focus();
      } else showMessage(text, "error");
      if (answer.code === "series_closed" || answer.code === "first_exists" || answer.code === "first_missing") {
        loadReporting();  // someone else filed meanwhile: offer what may come next now
      }
    }, function () {
      submit.disabled = false;
      showMessage(fmt(S.request_failed, { status: "—" }), "error");
    });
  }

  function triggerName(trigger) {
    var grade = /^grade:(\S+)$/.exec(trigger || "");
    if (grade) return fmt(S.grade_short, { grade: grade[1] });
    return trigger === "sensitive" ? S.sensitive : (trigger || "");
  }

  function obligationsTable(obligations) {
    var table = el("table", "obligations");
    var head = el("tr");
    [S.report_channel, S.report_clock, S.report_due, S.status].forEach(function (text) {
      var th = el("th", null, text);
      th.scope = "col";
      head.appendChild(th);
    });
    table.appendChild(el("thead")).appendChild(head);
    var rows = el("tbody");
    obligations.forEach(function (o) {
      var tr = el("tr", "obligation status-" + o.status);
      tr.dataset.id = String(o.id);
      tr.dataset.channel = o.channel;
      tr.dataset.status = o.status;
      var channel = el("td", "obligation-channel", S.report_channels[o.channel] || o.channel);
      channel.appendChild(el("span", "meta", triggerName(o.trigger)));
      tr.appendChild(channel);
      var clock = el("td", "obligation-clock", S.report_clocks[o.base_clock] || o.base_clock);
      clock.appendChild(el("span", "meta", ctx.formatFull(o.base_at)));
      tr.appendChild(clock);
      tr.appendChild(el("td", "obligation-due", ctx.formatFull(o.due_at)));
      var status = el("td", "obligation-status");
      status.appendChild(el("span", "obligation-state state-" + o.status, S.obligation_statuses[o.status] || o.status));
      if (o.status === "late" && o.late_minutes) {
        status.appendChild(el("span", "meta", fmt(S.late_by, { n: o.late_minutes })));
      }
      if (o.filed_at) status.appendChild(el("span", "meta", fmt(S.filed_at, { time: ctx.formatFull(o.filed_at) })));
      tr.appendChild(status);
      rows.appendChild(tr);
    });
    table.appendChild(rows);
    return table;
  }

  function reportItem(report) {
    var li = el("li", "report");
    li.dataset.id = String(report.id);
    li.dataset.kind = report.kind;
    li.dataset.channel = report.channel;
    var head = el("div", "entry-head");
    head.appendChild(el("span", "report-label", zh() ? report.label_zh : report.label_en));
    head.appendChild(el("span", "report-channel", S.report_channels[report.channel] || report.channel));
    head.appendChild(el("time", null, ctx.formatFull(report.filed_at)));
    head.appendChild(el("span", "meta", fmt(S.recorded_by, { author: report.filed_by })));
    li.appendChild(head);
    var names = function (name) { return S.report_fields[name] || name; };
    if ((report.to_verify || []).length) {
      li.appendChild(el("div", "report-to-verify",
                        fmt(S.to_verify, { fields: report.to_verify.map(names).join(S.list_separator) })));
    }
    var fields = Object.keys(report.fields || {});
    if (fields.length) {
      var dl = el("dl", "report-fields");
      fields.forEach(function (name) { fact(dl, names(name), report.fields[name]); });  // text, never HTML
      li.appendChild(dl);
    }
    return li;
  }

  var loadReporting = serial(function () {
    var id = openId;
    if (id === null) return Promise.resolve();
    return getJson(url("reports", id)).then(function (answer) {
      if (id !== openId) return;
      reporting = answer;
      reportingFailed = false;
      if (detail) replaceSection("section.panel-reporting", reportingSection(keptReportForm()));
    }, function (error) {
      if (id !== openId) return;
      if (reporting === null) reportingFailed = true;
      if (detail) replaceSection("section.panel-reporting", reportingSection(keptReportForm()));
      throw error;
    });
  });

  function keptReportForm() {
    var form = body.querySelector("form.report-form");
    return form ? { "report-form": form } : {};
  }

  // ---- phone calls -----------------------------------------------------------------------

  var localParts = new Intl.DateTimeFormat("en-CA", {
    timeZone: cfg.timeZone, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });

  // Now in the duty room's zone, as a datetime-local input holds it (the server reads it in that zone).
  function localNow() {
    var p = {};
    localParts.formatToParts(new Date()).forEach(function (part) { p[part.type] = part.value; });
    return p.year + "-" + p.month + "-" + p.day + "T" + p.hour + ":" + p.minute;
  }

  function callTime(entry) {
    var t = Date.parse((entry.data && entry.data.occurred_at) || entry.occurred_at);
    return isNaN(t) ? 0 : t;
  }

  function addCalls(entries) {
    var byId = new Map();
    (calls || []).concat(entries).forEach(function (entry) { byId.set(entry.id, entry); });
    calls = Array.from(byId.values()).sort(function (a, b) {
      return callTime(b) - callTime(a) || b.id - a.id;  // latest call first
    });
  }

  function callsSection(kept) {
    var section = el("section", "panel-calls");
    section.appendChild(el("h4", null, fmt(S.calls_title, { n: calls ? calls.length : "…" })));
    if (calls === null) section.appendChild(el("p", "empty", S.loading));
    else if (!calls.length) section.appendChild(el("p", "empty", S.no_calls));
    else {
      var list = el("ol", "calls");
      calls.forEach(function (entry) { list.appendChild(callItem(entry)); });
      section.appendChild(list);
    }
    section.appendChild(kept["call-form"] || callForm());
    return section;
  }

  function callItem(entry) {
    var d = entry.data || {};
    var li = el("li", "call");
    li.dataset.id = String(entry.id);
    li.dataset.direction = d.direction || "";
    var head = el("div", "entry-head");
    head.appendChild(el("time", null, ctx.formatFull(d.occurred_at || entry.occurred_at)));
    head.appendChild(el("span", "call-direction", S.directions[d.direction] || d.direction || ""));
    head.appendChild(el("span", "call-who", [d.unit, d.name, d.post, d.number].filter(Boolean).join(" · ")));
    li.appendChild(head);
    li.appendChild(el("div", "call-situation", d.situation || entry.summary));
    li.appendChild(el("div", "meta", fmt(S.recorded_by, { author: entry.author })));
    return li;
  }

  function renderCalls() {
    if (!detail) return;
    var form = body.querySelector("form.call-form");
    replaceSection("section.panel-calls", callsSection(form ? { "call-form": form } : {}));
  }

  var loadCalls = serial(function () {
    var id = openId;
    if (id === null) return Promise.resolve();
    return getJson(cfg.dutylogUrl + "?kind=phone_call&limit=500&incident=" + encodeURIComponent(id))
      .then(function (answer) {
        if (id !== openId) return;
        calls = [];
        addCalls(answer.entries.concat(callsPushed.filter(function (e) { return String(e.incident_id) === id; })));
        callsPushed = [];
        renderCalls();
      });
  });

  function callForm() {
    var F = S.call_fields;
    var form = newForm("call-form", S.record_call);
    var direction = el("select");
    direction.name = "direction";
    ["inbound", "outbound"].forEach(function (value) {
      var option = el("option", null, S.directions[value]);
      option.value = value;
      direction.appendChild(option);
    });
    form.appendChild(labelled(F.direction, direction, "direction"));
    var when = el("input");
    when.type = "datetime-local";
    when.name = "occurred_at";
    when.step = "60";
    when.value = localNow();
    form.appendChild(labelled(F.occurred_at, when, "occurred_at"));
    [["unit", 128, "text"], ["name", 64, "text"], ["number", 32, "tel"]].forEach(function (spec) {
      var input = el("input");
      input.name = spec[0];
      input.maxLength = spec[1];
      input.type = spec[2];
      input.autocomplete = "off";
      form.appendChild(labelled(F[spec[0]], input, spec[0]));
    });
    var situation = el("textarea");
    situation.name = "situation";
    situation.rows = 2;
    situation.maxLength = 4000;
    form.appendChild(labelled(F.situation, situation, "situation"));
    var submit = submitButton(S.save_call);
    form.appendChild(submit);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      recordCall(form, submit);
    });
    return form;
  }

  function callError(form, problem) {
    var template = S.call_errors[problem.code];
    scopedError(form, problem.field, template ? fmt(template, { limit: problem.limit }) : problem.error);
  }

  function recordCall(form, submit) {
    var actor = requireActor();
    if (!actor) return;
    var payload = { incident_id: Number(openId), actor: actor };
    ["direction", "occurred_at", "unit", "name", "number", "situation"].forEach(function (name) {
      var value = form.elements[name].value.trim();
      if (value) payload[name] = value;
    });
    var missing = ["unit", "situation"].concat(payload.direction === "inbound" ? ["number"] : [])
      .filter(function (name) { return !payload[name]; });
    missing.forEach(function (name) { callError(form, { field: name, code: "required" }); });
    if (missing.length) { form.elements[missing[0]].focus(); return; }
    var id = openId;
    submit.disabled = true;
    showMessage("", "info");
    send(cfg.phoneCallsUrl, "POST", payload).then(function (result) {
      submit.disabled = false;
      var answer = result.answer || {};
      if (result.status === 201) {
        ["unit", "name", "number", "situation"].forEach(function (name) { form.elements[name].value = ""; });
        form.elements.occurred_at.value = localNow();
        delete form.dataset.dirty;
        showMessage(fmt(S.call_saved, { id: answer.id }), "ok");
        if (id === openId && calls !== null) { addCalls([answer]); renderCalls(); }
        return;
      }
      if (answer.errors && answer.errors.length) answer.errors.forEach(function (p) { callError(form, p); });
      else showMessage(serverText(answer, result.status), "error");
    }, function () {
      submit.disabled = false;
      showMessage(fmt(S.request_failed, { status: "—" }), "error");
    });
  }

  // ---- the edit lease --------------------------------------------------------------------

  function me() { return actorInput.value.trim(); }

  // "Being edited by …" when someone else's lease is current; hidden again when it lapses.
  function showLease() {
    var box = document.getElementById("lease-banner");
    clearTimeout(lease.expiry);
    if (!box || !detail) return;
    var p = detail.incident.properties;
    var until = p.editing_until ? Date.parse(p.editing_until) : NaN;
    var other = p.editing_by && p.editing_by !== me() && until > Date.now();
    box.hidden = !other;
    panel.classList.toggle("leased", !!other);
    if (!other) { box.replaceChildren(); return; }
    box.replaceChildren(el("strong", "lease-who",
                           fmt(S.editing_by, { who: p.editing_by, time: hhmm(p.editing_until) })),
                        el("span", "lease-note", S.editing_advisory));
    lease.expiry = setTimeout(showLease, Math.min(until - Date.now() + 500, 2147483647));
  }

  function setLease(properties) {
    if (!detail || !properties) return;
    detail.incident.properties.editing_by = properties.editing_by;
    detail.incident.properties.editing_until = properties.editing_until;
    showLease();
  }

  function startEditing() {
    if (openId === null || lease.wanted) return;
    lease.wanted = true;
    takeLease();
    lease.timer = setInterval(takeLease, LEASE_RENEW_MS);
  }

  // Take or renew the lease; someone else's current lease is shown, never fought over.
  function takeLease() {
    var actor = me();
    var id = openId;
    if (!lease.wanted || id === null || !actor) return Promise.resolve();
    lease.id = id;
    lease.actor = actor;
    return send(url("lease", id), "POST", { actor: actor }).then(function (result) {
      if (id !== openId || actor !== lease.actor || !lease.wanted) {  // given back while this was on its way
        if (result.status === 200) send(url("lease", id), "DELETE", { actor: actor }, true).catch(function () {});
        return;
      }
      lease.held = result.status === 200;
      if (result.status === 200) setLease(result.answer.incident.properties);
      else if (result.status === 409) setLease(result.answer);
    }, function () { /* offline: the next renewal tries again */ });
  }

  function releaseLease() {
    clearInterval(lease.timer);
    var held = lease.held || lease.id !== null;
    var id = lease.id, actor = lease.actor;
    lease = { wanted: false, id: null, actor: null, held: false, timer: null, expiry: lease.expiry };
    if (held && id !== null && actor) {
      // keepalive: the release still goes out when the page is closing
      send(url("lease", id), "DELETE", { actor: actor }, true).catch(function () {});
    }
  }

  // ---- loading and posting ---------------------------------------------------------------

  function url(suffix, id) {
    return cfg.incidentsUrl + "/" + encodeURIComponent(id === undefined ? openId : id) + (suffix ? "/" + suffix : "");
  }

  function send(address, method, payload, keepalive) {
    return fetch(address, {
      method: method, keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(payload)
    }).then(function (r) {
      return r.json().catch(function () { return {}; })
        .then(function (answer) { return { status: r.status, answer: answer }; });
    });
  }

  function load() {
    if (openId === null) return Promise.resolve();
    if (loading) { reloadAgain = true; return loading; }
    var id = openId;
    loading = fetch(url(), { headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (data) {
        if (id !== openId) return;
        detail = data;
        render();
        ctx.onLoaded(data.incident);
      }, function () {
        if (id === openId && !detail) body.replaceChildren(el("p", "empty", S.load_failed));
        else if (id === openId) showMessage(S.load_failed, "error");
      })
      .then(function () {
        loading = null;
        if (reloadAgain) { reloadAgain = false; return load(); }
      });
    return loading;
  }

  function requireActor() {
    var actor = me();
    clearErrors();
    if (!actor) {
      fieldError("actor", S.actor_required);
      actorInput.focus();
    }
    return actor;
  }

  // Send a change; resolves true when it was saved. ``other`` changes another incident
  // ({target, version}) and then reloads this one.
  function post(kind, payload, b, form, other) {
    var actor = requireActor();
    if (!actor) return Promise.resolve(false);
    startEditing();
    payload.actor = actor;
    payload.version = other ? other.version : detail.incident.properties.version;
    if (b) b.disabled = true;
    showMessage("", "info");
    return send(url(kind, other ? other.target : undefined), "POST", payload).then(function (result) {
      if (b) b.disabled = false;
      var answer = result.answer;
      if (result.status === 200 || result.status === 201) {
        if (form) delete form.dataset.dirty;
        if (result.status === 200 && !other) detail.incident = answer.incident;
        ctx.onLoaded(answer.incident);
        showMessage(S.saved, "ok");
        load();
        return true;
      }
      if (result.status === 409 && answer.code !== "proposal_decided") {
        showMessage(serverText(answer, result.status), "warn");
        load();
        return false;
      }
      var text = serverText(answer, result.status);
      if (form && answer.field) scopedError(form, answer.field, text);
      else fieldError(answer.field || "(message)", text);
      return false;
    }, function () {
      if (b) b.disabled = false;
      showMessage(fmt(S.request_failed, { status: "—" }), "error");
      return false;
    });
  }

  // ---- open / close ----------------------------------------------------------------------

  function open(id) {
    id = String(id);
    if (openId !== id) {
      releaseLease();
      openId = id;
      detail = null;
      escalations = null;
      calls = null;
      callsPushed = [];
      reporting = null;
      reportingFailed = false;
      body.replaceChildren(el("p", "empty", S.loading));
      numberEl.textContent = "#" + id;
      showMessage("", "info");
      clearErrors();
    }
    if (panel.hidden) lastFocus = document.activeElement;
    panel.hidden = false;
    panel.dataset.id = id;
    document.body.classList.add("panel-open");
    closeButton.focus();
    return reloadAll();
  }

  // The incident, its escalations and its phone calls, each from the API.
  function reloadAll() {
    loadEscalations();
    loadCalls();
    loadReporting();
    return load();
  }

  function close() {
    releaseLease();
    clearTimeout(lease.expiry);
    panel.hidden = true;
    openId = null;
    detail = null;
    escalations = null;
    calls = null;
    callsPushed = [];
    reporting = null;
    reportingFailed = false;
    delete panel.dataset.id;
    panel.classList.remove("leased");
    document.body.classList.remove("panel-open");
    if (lastFocus && lastFocus.focus && document.contains(lastFocus)) lastFocus.focus();
  }

  // A pushed version of an incident: the lease line changes at once, the rest on reload.
  function pushed(feature) {
    if (openId !== String(feature.id)) return;
    setLease(feature.properties);
    if (lease.wanted && !lease.held && !feature.properties.editing_by) takeLease();  // the other editor left
    load();
  }

  // A new correlation proposal: reload if it involves the open incident.
  function proposed(proposal) {
    if (openId !== null && proposal.incidents.map(String).indexOf(openId) >= 0) load();
  }

  // An escalation started, moved, was answered or found overdue: refetch the open incident's list.
  function escalated(esc) {
    if (openId !== null && String(esc.incident_id) === openId) loadEscalations();
  }

  // A duty-log entry was written: a phone call about the open incident joins its list; an obligation
  // created, filed, late or missed reloads its reporting.
  function logged(entry) {
    if (openId === null || String(entry.incident_id) !== openId) return;
    if (REPORT_KINDS[entry.kind] || (entry.kind === "incident_updated" && entry.data && entry.data.obligations)) {
      loadReporting();
    }
    if (entry.kind !== "phone_call") return;
    if (calls === null) { callsPushed.push(entry); return; }
    addCalls([entry]);
    renderCalls();
  }

  return {
    open: open,
    close: close,
    reload: reloadAll,
    pushed: pushed,
    proposed: proposed,
    escalated: escalated,
    logged: logged,
    openId: function () { return openId; },
    leaseHeld: function () { return lease.held; }
  };
};

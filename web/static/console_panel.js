// The incident panel: one incident with its events and timeline, and the operator's changes.
// Feed text (headlines, addresses, payloads) only ever reaches the page through textContent.
// Every change sends the version the operator saw; a stale one (409) reloads the panel.
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

  var panel = document.getElementById("incident-panel");
  var body = document.getElementById("panel-body");
  var messageEl = document.getElementById("panel-message");
  var actorInput = document.getElementById("actor-name");
  var closeButton = document.getElementById("panel-close");
  var openId = null;
  var detail = null;  // last loaded {"incident", "events", "timeline"}
  var loading = null;
  var reloadAgain = false;
  var lastFocus = null;

  try { actorInput.value = window.localStorage.getItem(ACTOR_KEY) || ""; } catch (e) { /* private mode */ }
  actorInput.addEventListener("change", function () {
    var name = actorInput.value.trim();
    actorInput.value = name;
    try { window.localStorage.setItem(ACTOR_KEY, name); } catch (e) { /* private mode */ }
    if (name) fieldError("actor", "");
  });
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") close(); });

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === undefined || values[key] === null ? "" : String(values[key]);
    });
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

  // ---- rendering -------------------------------------------------------------------------

  function render() {
    var f = detail.incident;
    var p = f.properties;
    var sev = S.severity[p.severity] ? p.severity : "unknown";
    panel.dataset.status = p.status;
    panel.dataset.version = String(p.version);
    var forms = keepForms();
    body.replaceChildren();

    if (p.drill) body.appendChild(el("div", "drill-banner", S.drill_banner));
    if (p.sensitive) body.appendChild(el("div", "sensitive-banner", S.sensitive));
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
      fact(dl, S.grade_proposed, gradeName(p.grade_proposed) +
           (p.grade_reason ? " (" + p.grade_reason + ")" : ""), "grade-proposed");
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
         : Number(p.direct_loss_yuan).toLocaleString(cfg.locale));
    fact(dl, S.updated, [ctx.formatFull(p.updated_at), p.updated_by].filter(Boolean).join(" · "));
    body.appendChild(dl);

    body.appendChild(actionsSection(p));
    body.appendChild(forms.grade || gradeForm());
    body.appendChild(forms.harm || harmForm());
    fillForms(p, forms);
    body.appendChild(eventsSection(detail.events || []));
    body.appendChild(timelineSection(detail.timeline || []));
  }

  function actionsSection(p) {
    var section = el("section", "panel-actions");
    section.appendChild(el("h4", null, S.actions));
    var row = el("div", "buttons");
    (ACTIONS[p.status] || []).forEach(function (action) {
      var button = el("button", "action action-" + action, S.action_names[action]);
      button.type = "button";
      button.dataset.action = action;
      button.addEventListener("click", function () {
        post("actions", { action: action }, button);
      });
      row.appendChild(button);
    });
    var sensitive = el("button", "sensitive-toggle", p.sensitive ? S.clear_sensitive : S.mark_sensitive);
    sensitive.type = "button";
    sensitive.setAttribute("aria-pressed", p.sensitive ? "true" : "false");
    sensitive.addEventListener("click", function () {
      post("sensitive", { sensitive: !p.sensitive }, sensitive);
    });
    row.appendChild(sensitive);
    section.appendChild(row);
    section.appendChild(errorSlot("action"));
    section.appendChild(errorSlot("sensitive"));
    return section;
  }

  // The two forms survive a live reload so what the operator is typing is kept.
  function keepForms() {
    return { grade: body.querySelector("form.grade-form"), harm: body.querySelector("form.harm-form") };
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

  function gradeForm() {
    var form = el("form", "grade-form");
    form.noValidate = true;
    form.appendChild(el("h4", null, S.grade));
    var select = el("select");
    select.name = "grade";
    GRADES.forEach(function (g) {
      var option = el("option", null, S.grades[g]);
      option.value = g;
      select.appendChild(option);
    });
    form.appendChild(labelled(S.grade, select, "grade"));
    form.appendChild(labelled(S.reason, reasonInput(), "reason"));
    var submit = el("button", "submit", S.set_grade);
    submit.type = "submit";
    form.appendChild(submit);
    form.addEventListener("input", function () { form.dataset.dirty = "1"; });
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
    var form = el("form", "harm-form");
    form.noValidate = true;
    form.appendChild(el("h4", null, S.harm));
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
    var submit = el("button", "submit", S.record_harm);
    submit.type = "submit";
    form.appendChild(submit);
    form.addEventListener("input", function () { form.dataset.dirty = "1"; });
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
    if (!kept.grade || !grade.dataset.dirty) {
      grade.elements.grade.value = p.grade || p.grade_proposed || "IV";
      grade.elements.reason.value = "";
    }
    var submit = grade.querySelector("button.submit");
    submit.textContent = !p.grade && p.grade_proposed ? S.confirm_grade : S.set_grade;
    if (!kept.harm || !harm.dataset.dirty) {
      HARM.forEach(function (name) {
        harm.elements[name].value = p[name] === null || p[name] === undefined ? "" : String(p[name]);
      });
      harm.elements.reason.value = "";
    }
  }

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
      if (entry.rule_id) head.appendChild(el("code", "rule", entry.rule_id));
      li.appendChild(head);
      if (entry.before !== null || entry.after !== null) {
        li.appendChild(el("div", "change", (entry.before === null ? "—" : entry.before) + " → " +
                          (entry.after === null ? "—" : entry.after)));
      }
      if (entry.reason) li.appendChild(el("div", "reason", entry.reason));
      list.appendChild(li);
    });
    section.appendChild(list);
    return section;
  }

  // ---- loading and posting ---------------------------------------------------------------

  function url(suffix) {
    return cfg.incidentsUrl + "/" + encodeURIComponent(openId) + (suffix ? "/" + suffix : "");
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

  function post(kind, payload, button, form) {
    var actor = actorInput.value.trim();
    clearErrors();
    if (!actor) {
      fieldError("actor", S.actor_required);
      actorInput.focus();
      return Promise.resolve();
    }
    payload.actor = actor;
    payload.version = detail.incident.properties.version;
    if (button) button.disabled = true;
    showMessage("", "info");
    return fetch(url(kind), {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(payload)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (answer) { return { status: r.status, answer: answer }; });
    }).then(function (result) {
      if (button) button.disabled = false;
      var answer = result.answer;
      if (result.status === 200) {
        if (form) delete form.dataset.dirty;
        detail.incident = answer.incident;
        ctx.onLoaded(answer.incident);
        showMessage(S.saved, "ok");
        return load();
      }
      if (result.status === 409) {
        showMessage(fmt(S.changed_by, { who: answer.changed_by || S.someone,
                                        time: ctx.formatFull(answer.changed_at) }), "warn");
        return load();
      }
      var text = answer.error || fmt(S.request_failed, { status: result.status });
      if (form && answer.field) scopedError(form, answer.field, text);
      else fieldError(answer.field || "(message)", text);
    }, function () {
      if (button) button.disabled = false;
      showMessage(fmt(S.request_failed, { status: "—" }), "error");
    });
  }

  // ---- open / close ----------------------------------------------------------------------

  function open(id) {
    id = String(id);
    if (openId !== id) {
      openId = id;
      detail = null;
      body.replaceChildren(el("p", "empty", S.loading));
      showMessage("", "info");
      clearErrors();
    }
    if (panel.hidden) lastFocus = document.activeElement;
    panel.hidden = false;
    panel.dataset.id = id;
    document.body.classList.add("panel-open");
    closeButton.focus();
    return load();
  }

  function close() {
    panel.hidden = true;
    openId = null;
    detail = null;
    delete panel.dataset.id;
    document.body.classList.remove("panel-open");
    if (lastFocus && lastFocus.focus && document.contains(lastFocus)) lastFocus.focus();
  }

  return {
    open: open,
    close: close,
    reload: load,
    openId: function () { return openId; }
  };
};

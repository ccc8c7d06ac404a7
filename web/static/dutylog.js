// The duty log page: entries from the API, filtered by the query string, new ones pushed live.
// The list is refetched on every (re)connect, so nothing written while away is missed.
(function () {
  "use strict";
  var cfg = window.VIGIL;
  var S = cfg.strings;
  var list = document.getElementById("log");
  var empty = document.getElementById("empty");
  var more = document.getElementById("more");
  var offline = document.getElementById("offline");
  var filters = document.getElementById("filters");
  var exportLink = document.getElementById("export");
  var shiftTitle = document.getElementById("shift-title");
  var items = new Map();
  var nextBefore = null;
  var generation = 0;
  var FILTERS = ["kind", "incident", "shift", "q", "significant", "author", "since", "until"];
  var when = new Intl.DateTimeFormat(cfg.locale, {
    timeZone: cfg.timeZone, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
  });

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key] === undefined ? "" : values[key]; });
  }

  function time(iso) { return iso ? when.format(new Date(iso)) : ""; }

  // --- filters: the query string is the truth, so a filtered view can be linked and reloaded ---

  function current() {
    var params = new URLSearchParams(location.search);
    var state = {};
    FILTERS.forEach(function (name) {
      var value = (params.get(name) || "").trim();
      if (value) state[name] = value;
    });
    return state;
  }

  function query(state, extra) {
    var params = new URLSearchParams();
    FILTERS.forEach(function (name) { if (state[name]) params.set(name, state[name]); });
    Object.keys(extra || {}).forEach(function (name) { params.set(name, extra[name]); });
    return params.toString();
  }

  function showFilters(state) {
    var kind = document.getElementById("filter-kind");
    if (state.kind && !Array.prototype.some.call(kind.options, function (o) { return o.value === state.kind; })) {
      var option = el("option", "", state.kind.split(",").map(function (k) { return S.kinds[k] || k; }).join(", "));
      option.value = state.kind;
      kind.appendChild(option);
    }
    kind.value = state.kind || "";
    document.getElementById("filter-incident").value = state.incident || "";
    document.getElementById("filter-shift").value = state.shift || "";
    document.getElementById("filter-q").value = state.q || "";
    document.getElementById("filter-significant").checked = state.significant === "true";
    exportLink.href = cfg.api.export + "?" + query(state, { format: "csv" });
  }

  function applyForm() {
    var state = current();
    ["kind", "incident", "shift", "q"].forEach(function (name) {
      var value = filters.elements[name].value.trim();
      if (value) state[name] = value; else delete state[name];
    });
    if (filters.elements.significant.checked) state.significant = "true"; else delete state.significant;
    var keepLang = new URLSearchParams(location.search).get("lang");
    var search = query(state, keepLang ? { lang: keepLang } : {});
    history.replaceState(null, "", location.pathname + (search ? "?" + search : ""));
    showFilters(state);
    reload();
  }

  var typing = null;
  filters.addEventListener("input", function (e) {
    clearTimeout(typing);
    typing = setTimeout(applyForm, e.target.type === "search" || e.target.inputMode === "numeric" ? 300 : 0);
  });
  filters.addEventListener("change", function () { clearTimeout(typing); applyForm(); });
  filters.addEventListener("submit", function (e) { e.preventDefault(); clearTimeout(typing); applyForm(); });
  filters.addEventListener("reset", function () {
    setTimeout(function () {
      var keepLang = new URLSearchParams(location.search).get("lang");
      history.replaceState(null, "", location.pathname + (keepLang ? "?lang=" + keepLang : ""));
      showFilters({});
      reload();
    }, 0);
  });

  function matches(entry) {
    var state = current();
    if (state.kind && state.kind.split(",").indexOf(entry.kind) === -1) return false;
    if (state.incident && String(entry.incident_id) !== state.incident) return false;
    if (state.shift && String(entry.shift_id) !== state.shift) return false;
    if (state.author && entry.author !== state.author) return false;
    if (state.significant === "true" && !entry.significant) return false;
    if (state.significant === "false" && entry.significant) return false;
    if (state.q && entry.summary.toLowerCase().indexOf(state.q.toLowerCase()) === -1) return false;
    if (state.since || state.until) return false;  // a time window: the next reload shows it, in the server's terms
    return true;
  }

  function filterLink(name, value, text) {
    var state = {};
    state[name] = String(value);
    var a = el("a", "", text);
    a.href = location.pathname + "?" + query(state);
    return a;
  }

  // --- rendering ---

  function render(entry) {
    var li = items.get(entry.id) || el("li");
    li.id = "entry-" + entry.id;
    li.dataset.id = entry.id;
    li.dataset.kind = entry.kind;
    li._entry = entry;
    li.className = "entry kind-" + entry.kind + (entry.significant ? " significant" : "");

    var head = el("div", "head");
    head.append(el("time", "when", time(entry.occurred_at)), el("span", "kind", S.kinds[entry.kind] || entry.kind));
    var number = el("a", "num", fill(S.entry, { id: entry.id }));
    number.href = "#entry-" + entry.id;
    head.appendChild(number);
    if (entry.significant) head.appendChild(el("span", "star", "★ " + S.significant));

    var meta = el("p", "meta");
    function sep() { if (meta.childNodes.length) meta.appendChild(document.createTextNode(" · ")); }
    meta.appendChild(document.createTextNode(fill(S.by, { author: entry.author })));
    if (entry.written_at && entry.written_at.slice(0, 16) !== entry.occurred_at.slice(0, 16)) {
      sep(); meta.appendChild(document.createTextNode(fill(S.written, { time: time(entry.written_at) })));
    }
    if (entry.incident_id) { sep(); meta.appendChild(filterLink("incident", entry.incident_id, fill(S.incident, { id: entry.incident_id }))); }
    if (entry.shift_id) { sep(); meta.appendChild(filterLink("shift", entry.shift_id, fill(S.shift, { id: entry.shift_id }))); }
    if (entry.corrects_id) {
      sep();
      var target = el("a", "corrects", fill(S.corrects, { id: entry.corrects_id }));
      target.href = "#entry-" + entry.corrects_id;
      meta.appendChild(target);
    }

    var parts = [head, el("p", "summary", entry.summary), meta];
    if (entry.kind === "correction" && entry.data && entry.data.previous_summary) {
      parts.push(el("p", "was", fill(S.was, { text: entry.data.previous_summary })));
    }
    if (entry.kind === "phone_call" && entry.data) parts.push(details(entry.data));
    if (entry.flag) {
      parts.push(el("p", "flag-note", fill(entry.flag.significant ? S.flagged_by : S.unflagged_by,
                                           { author: entry.flag.author, reason: entry.flag.reason || "" })));
    }
    var corrections = el("ul", "corrections");
    (entry.corrections || []).forEach(function (c) {
      var item = el("li", "", fill(S.corrected_by, { id: c.id, author: c.author, text: c.summary }));
      item.dataset.id = c.id;
      corrections.appendChild(item);
    });
    parts.push(corrections);

    var actions = el("div", "entry-actions");
    if (entry.kind !== "significant_flag") {
      var mark = el("button", "mark", entry.significant ? S.unmark : S.mark);
      mark.type = "button";
      mark.addEventListener("click", function () { openFlag(li._entry); });
      actions.appendChild(mark);
    }
    var fix = el("button", "correct", S.correct);
    fix.type = "button";
    fix.addEventListener("click", function () { openCorrection(li._entry); });
    actions.appendChild(fix);
    parts.push(actions);
    li.replaceChildren.apply(li, parts);
    return li;
  }

  function details(data) {
    var box = el("details", "call");
    box.appendChild(el("summary", "", S.details));
    var dl = el("dl");
    Object.keys(S.fields).forEach(function (name) {
      var value = data[name];
      if (value === null || value === undefined || value === "") return;
      if (name === "direction") value = S.directions[value] || value;
      if (name === "occurred_at") value = time(value);
      dl.append(el("dt", "", S.fields[name]), el("dd", "", String(value)));
    });
    box.appendChild(dl);
    return box;
  }

  function place(li, id) {
    // Newest first: before the first entry with a smaller number.
    var node = list.firstElementChild;
    while (node && Number(node.dataset.id) > id) node = node.nextElementSibling;
    list.insertBefore(li, node);
  }

  function add(entry, fresh) {
    var known = items.has(entry.id);
    var li = render(entry);
    if (!known) {
      items.set(entry.id, li);
      if (fresh) { place(li, entry.id); li.classList.add("fresh"); } else list.appendChild(li);
    }
    empty.hidden = items.size > 0;
  }

  // A flag or a correction arriving live changes how the entry it names is shown.
  function follow(entry) {
    var target = items.get(entry.corrects_id);
    if (!target) return;
    var shown = Object.assign({}, target._entry);
    if (entry.kind === "significant_flag" && entry.data) {
      shown.significant = !!entry.data.significant;
      shown.flag = { id: entry.id, author: entry.author, significant: shown.significant, reason: entry.data.reason };
    } else if (entry.kind === "correction") {
      var list_ = (shown.corrections || []).slice();
      if (!list_.some(function (c) { return c.id === entry.id; })) {
        list_.push({ id: entry.id, author: entry.author, summary: entry.summary, written_at: entry.written_at });
      }
      shown.corrections = list_;
    } else {
      return;
    }
    render(shown);
  }

  function pushed(entry) {
    if (entry.corrects_id) follow(entry);
    if (matches(entry)) add(entry, true);
  }

  function load(before) {
    var mine = generation;
    var state = current();
    var extra = { limit: "100" };
    if (before) extra.before = String(before);
    more.disabled = true;
    return fetch(cfg.api.list + "?" + query(state, extra)).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.error || r.status);
        return body;
      });
    }).then(function (body) {
      if (mine !== generation) return;
      body.entries.forEach(function (entry) { add(entry, false); });
      nextBefore = body.next_before;
      more.hidden = !nextBefore;
      more.disabled = false;
      empty.hidden = items.size > 0;
      showShift(body.shift);
    }).catch(function (e) {
      offline.textContent = fill(S.failed, { error: e.message });
      offline.hidden = false;
    });
  }

  function showShift(shift) {
    if (!shift) { shiftTitle.hidden = true; return; }
    function who(p) { return p ? p.display_name + " (" + p.username + ")" : S.nobody; }
    shiftTitle.textContent = fill(S.shift_title, {
      id: shift.id, start: time(shift.starts_at), end: time(shift.ends_at),
      officer: who(shift.duty_officer), leader: who(shift.leader)
    });
    shiftTitle.hidden = false;
  }

  function reload() {
    generation += 1;
    items.forEach(function (li) { li.remove(); });
    items.clear();
    return load(null);
  }

  more.addEventListener("click", function () { if (nextBefore) load(nextBefore); });

  // --- dialogs ---

  // The dialogs do not ask for a name: whoever is logged in writes (web/static/session.js).
  var user = window.vigilSession.user;

  function actorName() { return user; }

  var nameField = window.vigilSession.signAs;

  function clearErrors(form) {
    form.querySelectorAll(".field-error").forEach(function (n) { n.textContent = ""; });
    form.querySelector(".form-error").textContent = "";
    form.querySelectorAll("[aria-invalid]").forEach(function (n) { n.removeAttribute("aria-invalid"); });
  }

  function showErrors(form, body) {
    var problems = body.errors || [{ field: body.field, code: body.code, error: body.error, limit: body.limit }];
    var focused = false;
    problems.forEach(function (p) {
      var text = S.errors[p.code] ? fill(S.errors[p.code], { limit: p.limit, expected: body.expected }) : p.error;
      var slot = p.field && form.querySelector('[data-error-for="' + p.field + '"]');
      if (slot) {
        slot.textContent = text;
        var input = form.elements[p.field];
        if (input && input.setAttribute) {
          input.setAttribute("aria-invalid", "true");
          if (!focused && input.focus) { input.focus(); focused = true; }
        }
      } else {
        form.querySelector(".form-error").textContent = text;
      }
    });
  }

  function post(url, payload) {
    return fetch(url, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload)
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    });
  }

  function wire(dialog, form, submit) {
    dialog.querySelector(".cancel").addEventListener("click", function () { dialog.close(); });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      clearErrors(form);
      var button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      submit().then(function (result) {
        button.disabled = false;
        if (!result) return;
        if (!result.ok) { showErrors(form, result.body); return; }
        dialog.close();
      }).catch(function (err) {
        button.disabled = false;
        form.querySelector(".form-error").textContent = fill(S.failed, { error: err.message });
      });
    });
  }


  // The phone call form. Its time is the duty room's local time; the server reads it in that zone.
  var callDialog = document.getElementById("call-dialog");
  var callForm = document.getElementById("call-form");
  var localParts = new Intl.DateTimeFormat("en-CA", {
    timeZone: cfg.timeZone, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });

  function localNow() {
    var p = {};
    localParts.formatToParts(new Date()).forEach(function (part) { p[part.type] = part.value; });
    return p.year + "-" + p.month + "-" + p.day + "T" + p.hour + ":" + p.minute;
  }

  document.getElementById("new-call").addEventListener("click", function () {
    clearErrors(callForm);
    callForm.elements.occurred_at.value = localNow();
    if (!callForm.elements.recorded_by.value || user) callForm.elements.recorded_by.value = actorName();
    var incident = current().incident;
    if (incident && !callForm.elements.incident_id.value) callForm.elements.incident_id.value = incident;
    callDialog.showModal();
    callForm.elements.unit.focus();
  });

  wire(callDialog, callForm, function () {
    var payload = {};
    Array.prototype.forEach.call(callForm.elements, function (input) {
      if (!input.name || (input.type === "radio" && !input.checked)) return;
      var value = input.value.trim();
      if (value) payload[input.name] = value;
    });
    if (payload.incident_id && /^\d+$/.test(payload.incident_id)) payload.incident_id = Number(payload.incident_id);
    return post(cfg.api.phone_calls, payload).then(function (result) {
      if (result.ok) {
        var who = callForm.elements.recorded_by.value;
        callForm.reset();
        callForm.elements.recorded_by.value = who;
        pushed(result.body);
        document.getElementById("verify-result").textContent = fill(S.saved, { id: result.body.id });
      }
      return result;
    });
  });

  // Mark significant (or remove the mark), with a reason.
  var flagDialog = document.getElementById("flag-dialog");
  var flagForm = document.getElementById("flag-form");
  var flagTarget = null;

  function openFlag(entry) {
    flagTarget = entry;
    clearErrors(flagForm);
    flagForm.reset();
    document.getElementById("flag-title").textContent = entry.significant ? S.unmark : S.mark;
    flagForm.querySelector(".target").textContent = fill(S.entry, { id: entry.id }) + " " + entry.summary;
    flagForm.elements.actor.value = actorName();
    flagDialog.showModal();
    flagForm.elements.reason.focus();
  }

  wire(flagDialog, flagForm, function () {
    var actor = flagForm.elements.actor.value.trim();
    return post(cfg.api.entry + flagTarget.id + "/significant", {
      significant: !flagTarget.significant, reason: flagForm.elements.reason.value.trim(), actor: actor
    }).then(function (result) {
      if (result.ok && result.body.entry) pushed(result.body.entry);
      return result;
    });
  });

  // Correct an entry: the corrected text becomes a new entry.
  var correctDialog = document.getElementById("correct-dialog");
  var correctForm = document.getElementById("correct-form");
  var correctTarget = null;

  function openCorrection(entry) {
    correctTarget = entry;
    clearErrors(correctForm);
    correctForm.elements.summary.value = entry.summary;
    correctForm.elements.actor.value = actorName();
    correctDialog.showModal();
    correctForm.elements.summary.focus();
  }

  wire(correctDialog, correctForm, function () {
    var actor = correctForm.elements.actor.value.trim();
    return post(cfg.api.entry + correctTarget.id + "/corrections", {
      summary: correctForm.elements.summary.value.trim(), actor: actor
    }).then(function (result) {
      if (result.ok) pushed(result.body);
      return result;
    });
  });

  nameField(callForm.elements.recorded_by);
  nameField(flagForm.elements.actor);
  nameField(correctForm.elements.actor);

  // Verify the hash chain on demand.
  document.getElementById("verify").addEventListener("click", function () {
    var out = document.getElementById("verify-result");
    out.textContent = S.loading;
    out.className = "verify-result";
    fetch(cfg.api.verify).then(function (r) { return r.json(); }).then(function (body) {
      out.className = "verify-result " + (body.ok ? "ok" : "broken");
      out.textContent = body.ok ? fill(S.verify_ok, { checked: body.checked })
        : fill(S.verify_broken, { id: body.first_broken_id, reason: body.reason, checked: body.checked });
    }).catch(function (e) {
      out.className = "verify-result broken";
      out.textContent = fill(S.verify_failed, { error: e.message });
    });
  });

  showFilters(current());
  var socket = io("/live", { transports: ["websocket", "polling"] });
  socket.on("connect", function () { offline.hidden = true; reload(); });
  socket.on("disconnect", function () { offline.textContent = S.disconnected; offline.hidden = false; });
  socket.on("dutylog", pushed);
})();

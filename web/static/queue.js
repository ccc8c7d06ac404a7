// The liaison's queue: one department's escalations, answered with one tap, updated live.
// The list is refetched on every (re)connect, so nothing that happened while away is missed.
(function () {
  "use strict";
  var cfg = window.VIGIL;
  var S = cfg.strings;
  var list = document.getElementById("queue");
  var empty = document.getElementById("empty");
  var offline = document.getElementById("offline");
  var actor = document.getElementById("actor");
  var items = new Map();
  var SHOWN = { active: true, acknowledged: true };
  var when = new Intl.DateTimeFormat(cfg.locale, {
    timeZone: cfg.timeZone, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false
  });

  var user = window.vigilSession.user;  // who answers (web/static/session.js)
  window.vigilSession.signAs(actor);

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  function button(esc, answer, className) {
    var b = el("button", className, S[answer]);
    b.type = "button";
    b.dataset.answer = answer;
    b.addEventListener("click", function () { send(esc.id, answer, b); });
    return b;
  }

  function render(esc) {
    var li = items.get(esc.id) || el("li");
    li.className = "item sev-" + (esc.severity || "unknown");
    li.dataset.id = esc.id;
    var title = el("h2");
    if (esc.exercise) title.appendChild(el("span", "exercise", S.exercise));
    title.appendChild(document.createTextNode(esc.headline || ""));
    var state = esc.acknowledged_at && esc.state === "active" ? S.acknowledged : (S.state[esc.state] || esc.state);
    var meta = [state, when.format(new Date(esc.created_at)),
                fill(S.reply_code, { code: esc.reply_code })];
    if (esc.grade) meta.unshift(fill(S.grade, { grade: esc.grade }));
    var answers = el("ul", "answers");
    esc.answers.forEach(function (a) {
      answers.appendChild(el("li", "", fill(S.answered, { actor: a.actor, answer: S.answer_names[a.answer] || a.answer })));
    });
    var buttons = el("div", "buttons");
    buttons.append(button(esc, "acknowledge", "ack"), button(esc, "going", "going"), button(esc, "not_ours", "not-ours"));
    li.replaceChildren(title, el("p", "meta", meta.join(" · ")), answers, buttons, el("p", "error"));
    if (!items.has(esc.id)) {
      items.set(esc.id, li);
      list.prepend(li);
    }
    li._escalation = esc;
  }

  function show(esc) {
    var mine = esc.departments.indexOf(cfg.department) !== -1;
    if (mine && SHOWN[esc.state]) {
      render(esc);
    } else if (items.has(esc.id)) {
      items.get(esc.id).remove();
      items.delete(esc.id);
    }
    empty.hidden = items.size > 0;
  }

  function send(id, answer, b) {
    var who = actor.value.trim();
    var error = items.get(id).querySelector(".error");
    if (!who) { error.textContent = S.name_first; actor.focus(); return; }
    b.disabled = true;
    fetch(cfg.escalationsUrl + "/" + id + "/answers", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ actor: who, answer: answer, via: "web" })
    }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.error || r.status);
        show(body);
      });
    }).catch(function (e) {
      b.disabled = false;
      error.textContent = fill(S.failed, { error: e.message });
    });
  }

  function reload() {
    var url = cfg.escalationsUrl + "?state=active,acknowledged&department=" + encodeURIComponent(cfg.department);
    return fetch(url).then(function (r) { return r.json(); }).then(function (data) {
      items.forEach(function (li) { li.remove(); });
      items.clear();
      data.escalations.slice().reverse().forEach(show);
      empty.hidden = items.size > 0;
    });
  }

  var socket = io("/live", { transports: ["websocket", "polling"] });
  socket.on("connect", function () { offline.hidden = true; reload(); });
  socket.on("disconnect", function () { offline.textContent = S.disconnected; offline.hidden = false; });
  socket.on("escalation", show);
})();

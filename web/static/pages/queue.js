// The liaison's queue: one department's escalations, answered with one tap, updated live. The list is refetched
// on every (re)connect, so nothing that happened while away is missed.
import { button, byId, el } from "../lib/dom.js";
import { fill, shortTime } from "../lib/i18n.js";
import { getJson, refusalText, request } from "../lib/api.js";
import { config, strings as S } from "../lib/page.js";
import { connectLive } from "../lib/live.js";
import { signAs } from "../lib/session.js";

const list = byId("queue");
const empty = byId("empty");
const actor = byId("actor");
const items = new Map();
const SHOWN = new Set(["active", "acknowledged"]);
const ANSWERS = [["acknowledge", "ack"], ["going", "going"], ["not_ours", "not-ours"]];  // answer, its class

signAs(actor);  // who answers

function render(esc) {
  const li = items.get(esc.id) || el("li");
  li.className = "item sev-" + (esc.severity || "unknown");
  li.dataset.id = esc.id;
  const title = el("h2");
  if (esc.exercise) title.appendChild(el("span", "exercise", S.exercise));
  title.appendChild(document.createTextNode(esc.headline || ""));
  const state = esc.acknowledged_at && esc.state === "active" ? S.acknowledged : (S.state[esc.state] || esc.state);
  const meta = [state, shortTime(esc.created_at), fill(S.reply_code, { code: esc.reply_code })];
  if (esc.grade) meta.unshift(fill(S.grade, { grade: esc.grade }));
  const answers = el("ul", "answers");
  esc.answers.forEach((a) => {
    answers.appendChild(el("li", "", fill(S.answered, { actor: a.actor, answer: S.answer_names[a.answer] || a.answer })));
  });
  const buttons = el("div", "buttons");
  ANSWERS.forEach(([answer, className]) => {
    const b = button(className, S[answer], () => send(esc.id, answer, b));
    b.dataset.answer = answer;
    buttons.appendChild(b);
  });
  li.replaceChildren(title, el("p", "meta", meta.join(" · ")), answers, buttons, el("p", "error"));
  if (!items.has(esc.id)) {
    items.set(esc.id, li);
    list.prepend(li);
  }
}

/** An escalation as listed or pushed: in the queue while it is this department's and waiting or acknowledged. */
function show(esc) {
  if (esc.departments.indexOf(config.department) !== -1 && SHOWN.has(esc.state)) render(esc);
  else if (items.has(esc.id)) {
    items.get(esc.id).remove();
    items.delete(esc.id);
  }
  empty.hidden = items.size > 0;
}

async function send(id, answer, b) {
  const who = actor.value.trim();
  const error = items.get(id).querySelector(".error");
  if (!who) {
    error.textContent = S.name_first;
    actor.focus();
    return;
  }
  b.disabled = true;
  try {
    const result = await request("POST", `${config.escalationsUrl}/${id}/answers`, { actor: who, answer, via: "web" });
    if (!result.ok) throw new Error(refusalText(result.body, result.status));
    show(result.body);
  } catch (e) {
    b.disabled = false;
    error.textContent = fill(S.failed, { error: e.message });
  }
}

async function reload() {
  const data = await getJson(`${config.escalationsUrl}?state=active,acknowledged&department=${encodeURIComponent(config.department)}`);
  items.forEach((li) => li.remove());
  items.clear();
  data.escalations.slice().reverse().forEach(show);
  empty.hidden = items.size > 0;
}

connectLive({ connect: reload, escalation: show }, byId("offline"), S.disconnected);

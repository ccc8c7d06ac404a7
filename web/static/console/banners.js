// The lines across the top of the console: a red line per silent feed until it speaks again, and one per
// overdue escalation until it moves on. The auditor pushes "escalation_overdue" when a step is late (the worker
// died, the clock jumped); a later "escalation" push with another due time, an answer or an end clears the line.
// On every (re)connect both are rebuilt from the API, so one raised while this console was away shows.
import { byId, el } from "../lib/dom.js";
import { clockTime, fill, shortTime } from "../lib/i18n.js";
import { getJson } from "../lib/api.js";
import { config, strings as S } from "../lib/page.js";
import { tone } from "./alerts.js";

const feedAlertsEl = byId("feed-alerts");
const escalationAlertsEl = byId("escalation-alerts");
let overdue = new Map();  // escalation id -> {esc: as raised, at: when this console learnt of it}
let open = (_id) => {};  // opens an incident's panel
let changed = (_ids) => {};  // told the overdue escalations' ids whenever they change

/** ``openIncident(id)`` when a line is clicked; ``overdueChanged(ids)`` when the overdue lines change. */
export function setUpBanners(openIncident, overdueChanged) {
  open = openIncident;
  changed = overdueChanged;
}

/** A feed's health as pushed or listed: its line while it is silent, none once it speaks. */
export function showSilence(health) {
  const id = "silent-" + health.source;
  const existing = byId(id);
  if (!health.silent_since) {
    if (existing) existing.remove();
    return;
  }
  const li = existing || el("li");
  li.id = id;
  li.textContent = fill(S.feed_silent, { source: health.source, time: shortTime(health.silent_since) });
  if (!existing) feedAlertsEl.appendChild(li);
}

export async function reloadFeeds() {
  const data = await getJson(config.feedsUrl);
  feedAlertsEl.replaceChildren();
  data.feeds.forEach(showSilence);
}

// Still worth a line: active and unanswered, and overdue as the server says (the API's "overdue"), or, for a
// push, still at the due time the auditor raised.
function stillOverdue(esc, raised) {
  if (esc.state !== "active" || esc.acknowledged_at) return false;
  if (typeof esc.overdue === "boolean") return esc.overdue;
  return !!raised && Date.parse(esc.due_at) === Date.parse(raised.due_at);
}

function overdueLine(esc) {
  const id = "overdue-" + esc.id;
  const li = byId(id) || el("li");
  li.id = id;
  li.dataset.escalation = String(esc.id);
  li.dataset.incident = String(esc.incident_id);
  const button = el("button", "overdue-open", fill(S.escalation_overdue, {
    id: esc.id, incident: esc.incident_id, step: esc.step + 1, steps: esc.steps, time: clockTime(esc.due_at),
  }));
  button.type = "button";
  if (esc.headline) button.appendChild(document.createTextNode(" — " + esc.headline));  // feed text: never HTML
  button.addEventListener("click", () => open(esc.incident_id));
  li.replaceChildren(button);
  return li;
}

function showOverdue() {
  const lines = [];
  overdue.forEach((item) => lines.push(overdueLine(item.esc)));
  escalationAlertsEl.replaceChildren(...lines);
  changed(Array.from(overdue.keys()));
}

/** The auditor found an escalation's step late. */
export function escalationOverdue(esc) {
  if (esc.state !== "active" || esc.acknowledged_at) return;
  const known = overdue.has(String(esc.id));
  overdue.set(String(esc.id), { esc, at: Date.now() });
  showOverdue();
  if (!known) tone();
}

/** An escalation started, moved on, was answered or ended. */
export function escalationChanged(esc) {
  const item = overdue.get(String(esc.id));
  if (!item) return;
  if (stillOverdue(esc, item.esc)) overdue.set(String(esc.id), { esc, at: item.at });
  else overdue.delete(String(esc.id));
  showOverdue();
}

export async function reloadOverdue() {
  const asked = Date.now();
  const answer = await getJson(config.escalationsUrl + "?overdue=true");
  const fresh = new Map();
  overdue.forEach((item, id) => { if (item.at > asked) fresh.set(id, item); });  // pushed meanwhile
  answer.escalations.forEach((esc) => {
    if (!fresh.has(String(esc.id)) && stillOverdue(esc)) fresh.set(String(esc.id), { esc, at: asked });
  });
  overdue = fresh;
  showOverdue();
}

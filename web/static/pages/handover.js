// The shift handover page: the draft Vigil builds, notes and settled items, then the two signatures. A signature
// lands in the duty log, which is pushed live, so the other officer's screen follows.
import { button, byId, el } from "../lib/dom.js";
import { fill, timeFormat } from "../lib/i18n.js";
import { refusalText, request } from "../lib/api.js";
import { config, strings as S } from "../lib/page.js";
import { connectLive } from "../lib/live.js";
import { signAs } from "../lib/session.js";

const actor = byId("actor");
const signError = byId("sign-error");
const problem = byId("problem");
let handover = null;
let shiftId = config.shift || "";
const time = timeFormat({ month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const EMPTY_DRAFT = { open_incidents: [], unacknowledged_escalations: [], reports_due: [], open_items: [], settled: {} };

signAs(actor);  // who signs

const who = (p) => (p ? p.display_name + " (" + p.username + ")" : S.nobody);

function errorText(result) {
  return refusalText(result.body, result.status, S.errors, { expected: (result.body.expected || []).join(", ") });
}

function list(id, rows, total, line) {
  const ul = byId(id);
  ul.replaceChildren();
  if (!rows.length) {
    ul.appendChild(el("li", "", S.none_listed));
    return;
  }
  rows.forEach((row) => ul.appendChild(line(row)));
  if (total > rows.length) ul.appendChild(el("li", "", fill(S.more, { count: total - rows.length })));
}

function render(shift, incoming, h) {
  handover = h;
  shiftId = String(shift.id);
  byId("shift-title").textContent = fill(S.shift, { id: shift.id, start: time(shift.starts_at), end: time(shift.ends_at) });
  byId("shift-people").textContent = fill(S.officer, { name: who(shift.duty_officer) }) + " · " +
    fill(S.leader, { name: who(shift.leader) });
  byId("incoming").textContent = incoming
    ? fill(S.incoming, { id: incoming.id, start: time(incoming.starts_at), end: time(incoming.ends_at),
                         name: who(incoming.duty_officer) })
    : S.no_incoming;
  byId("log-link").href = config.api.dutylog + "?shift=" + shift.id;
  const state = h ? h.state : "none";
  byId("state").textContent = fill(S.state[state], {
    name: h && h.outgoing_signed_by, time: time(h && (h.incoming_signed_at || h.outgoing_signed_at)),
    outgoing: h && h.outgoing_signed_by, incoming: h && h.incoming_signed_by,
  });
  const d = h ? h.draft : EMPTY_DRAFT;
  const editable = state === "draft";
  list("incidents", d.open_incidents, d.open_incidents_total || 0, (i) => {
    const li = el("li", "", fill(S.incident, { id: i.id, headline: i.headline, status: i.status, severity: i.severity,
                                               grade: i.grade ? ", " + i.grade : "" }));
    if (i.cap_status === "exercise" || i.cap_status === "test") li.prepend(el("strong", "", S.exercise + " "));
    return li;
  });
  list("escalations", d.unacknowledged_escalations, d.unacknowledged_escalations_total || 0, (e) => el("li", "",
    fill(S.escalation, { id: e.id, playbook: e.playbook, incident: e.incident_id, headline: e.headline, step: e.step })));
  list("reports", d.reports_due, d.reports_due_total || 0, (r) => {
    const li = el("li", "", fill(S.report, { channel: r.channel, incident: r.incident_id, headline: r.headline,
                                             time: time(r.due_at) }));
    if (r.overdue) li.appendChild(el("span", "overdue", " " + S.overdue));
    return li;
  });
  list("open-items", d.open_items, d.open_items.length, (item) => openItem(item, d.settled || {}, editable));
  const notes = byId("notes");
  if (document.activeElement !== notes) notes.value = d.notes || "";
  notes.readOnly = !editable;
  ["save-notes", "refresh", "sign-outgoing"].forEach((id) => { byId(id).disabled = !editable; });
  byId("sign-incoming").disabled = state !== "outgoing_signed";
}

function openItem(item, settled, editable) {
  const li = el("li");
  li.dataset.key = item.key;
  const reasons = item.reasons.map((r) => fill(S.reasons[r] || r, { owner: item.owner })).join("; ");
  li.appendChild(el("div", "", fill(S.item, { id: item.entry_id, time: time(item.occurred_at), summary: item.summary })
                               + " — " + reasons));
  const mark = settled[item.key];
  if (mark) {
    const done = el("div", "settled", fill(S.settled, { by: mark.by, remark: mark.remark }));
    if (editable) done.append(" ", button("", S.unsettle, () => settle(item.key, null)));
    li.appendChild(done);
  } else if (editable) {
    const row = el("div", "settle");
    const label = el("label", "", S.settle);
    const remark = el("input");
    remark.type = "text";
    remark.maxLength = 500;
    label.appendChild(remark);
    row.append(label, button("", S.save, () => settle(item.key, remark.value.trim())));
    li.appendChild(row);
  }
  return li;
}

function name() {
  const value = actor.value.trim();
  if (!value) {
    signError.textContent = S.name_first;
    actor.focus();
  }
  return value;
}

// Send a change to the handover; on a refusal say why (and reload when the draft moved on).
async function change(suffix, payload) {
  signError.textContent = "";
  const result = await request("POST", `${config.api.handovers}/${handover.id}/${suffix}`, payload);
  if (!result.ok) {
    signError.textContent = fill(S.failed, { error: errorText(result) });
    if (result.body.code === "stale_draft") load(false);
    return false;
  }
  load(false);
  return true;
}

function settle(key, remark) {
  const actorName = name();
  if (actorName) change("notes", { actor: actorName, settled: { [key]: remark } });
}

byId("save-notes").addEventListener("click", async () => {
  const actorName = name();
  if (actorName && await change("notes", { actor: actorName, notes: byId("notes").value })) {
    byId("notes-status").textContent = S.saved;
  }
});

function signAsRole(role) {
  const actorName = name();
  if (!actorName || !handover) return;
  const payload = { role, actor: actorName };
  if (role === "outgoing") payload.digest = handover.digest;
  change("sign", payload);
}

byId("sign-outgoing").addEventListener("click", () => signAsRole("outgoing"));
byId("sign-incoming").addEventListener("click", () => signAsRole("incoming"));
byId("refresh").addEventListener("click", () => load(true));

function showProblem(text) {
  problem.textContent = text;
  problem.hidden = false;
}

// Load the shift due now (or ?shift=); draft its handover when none exists yet, refresh it when asked.
async function load(refresh) {
  const result = await request("GET", config.api.current + (shiftId ? "?shift=" + encodeURIComponent(shiftId) : ""));
  if (!result.ok) {
    showProblem(result.body.code === "no_shift" ? S.no_shift : errorText(result));
    return;
  }
  problem.hidden = true;
  const { shift, incoming_shift: incoming, handover: current } = result.body;
  const draftable = !shift.closed_at && (!current || (refresh && current.state === "draft"));
  if (!draftable) {
    render(shift, incoming, current);
    return;
  }
  const drafted = await request("POST", config.api.handovers, { shift_id: shift.id });
  if (!drafted.ok) showProblem(errorText(drafted));
  else render(shift, incoming, drafted.body);
}

connectLive({
  connect: () => load(!handover),
  dutylog: (entry) => {
    if (entry.kind === "handover" && handover && entry.data && entry.data.handover_id === handover.id) load(false);
  },
}, byId("offline"), S.disconnected);

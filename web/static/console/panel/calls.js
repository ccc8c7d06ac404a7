// The open incident's phone calls, from the duty log (a "dutylog" push adds one), and the form to record one.
import { el, select } from "../../lib/dom.js";
import { fill, fullTime, localNow } from "../../lib/i18n.js";
import { refusalText } from "../../lib/api.js";
import { config, strings as S } from "../../lib/page.js";
import { refusal, requireActor, scopedError, sendFrom, showMessage } from "./feedback.js";
import { labelled, listSection, newForm, onSubmit, submitButton, textArea, textInput } from "./fields.js";
import { openIncidentLoader, redrawSection, state } from "./state.js";

const TEXT_FIELDS = [["unit", 128, "text"], ["name", 64, "text"], ["number", 32, "tel"]];
const SENT = ["direction", "occurred_at", "unit", "name", "number", "situation"];

function callTime(entry) {
  const t = Date.parse((entry.data && entry.data.occurred_at) || entry.occurred_at);
  return isNaN(t) ? 0 : t;
}

/** Add calls to the list (a call already there is replaced), latest call first. */
function addCalls(entries) {
  const byId = new Map();
  (state.calls || []).concat(entries).forEach((entry) => byId.set(entry.id, entry));
  state.calls = Array.from(byId.values()).sort((a, b) => callTime(b) - callTime(a) || b.id - a.id);
}

export function callsSection(kept) {
  const section = listSection("panel-calls", S.calls_title, state.calls, S.no_calls, "calls", callItem);
  section.appendChild(kept["call-form"] || callForm());
  return section;
}

function callItem(entry) {
  const d = entry.data || {};
  const li = el("li", "call");
  li.dataset.id = String(entry.id);
  li.dataset.direction = d.direction || "";
  const head = el("div", "entry-head");
  head.appendChild(el("time", null, fullTime(d.occurred_at || entry.occurred_at)));
  head.appendChild(el("span", "call-direction", S.directions[d.direction] || d.direction || ""));
  head.appendChild(el("span", "call-who", [d.unit, d.name, d.post, d.number].filter(Boolean).join(" · ")));
  li.appendChild(head);
  li.appendChild(el("div", "call-situation", d.situation || entry.summary));
  li.appendChild(el("div", "meta", fill(S.recorded_by, { author: entry.author })));
  return li;
}

function showCalls() {
  redrawSection("panel-calls", callsSection, "call-form");
}

/** Fetch the open incident's calls (with those pushed meanwhile) and show them. */
export const loadCalls = openIncidentLoader(
  (id) => `${config.dutylogUrl}?kind=phone_call&limit=500&incident=${encodeURIComponent(id)}`,
  (answer, id) => {
    state.calls = [];
    addCalls(answer.entries.concat(state.callsPushed.filter((e) => String(e.incident_id) === id)));
    state.callsPushed = [];
    showCalls();
  });

/** A call about the open incident was logged (pushed): it joins the list. */
export function callLogged(entry) {
  if (state.calls === null) {
    state.callsPushed.push(entry);
    return;
  }
  addCalls([entry]);
  showCalls();
}

function callForm() {
  const F = S.call_fields;
  const form = newForm("call-form", S.record_call);
  form.appendChild(labelled(F.direction, select("direction", ["inbound", "outbound"], (v) => S.directions[v]),
                            "direction"));
  const when = el("input");
  when.type = "datetime-local";
  when.name = "occurred_at";
  when.step = "60";
  when.value = localNow();
  form.appendChild(labelled(F.occurred_at, when, "occurred_at"));
  TEXT_FIELDS.forEach(([name, length, type]) => form.appendChild(labelled(F[name], textInput(name, length, type), name)));
  form.appendChild(labelled(F.situation, textArea("situation", 2), "situation"));
  form.appendChild(submitButton(S.save_call));
  return onSubmit(form, recordCall);
}

async function recordCall(form) {
  const actor = requireActor();
  if (!actor) return;
  const payload = { incident_id: Number(state.openId), actor };
  SENT.forEach((name) => {
    const value = form.elements[name].value.trim();
    if (value) payload[name] = value;
  });
  const missing = ["unit", "situation"].concat(payload.direction === "inbound" ? ["number"] : [])
    .filter((name) => !payload[name]);
  missing.forEach((name) => scopedError(form, name, S.required));
  if (missing.length) {
    form.elements[missing[0]].focus();
    return;
  }
  const id = state.openId;
  const result = await sendFrom(form.querySelector("button.submit"), "POST", config.phoneCallsUrl, payload);
  if (!result) return;
  const answer = result.body;
  if (result.status === 201) {
    ["unit", "name", "number", "situation"].forEach((name) => { form.elements[name].value = ""; });
    form.elements.occurred_at.value = localNow();
    delete form.dataset.dirty;
    showMessage(fill(S.call_saved, { id: answer.id }), "ok");
    if (id === state.openId && state.calls !== null) {
      addCalls([answer]);
      showCalls();
    }
    return;
  }
  if (answer.errors && answer.errors.length) {  // one per field
    answer.errors.forEach((p) => scopedError(form, p.field, refusalText(p, result.status, S.call_errors)));
  }
  else showMessage(refusal(answer, result.status), "error");
}

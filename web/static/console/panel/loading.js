// Loading the open incident and sending the operator's changes to it. Every change sends the version the
// operator saw; a stale one (409) is refused, said, and the panel reloads.
import { el } from "../../lib/dom.js";
import { strings as S } from "../../lib/page.js";
import { clearErrors, fieldError, refusal, requireActor, scopedError, sendFrom, showMessage } from "./feedback.js";
import { startEditing } from "./lease.js";
import { body, hooks, incidentUrl, openIncidentLoader, state } from "./state.js";

/** Load the open incident and render it; one request at a time, once more if asked meanwhile. */
export const load = openIncidentLoader((id) => incidentUrl("", id), (data) => {
  state.detail = data;
  hooks.render();
  hooks.changed(data.incident);
}, () => {
  if (!state.detail) body.replaceChildren(el("p", "empty", S.load_failed));
  else showMessage(S.load_failed, "error");
});

/** Send a change (``kind`` is the sub-resource: actions, grade, notes…); resolves true when it was saved.
 *  ``other`` ({target, version}) changes another incident, then reloads this one. */
export async function post(kind, payload, b, form, other) {
  const actor = requireActor();
  if (!actor) return false;
  startEditing();
  payload.actor = actor;
  payload.version = other ? other.version : state.detail.incident.properties.version;
  const result = await sendFrom(b, "POST", incidentUrl(kind, other ? other.target : undefined), payload);
  if (!result) return false;
  const answer = result.body;
  if (result.status === 200 || result.status === 201) {
    if (form) delete form.dataset.dirty;
    if (result.status === 200 && !other) state.detail.incident = answer.incident;
    hooks.changed(answer.incident);
    showMessage(S.saved, "ok");
    load();
    return true;
  }
  if (result.status === 409 && answer.code !== "proposal_decided") {  // stale: said, and the panel reloads
    showMessage(refusal(answer, result.status), "warn");
    load();
    return false;
  }
  const text = refusal(answer, result.status);
  if (form && answer.field) scopedError(form, answer.field, text);
  else fieldError(answer.field || "(message)", text);
  return false;
}

/** Validate, then send: ``check(form)`` returns the payload, or null after saying what is wrong. */
export function submitWith(kind, check, after) {
  return (form) => {
    clearErrors();
    const payload = check(form);
    if (!payload) return;
    const submit = form.querySelector("button.submit");
    post(kind, payload, submit, form).then((ok) => { if (ok && after) after(form); });
  };
}

// What the panel tells the operator: the message line, errors next to the fields they name, the name asked
// for before a change, and the server's refusals in the reader's language.
import { byId, el } from "../../lib/dom.js";
import { fullTime, clockTime } from "../../lib/i18n.js";
import { refusalText, request, requestFailed } from "../../lib/api.js";
import { strings as S } from "../../lib/page.js";
import { actorInput, panelEl } from "./state.js";

const messageEl = byId("panel-message");

/** Say ``text`` on the panel's message line (kind: info, ok, warn, error); "" hides it. */
export function showMessage(text, kind = "info") {
  messageEl.textContent = text || "";
  messageEl.className = "panel-message " + kind;
  messageEl.hidden = !text;
}

/** Send with ``b`` disabled meanwhile and the message line cleared; null (after saying so) when offline. */
export async function sendFrom(b, method, url, payload) {
  if (b) b.disabled = true;
  showMessage("", "info");
  try {
    return await request(method, url, payload);
  } catch (e) {
    showMessage(requestFailed(), "error");  // nothing reached the server
    return null;
  } finally {
    if (b) b.disabled = false;
  }
}

/** An error next to the field it names anywhere in the panel; a field with no slot goes to the message line. */
export function fieldError(field, text) {
  const target = panelEl.querySelector(`.field-error[data-for="${field}"]`);
  if (!target) {
    if (text) showMessage(text, "error");
    return;
  }
  target.textContent = text || "";
  target.hidden = !text;
}

/** An error next to ``field`` in ``form`` (or in the panel when the form has no such field). */
export function scopedError(form, field, text) {
  const slot = form.querySelector(`.field-error[data-for="${field}"]`);
  if (!slot) {
    fieldError(field, text);
    return;
  }
  slot.textContent = text;
  slot.hidden = !text;
}

export function clearErrors() {
  panelEl.querySelectorAll(".field-error").forEach((slot) => {
    slot.textContent = "";
    slot.hidden = true;
  });
}

/** An empty, hidden error slot for ``field``. */
export function errorSlot(field) {
  const slot = el("span", "field-error");
  slot.dataset.for = field;
  slot.hidden = true;
  slot.setAttribute("role", "alert");
  return slot;
}

/** What a refusal says in the reader's language (the transitional code catalogue first, see lib/api.js). */
export function refusal(answer, status) {
  const a = answer || {};
  return refusalText(a, status, S.errors, {
    action: S.action_names[a.action] || a.action,
    status: S.statuses[a.status] || a.status,
    who: a.changed_by || a.editing_by || S.someone,
    time: a.changed_at ? fullTime(a.changed_at) : clockTime(a.editing_until),
    into: a.into, parent: a.parent, limit: a.limit,
    decision: S.decisions[a.decision] || a.decision, field: a.field,
  });
}

/** The name changes are made under (the logged-in user's, web/static/lib/session.js). */
export function me() {
  return actorInput.value.trim();
}

/** The name, or "" after asking for it next to the name field. */
export function requireActor() {
  const actor = me();
  clearErrors();
  if (!actor) {
    fieldError("actor", S.actor_required);
    actorInput.focus();
  }
  return actor;
}

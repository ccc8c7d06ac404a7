// The incident panel: one incident with its facts, actions, reporting, escalations, merges, forms, phone calls,
// feed events and timeline (one module each in this folder), opened from the list, the map or a banner, and
// kept current by the console's pushes. Feed text only ever reaches the page through textContent.
import { el } from "../../lib/dom.js";
import { signAs, user } from "../../lib/session.js";
import { strings as S } from "../../lib/page.js";
import { loadCalls, callLogged } from "./calls.js";
import { loadEscalations } from "./escalations.js";
import { clearErrors, fieldError, showMessage } from "./feedback.js";
import { endLease, leaseHeld, leasePushed, releaseLease, renameLease, startEditing } from "./lease.js";
import { load } from "./loading.js";
import { loadReporting } from "./reporting.js";
import { render } from "./render.js";
import { actorInput, body, forget, hooks, numberEl, panelEl, state } from "./state.js";

const ACTOR_KEY = "vigil.actor";
// Duty-log kinds that create, discharge or miss a report obligation.
const REPORT_KINDS = new Set(["incident_graded", "report_filed", "report_late", "report_missed"]);
let lastFocus = null;

/** The incident, its escalations, phone calls and reporting, each from the API. */
function reloadAll() {
  loadEscalations();
  loadCalls();
  loadReporting();
  return load();
}

function open(id) {
  id = String(id);
  if (state.openId !== id) {
    releaseLease();
    forget(id);
    body.replaceChildren(el("p", "empty", S.loading));
    numberEl.textContent = "#" + id;
    showMessage("", "info");
    clearErrors();
  }
  if (panelEl.hidden) lastFocus = document.activeElement;
  panelEl.hidden = false;
  panelEl.dataset.id = id;
  document.body.classList.add("panel-open");
  document.getElementById("panel-close").focus();
  return reloadAll();
}

function close() {
  endLease();
  panelEl.hidden = true;
  forget(null);
  delete panelEl.dataset.id;
  panelEl.classList.remove("leased");
  document.body.classList.remove("panel-open");
  if (lastFocus && lastFocus.focus && document.contains(lastFocus)) lastFocus.focus();
}

/** A pushed version of an incident: the lease line changes at once, the rest on reload. */
function pushed(feature) {
  if (state.openId !== String(feature.id)) return;
  leasePushed(feature.properties);
  load();
}

/** A new correlation proposal: reload if it involves the open incident. */
function proposed(proposal) {
  if (state.openId !== null && proposal.incidents.map(String).indexOf(state.openId) >= 0) load();
}

/** An escalation started, moved, was answered or found overdue: refetch the open incident's list. */
function escalated(esc) {
  if (state.openId !== null && String(esc.incident_id) === state.openId) loadEscalations();
}

/** A duty-log entry was written: a phone call about the open incident joins its list; an obligation created,
 *  filed, late or missed reloads its reporting. */
function logged(entry) {
  if (state.openId === null || String(entry.incident_id) !== state.openId) return;
  if (REPORT_KINDS.has(entry.kind) || (entry.kind === "incident_updated" && entry.data && entry.data.obligations)) {
    loadReporting();
  }
  if (entry.kind === "phone_call") callLogged(entry);
}

// The person logged in acts, so the name is not asked for; the field only shows on a page rendered for nobody,
// and then the name typed is remembered.
function wireActor() {
  if (user) signAs(actorInput);
  else {
    try { actorInput.value = window.localStorage.getItem(ACTOR_KEY) || ""; } catch (e) { /* private mode */ }
  }
  actorInput.addEventListener("change", () => {
    const name = actorInput.value.trim();
    actorInput.value = name;
    try { window.localStorage.setItem(ACTOR_KEY, name); } catch (e) { /* private mode */ }
    if (name) fieldError("actor", "");
    renameLease(name);
  });
}

/** Set the panel up; ``known(id)`` is the incident as the list holds it, ``changed(feature)`` keeps the list and
 *  map in step with a newer version the panel saw. Returns what the console drives it with. */
export function createPanel({ known, changed }) {
  Object.assign(hooks, { open, render, changed, known });
  wireActor();
  document.getElementById("panel-close").addEventListener("click", close);
  panelEl.addEventListener("keydown", (e) => { if (e.key === "Escape") close(); });
  // Focusing a form or an action is starting to edit; recording a call or filing a report does not change it.
  body.addEventListener("focusin", (e) => {
    if (e.target.closest("form, .panel-actions, .panel-merge") && !e.target.closest(".panel-calls, .panel-reporting")) {
      startEditing();
    }
  });
  window.addEventListener("pagehide", () => releaseLease());
  return {
    open, close, pushed, proposed, escalated, logged, leaseHeld,
    reload: reloadAll,
    openId: () => state.openId,
  };
}

// The incident panel's shared state: its elements, the open incident and what is loaded for it. Every panel
// module reads and writes it here, so none needs another's internals.
import { byId } from "../../lib/dom.js";
import { config } from "../../lib/page.js";

export const panelEl = byId("incident-panel");
export const body = byId("panel-body");
export const actorInput = byId("actor-name");
export const numberEl = byId("panel-number");

export const state = {
  openId: null,  // the open incident's id (a string); null while the panel is closed
  detail: null,  // the last loaded {"incident", "events", "timeline", "merged", "proposals"}
  escalations: null,  // its escalations as the API lists them; null while loading
  calls: null,  // its phone calls (duty-log entries); null while loading
  callsPushed: [],  // calls pushed while the list was still loading
  reporting: null,  // its report series and obligations (GET …/reports); null while loading
  reportingFailed: false,
};

/** Forget what was loaded for the open incident (another one opens, or the panel closes). */
export function forget(openId) {
  Object.assign(state, { openId, detail: null, escalations: null, calls: null, callsPushed: [], reporting: null,
                         reportingFailed: false });
}

// Set once by panel/index.js: what the job modules call but which sits above them.
export const hooks = {
  open: (_id) => {},  // open another incident in the panel
  render: () => {},  // render the whole panel again from state
  changed: (_feature) => {},  // the panel saw a newer version: the console's list and map follow
  known: (_id) => null,  // the incident as the console's list holds it, or null
};

/** The API URL of an incident (the open one by default), with an optional sub-resource. */
export function incidentUrl(suffix, id = state.openId) {
  return config.incidentsUrl + "/" + encodeURIComponent(id) + (suffix ? "/" + suffix : "");
}

/** Put ``fresh`` in place of the panel's section matching ``selector``. */
export function replaceSection(selector, fresh) {
  const old = body.querySelector(selector);
  if (old) old.replaceWith(fresh);
}

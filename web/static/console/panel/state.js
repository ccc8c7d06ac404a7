// The incident panel's shared state: its elements, the open incident and what is loaded for it. Every panel
// module reads and writes it here, so none needs another's internals.
import { byId } from "../../lib/dom.js";
import { getJson, serial } from "../../lib/api.js";
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

/** Draw the section of class ``sectionClass`` again with build(kept), where kept holds its form ``formName`` (if
 *  any) as the operator left it. Before the incident itself is drawn there is nothing to redraw: render() draws
 *  every section then. */
export function redrawSection(sectionClass, build, formName) {
  const old = body.querySelector("section." + sectionClass);
  if (!state.detail || !old) return;
  const form = formName && old.querySelector("form." + formName);
  old.replaceWith(build(form ? { [formName]: form } : {}));
}

/** Load something of the open incident, one request at a time: GET url(id), then loaded(answer, id) while that
 *  incident is still open; failed() (when given) if it could not be loaded. */
export function openIncidentLoader(url, loaded, failed) {
  return serial(async () => {
    const id = state.openId;
    if (id === null) return;
    let answer;
    try {
      answer = await getJson(url(id));
    } catch (error) {
      if (failed && id === state.openId) failed();
      throw error;
    }
    if (id === state.openId) loaded(answer, id);
  });
}

// The operator console: the live map and the incident list, the alert lines across the top, the reports due,
// and the incident panel. Every (re)connect reloads everything from the API, so a console that was away misses
// nothing: a push only says what changed, the database is the truth.
import { byId } from "../lib/dom.js";
import { strings as S } from "../lib/page.js";
import { connectLive } from "../lib/live.js";
import { alertFor, setUpAlerts } from "./alerts.js";
import { escalationChanged, escalationOverdue, reloadFeeds, reloadOverdue, setUpBanners, showSilence }
  from "./banners.js";
import { onFiltersChanged, matches } from "./filters.js";
import { apply, incidents, onChosen, refilter, reload, renderList } from "./incidents.js";
import { reloadDue, setUpReportsDue, touchesReports } from "./reports_due.js";
import { createPanel } from "./panel/index.js";

const layers = window.vigil_layers;  // the map (maps/layers.js)
const statusEl = byId("live-status");

function setStatus(kind) {
  statusEl.className = "status " + kind;
  statusEl.textContent = S[kind];
}

const panel = createPanel({
  known: (id) => incidents.get(String(id)) || null,
  changed: (feature) => {  // the panel saw a newer version: keep the list and the map in step
    const known = incidents.get(String(feature.id));
    if (!known || known.properties.version <= feature.properties.version) {
      apply({ type: "Feature", id: feature.id, geometry: feature.geometry, properties: feature.properties }, false);
    }
  },
});

/** For scripts, tests and degraded.js: what the console holds, and ways to drive it. */
export const consoleApi = {
  incidents, panel, matches, alertCount: 0, overdue: [], reportsDue: [], reloadDue, socket: null,
  // degraded mode reloads from the database: the reports due too
  reload: () => {
    reloadDue();
    return reload();
  },
};
window.vigilConsole = consoleApi;

onChosen((id, focus) => {
  if (focus) layers.focus(id);
  panel.open(id);
});
layers.onSelect((id) => panel.open(id));
onFiltersChanged((statusesChanged) => {
  if (statusesChanged) reload().catch(() => setStatus("disconnected"));  // those statuses come from the API
  else refilter();
});
setUpAlerts();
setUpBanners(panel.open, (ids) => { consoleApi.overdue = ids; });
setUpReportsDue(panel.open, (ids) => { consoleApi.reportsDue = ids; });

const socket = connectLive({
  connect: () => {
    reloadFeeds().catch(() => {});
    reloadDue();
    reloadOverdue().catch(() => {});
    reload().then(() => setStatus("connected"), () => setStatus("disconnected"));
    if (panel.openId() !== null) panel.reload();  // keep the panel open, with what changed meanwhile
  },
  disconnect: () => setStatus("disconnected"),
  feed_silent: showSilence,
  feed_recovered: showSilence,
  incident: (feature) => {
    const known = incidents.has(String(feature.id));
    apply(feature, true);
    consoleApi.alertCount = alertFor(feature, known, panel.open);
    panel.pushed(feature);
  },
  correlation: (proposal) => panel.proposed(proposal),
  escalation_overdue: (esc) => {
    escalationOverdue(esc);
    panel.escalated(esc);
  },
  escalation: (esc) => {
    escalationChanged(esc);
    panel.escalated(esc);
  },
  dutylog: (entry) => {
    if (touchesReports(entry)) reloadDue();
    panel.logged(entry);
  },
});
socket.io.on("reconnect_attempt", () => setStatus("disconnected"));
consoleApi.socket = socket;
renderList();

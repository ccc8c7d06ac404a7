// The console's incidents: everything loaded or pushed is kept here, and the list and the map show what matches
// the filters. A push touches only its own list item: it is removed and put back at its place in the sort order
// (binary search), so a push costs the same with 10,000 incidents open as with ten.
import { button, byId, el } from "../lib/dom.js";
import { fill, shortTime } from "../lib/i18n.js";
import { getJson } from "../lib/api.js";
import { config, strings as S } from "../lib/page.js";
import { OPEN, fillSources, matches, statusQuery } from "./filters.js";

export const incidents = new Map();  // id -> Feature, everything loaded or pushed
let shown = [];  // the sort entries ({t, n, id}) of the listed incidents, newest change first
let entries = new Map();  // id -> its entry in shown
let items = new Map();  // id -> its list item
let openCount = 0;
const sourceCounts = new Map();  // feed name -> incidents held from it (for the source filter)
const listEl = byId("incident-list");
const layers = window.vigil_layers;  // the map (maps/layers.js)
let chosen = (_id, _focus) => {};  // an incident was chosen in the list: open its panel (and find it on the map)

/** ``handler(id, focus)`` when an incident is chosen in the list (focus: also find it on the map). */
export function onChosen(handler) {
  chosen = handler;
}

function itemFor(feature) {
  const p = feature.properties;
  const li = el("li");
  li.dataset.id = String(feature.id);
  li.dataset.severity = p.severity;
  li.dataset.status = p.status;
  li.tabIndex = 0;
  const dot = el("span", "sev sev-" + p.severity);
  dot.title = S.severity[p.severity] || p.severity;
  const text = el("div", "text");
  const headline = el("div", "headline");
  if (p.drill) headline.appendChild(el("span", "drill-tag", S.drill));
  if (p.sensitive) headline.appendChild(el("span", "sensitive-tag", S.sensitive));
  headline.appendChild(document.createTextNode(p.headline));  // feed text: never HTML
  const meta = el("div", "meta", ["#" + feature.id, S.statuses[p.status] || p.status, S.severity[p.severity] || p.severity,
                                  p.grade ? fill(S.grade_short, { grade: p.grade }) : "", p.source,
                                  shortTime(p.occurred_at || p.received_at),
                                  feature.geometry ? "" : S.no_position].filter(Boolean).join(" · "));
  text.append(headline, meta);
  const details = button("details", S.details, () => chosen(feature.id, false));
  details.addEventListener("click", (e) => e.stopPropagation());
  li.append(dot, text, details);
  li.addEventListener("click", () => chosen(feature.id, true));
  li.addEventListener("keydown", (e) => { if (e.key === "Enter" && e.target === li) chosen(feature.id, true); });
  return li;
}

// The list's order is the API's: last change first, then the higher id.
function entryFor(feature) {
  const p = feature.properties;
  const t = Date.parse(p.updated_at || p.received_at || "");
  return { t: isNaN(t) ? 0 : t, n: Number(feature.id), id: String(feature.id) };
}

function sortsBefore(a, b) {
  return a.t > b.t || (a.t === b.t && a.n > b.n);
}

// The first place in shown whose entry does not sort before ``entry``.
function position(entry) {
  let lo = 0;
  let hi = shown.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sortsBefore(shown[mid], entry)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function unlist(id) {
  const entry = entries.get(id);
  if (!entry) return;
  let at = position(entry);
  if (shown[at] !== entry) at = shown.indexOf(entry);  // never expected: keys are unique
  shown.splice(at, 1);
  entries.delete(id);
  items.get(id).remove();
  items.delete(id);
}

function list(feature) {
  const entry = entryFor(feature);
  const at = position(entry);
  const li = itemFor(feature);
  const next = shown[at];
  shown.splice(at, 0, entry);
  entries.set(entry.id, entry);
  items.set(entry.id, li);
  listEl.insertBefore(li, next ? items.get(next.id) : null);
  return li;
}

// Keep the open count and the source names in step with incidents; true when a source name appeared or went.
function counted(feature, step) {
  const p = feature.properties;
  if (OPEN.has(p.status)) openCount += step;
  if (!p.source) return false;
  const n = (sourceCounts.get(p.source) || 0) + step;
  if (n > 0) sourceCounts.set(p.source, n);
  else sourceCounts.delete(p.source);
  return n === 0 || (n === 1 && step > 0);
}

function showCounts() {
  byId("empty-list").hidden = shown.length > 0;
  byId("open-count").textContent = fill(S.open_count, { n: openCount });
  const hidden = incidents.size - shown.length;
  byId("hidden-count").textContent = hidden ? fill(S.hidden_count, { n: hidden }) : "";
}

/** The whole list again: after a load or a filter change. Items already built are reused. */
export function renderList() {
  const features = [];
  openCount = 0;
  sourceCounts.clear();
  incidents.forEach((f) => {
    counted(f, 1);
    if (matches(f)) features.push(f);
  });
  shown = features.map(entryFor).sort((a, b) => (sortsBefore(a, b) ? -1 : 1));
  const built = items;
  entries = new Map();
  items = new Map();
  const fragment = document.createDocumentFragment();
  shown.forEach((entry) => {
    const li = built.get(entry.id) || itemFor(incidents.get(entry.id));
    entries.set(entry.id, entry);
    items.set(entry.id, li);
    fragment.appendChild(li);
  });
  listEl.replaceChildren(fragment);
  showCounts();
  fillSources(sourceCounts.keys());
}

/** The filters changed: the markers and the list follow. */
export function refilter() {
  layers.showIncidents(Array.from(incidents.values()), matches);
  renderList();
}

/** One incident changed: its item leaves the list and, if it still matches, comes back rebuilt at its place in
 *  the order (marked fresh when pushed). Nothing else in the list is touched. */
export function apply(feature, fresh) {
  const id = String(feature.id);
  const old = incidents.get(id);
  let sourcesMoved = old ? counted(old, -1) : false;
  unlist(id);
  if (feature.properties.merged_into) {  // shown through the incident it joined
    incidents.delete(id);
    layers.showIncident(feature, false);
  } else {
    incidents.set(id, feature);
    sourcesMoved = counted(feature, 1) || sourcesMoved;
    const visible = matches(feature);
    layers.showIncident(feature, visible);
    if (visible) {
      const li = list(feature);
      if (fresh) li.classList.add("fresh");
    }
  }
  showCounts();
  if (sourcesMoved) fillSources(sourceCounts.keys());
}

/** Everything again from the API (with the statuses the filters ask for). */
export async function reload() {
  const status = statusQuery();
  const collection = await getJson(config.incidentsUrl + (status ? "?status=" + encodeURIComponent(status) : ""));
  incidents.clear();
  items.clear();  // every item is rebuilt from what the API says now
  listEl.replaceChildren();
  collection.features.forEach((f) => incidents.set(String(f.id), f));
  refilter();
}

// The console's filters (source, warning level, grade, status, words): they apply to the list, the markers and
// pushes alike. Everything loaded or pushed is kept; only what matches is shown.
import { byId, el } from "../lib/dom.js";
import { config, strings as S } from "../lib/page.js";

/** The statuses of an open incident (command/enums.py OPEN, from the server). */
export const OPEN = new Set(config.openStatuses);
const SEARCH_DELAY_MS = 200;

const form = byId("filters");
const ALL_STATUSES = Array.from(form.querySelectorAll('input[name="status"]'), (box) => box.value);
const sourceEl = byId("filter-source");
const searchEl = byId("filter-q");
let filter = readFilters();

function checked(name) {
  const values = new Set();
  form.querySelectorAll(`input[name="${name}"]`).forEach((box) => { if (box.checked) values.add(box.value); });
  return values;
}

function readFilters() {
  return { source: sourceEl.value, severity: checked("severity"), grade: checked("grade"), status: checked("status"),
           q: searchEl.value.trim().toLowerCase() };
}

/** True when the incident passes every filter. */
export function matches(feature) {
  const p = feature.properties;
  if (filter.source && p.source !== filter.source) return false;
  if (!filter.severity.has(S.severity[p.severity] ? p.severity : "unknown")) return false;
  if (!filter.grade.has(p.grade || "none")) return false;
  if (!filter.status.has(p.status)) return false;
  if (filter.q) {
    const text = [p.headline, p.event, p.address].filter(Boolean).join(" ").toLowerCase();
    if (text.indexOf(filter.q) < 0) return false;
  }
  return true;
}

/** The statuses to ask the API for: "" for the open ones (its default), else a comma list. */
export function statusQuery() {
  const wanted = ALL_STATUSES.filter((s) => filter.status.has(s));
  return wanted.every((s) => OPEN.has(s)) ? "" : wanted.join(",");
}

/** Offer the sources of the incidents held (and the one chosen), in name order. */
export function fillSources(sources) {
  const names = Array.from(new Set([...sources, ...(filter.source ? [filter.source] : [])])).sort();
  const current = Array.from(sourceEl.options).slice(1).map((o) => o.value);
  if (current.join("\n") === names.join("\n")) return;
  const keep = sourceEl.value;
  while (sourceEl.options.length > 1) sourceEl.remove(1);
  names.forEach((name) => {
    const option = el("option", null, name);  // feed-supplied: text only
    option.value = name;
    sourceEl.appendChild(option);
  });
  sourceEl.value = keep;
}

/** Call ``changed(statusesChanged)`` whenever the filters change (the words after a pause in typing). */
export function onFiltersChanged(changed) {
  let searchTimer = null;
  const apply = () => {
    const before = statusQuery();
    filter = readFilters();
    changed(statusQuery() !== before);
  };
  form.addEventListener("input", (e) => {
    if (e.target !== searchEl) return;
    clearTimeout(searchTimer);
    searchTimer = setTimeout(apply, SEARCH_DELAY_MS);
  });
  form.addEventListener("change", (e) => { if (e.target !== searchEl) apply(); });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    apply();
  });
}

// The duty log page: entries from the API, filtered by the query string, new ones pushed live. The list is
// refetched on every (re)connect, so nothing written while away is missed.
import { byId, el } from "../lib/dom.js";
import { fill, timeFormat } from "../lib/i18n.js";
import { getJson, refusalText, request } from "../lib/api.js";
import { config, strings as S } from "../lib/page.js";
import { connectLive } from "../lib/live.js";
import { openDialogs } from "./dutylog_dialogs.js";

const list = byId("log");
const empty = byId("empty");
const more = byId("more");
const offline = byId("offline");
const filters = byId("filters");
const items = new Map();
let nextBefore = null;
let generation = 0;
const FILTERS = ["kind", "incident", "shift", "q", "significant", "author", "since", "until"];
const time = timeFormat({ year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
                          second: "2-digit", hourCycle: "h23" });

// --- filters: the query string is the truth, so a filtered view can be linked and reloaded ---

function current() {
  const params = new URLSearchParams(location.search);
  const state = {};
  FILTERS.forEach((name) => {
    const value = (params.get(name) || "").trim();
    if (value) state[name] = value;
  });
  return state;
}

function query(state, extra = {}) {
  const params = new URLSearchParams();
  FILTERS.forEach((name) => { if (state[name]) params.set(name, state[name]); });
  Object.keys(extra).forEach((name) => params.set(name, extra[name]));
  return params.toString();
}

function showFilters(state) {
  const kind = byId("filter-kind");
  if (state.kind && !Array.from(kind.options).some((o) => o.value === state.kind)) {
    const option = el("option", "", state.kind.split(",").map((k) => S.kinds[k] || k).join(", "));
    option.value = state.kind;
    kind.appendChild(option);
  }
  kind.value = state.kind || "";
  byId("filter-incident").value = state.incident || "";
  byId("filter-shift").value = state.shift || "";
  byId("filter-q").value = state.q || "";
  byId("filter-significant").checked = state.significant === "true";
  byId("export").href = config.api.export + "?" + query(state, { format: "csv" });
}

// Show ``state`` and keep it in the address (with the language chosen, if any), then load what it selects.
function showState(state) {
  const keepLang = new URLSearchParams(location.search).get("lang");
  const search = query(state, keepLang ? { lang: keepLang } : {});
  history.replaceState(null, "", location.pathname + (search ? "?" + search : ""));
  showFilters(state);
  reload();
}

function applyForm() {
  const state = current();
  ["kind", "incident", "shift", "q"].forEach((name) => {
    const value = filters.elements[name].value.trim();
    if (value) state[name] = value;
    else delete state[name];
  });
  if (filters.elements.significant.checked) state.significant = "true";
  else delete state.significant;
  showState(state);
}

let typing = null;
filters.addEventListener("input", (e) => {
  clearTimeout(typing);
  typing = setTimeout(applyForm, e.target.type === "search" || e.target.inputMode === "numeric" ? 300 : 0);
});
filters.addEventListener("change", () => {
  clearTimeout(typing);
  applyForm();
});
filters.addEventListener("submit", (e) => {
  e.preventDefault();
  clearTimeout(typing);
  applyForm();
});
filters.addEventListener("reset", () => setTimeout(() => showState({}), 0));

function matches(entry) {
  const state = current();
  if (state.kind && state.kind.split(",").indexOf(entry.kind) === -1) return false;
  if (state.incident && String(entry.incident_id) !== state.incident) return false;
  if (state.shift && String(entry.shift_id) !== state.shift) return false;
  if (state.author && entry.author !== state.author) return false;
  if (state.significant === "true" && !entry.significant) return false;
  if (state.significant === "false" && entry.significant) return false;
  if (state.q && entry.summary.toLowerCase().indexOf(state.q.toLowerCase()) === -1) return false;
  if (state.since || state.until) return false;  // a time window: the next reload shows it, in the server's terms
  return true;
}

function link(href, text, className = "") {
  const a = el("a", className, text);
  a.href = href;
  return a;
}

function filterLink(name, value, text) {
  return link(location.pathname + "?" + query({ [name]: String(value) }), text);
}

// --- rendering ---

function metaLine(entry) {
  const parts = [document.createTextNode(fill(S.by, { author: entry.author }))];
  if (entry.written_at && entry.written_at.slice(0, 16) !== entry.occurred_at.slice(0, 16)) {
    parts.push(document.createTextNode(fill(S.written, { time: time(entry.written_at) })));
  }
  if (entry.incident_id) parts.push(filterLink("incident", entry.incident_id, fill(S.incident, { id: entry.incident_id })));
  if (entry.shift_id) parts.push(filterLink("shift", entry.shift_id, fill(S.shift, { id: entry.shift_id })));
  if (entry.corrects_id) parts.push(link("#entry-" + entry.corrects_id, fill(S.corrects, { id: entry.corrects_id }), "corrects"));
  const meta = el("p", "meta");
  parts.forEach((part, i) => {
    if (i) meta.appendChild(document.createTextNode(" · "));
    meta.appendChild(part);
  });
  return meta;
}

function render(entry) {
  const li = items.get(entry.id) || el("li");
  li.id = "entry-" + entry.id;
  li.dataset.id = entry.id;
  li.dataset.kind = entry.kind;
  li._entry = entry;
  li.className = "entry kind-" + entry.kind + (entry.significant ? " significant" : "");

  const head = el("div", "head");
  head.append(el("time", "when", time(entry.occurred_at)), el("span", "kind", S.kinds[entry.kind] || entry.kind),
              link("#entry-" + entry.id, fill(S.entry, { id: entry.id }), "num"));
  if (entry.significant) head.appendChild(el("span", "star", "★ " + S.significant));

  const parts = [head, el("p", "summary", entry.summary), metaLine(entry)];
  if (entry.kind === "correction" && entry.data && entry.data.previous_summary) {
    parts.push(el("p", "was", fill(S.was, { text: entry.data.previous_summary })));
  }
  if (entry.kind === "phone_call" && entry.data) parts.push(details(entry.data));
  if (entry.flag) {
    parts.push(el("p", "flag-note", fill(entry.flag.significant ? S.flagged_by : S.unflagged_by,
                                         { author: entry.flag.author, reason: entry.flag.reason || "" })));
  }
  const corrections = el("ul", "corrections");
  (entry.corrections || []).forEach((c) => {
    const item = el("li", "", fill(S.corrected_by, { id: c.id, author: c.author, text: c.summary }));
    item.dataset.id = c.id;
    corrections.appendChild(item);
  });
  parts.push(corrections, dialogs.actions(li, entry));
  li.replaceChildren(...parts);
  return li;
}

function details(data) {
  const box = el("details", "call");
  box.appendChild(el("summary", "", S.details));
  const dl = el("dl");
  Object.keys(S.fields).forEach((name) => {
    let value = data[name];
    if (value === null || value === undefined || value === "") return;
    if (name === "direction") value = S.directions[value] || value;
    if (name === "occurred_at") value = time(value);
    dl.append(el("dt", "", S.fields[name]), el("dd", "", String(value)));
  });
  box.appendChild(dl);
  return box;
}

function place(li, id) {
  // Newest first: before the first entry with a smaller number.
  let node = list.firstElementChild;
  while (node && Number(node.dataset.id) > id) node = node.nextElementSibling;
  list.insertBefore(li, node);
}

function add(entry, fresh) {
  const known = items.has(entry.id);
  const li = render(entry);
  if (!known) {
    items.set(entry.id, li);
    if (fresh) {
      place(li, entry.id);
      li.classList.add("fresh");
    } else list.appendChild(li);
  }
  empty.hidden = items.size > 0;
}

// A flag or a correction arriving live changes how the entry it names is shown.
function follow(entry) {
  const target = items.get(entry.corrects_id);
  if (!target) return;
  const shown = { ...target._entry };
  if (entry.kind === "significant_flag" && entry.data) {
    shown.significant = !!entry.data.significant;
    shown.flag = { id: entry.id, author: entry.author, significant: shown.significant, reason: entry.data.reason };
  } else if (entry.kind === "correction") {
    const corrections = (shown.corrections || []).slice();
    if (!corrections.some((c) => c.id === entry.id)) {
      corrections.push({ id: entry.id, author: entry.author, summary: entry.summary, written_at: entry.written_at });
    }
    shown.corrections = corrections;
  } else {
    return;
  }
  render(shown);
}

/** An entry written here or pushed: it follows what it corrects, and joins the list if it matches. */
function pushed(entry) {
  if (entry.corrects_id) follow(entry);
  if (matches(entry)) add(entry, true);
}

async function load(before) {
  const mine = generation;
  const extra = { limit: "100" };
  if (before) extra.before = String(before);
  more.disabled = true;
  let result;
  try {
    result = await request("GET", config.api.list + "?" + query(current(), extra));
    if (!result.ok) throw new Error(refusalText(result.body, result.status));
  } catch (e) {
    offline.textContent = fill(S.failed, { error: e.message });
    offline.hidden = false;
    return;
  }
  if (mine !== generation) return;
  result.body.entries.forEach((entry) => add(entry, false));
  nextBefore = result.body.next_before;
  more.hidden = !nextBefore;
  more.disabled = false;
  empty.hidden = items.size > 0;
  showShift(result.body.shift);
}

function showShift(shift) {
  const title = byId("shift-title");
  if (!shift) {
    title.hidden = true;
    return;
  }
  const who = (p) => (p ? p.display_name + " (" + p.username + ")" : S.nobody);
  title.textContent = fill(S.shift_title, { id: shift.id, start: time(shift.starts_at), end: time(shift.ends_at),
                                            officer: who(shift.duty_officer), leader: who(shift.leader) });
  title.hidden = false;
}

function reload() {
  generation += 1;
  items.forEach((li) => li.remove());
  items.clear();
  return load(null);
}

more.addEventListener("click", () => { if (nextBefore) load(nextBefore); });

// Verify the hash chain on demand.
byId("verify").addEventListener("click", async () => {
  const out = byId("verify-result");
  out.textContent = S.loading;
  out.className = "verify-result";
  try {
    const body = await getJson(config.api.verify);
    out.className = "verify-result " + (body.ok ? "ok" : "broken");
    out.textContent = body.ok ? fill(S.verify_ok, { checked: body.checked })
      : fill(S.verify_broken, { id: body.first_broken_id, reason: body.reason, checked: body.checked });
  } catch (e) {
    out.className = "verify-result broken";
    out.textContent = fill(S.verify_failed, { error: e.message });
  }
});

const dialogs = openDialogs({ current, pushed });
showFilters(current());
connectLive({ connect: reload, dutylog: pushed }, offline, S.disconnected);

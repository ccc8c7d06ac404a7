// The "Reports due" strip (待报送): the open and missed report obligations, soonest first. Loaded on every
// (re)connect and refetched when the duty log says an obligation was created, filed, late or missed. The
// countdown ticks on this console's clock, corrected by the server's "now" of the last answer, so a console
// whose clock is off still counts to the server's deadline.
import { byId, el } from "../lib/dom.js";
import { clockTime, fill, shortTime, zoneDay } from "../lib/i18n.js";
import { request, serial } from "../lib/api.js";
import { config, strings as S } from "../lib/page.js";

const dueEl = byId("reports-due");
const listEl = byId("reports-due-list");
const countEl = byId("reports-due-count");
const toggle = byId("reports-due-toggle");
const COLLAPSED_KEY = "vigil.reportsDue.collapsed";
const DUE_KINDS = new Set(["incident_graded", "report_filed", "report_late", "report_missed"]);
let dueItems = [];  // the obligations as /reports/due lists them
let serverOffset = 0;  // server clock − this console's clock, in ms
let timer = null;
let collapsed = false;  // the operator's choice, kept for the next page load when the browser allows
let open = (_id) => {};  // opens an incident's panel
let changed = (_ids) => {};  // told the listed obligations' ids whenever they change

function setCollapsed(value) {
  collapsed = value;
  try { window.localStorage.setItem(COLLAPSED_KEY, value ? "1" : "0"); } catch (e) { /* private mode */ }
  toggle.setAttribute("aria-expanded", value ? "false" : "true");
  dueEl.classList.toggle("collapsed", value);
  listEl.hidden = value;
}

// The due time in the duty room's zone: HH:MM today there, with the date on another day.
function dueTime(iso, now) {
  const d = new Date(iso);
  if (isNaN(d.getTime())) return "";
  return zoneDay(d) === zoneDay(new Date(now)) ? clockTime(iso) : shortTime(iso);
}

function countdown(ms) {  // 29:41, 1:05:12
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const pad = (n) => (n < 10 ? "0" : "") + n;
  const rest = pad(Math.floor((total % 3600) / 60)) + ":" + pad(total % 60);
  return h ? h + ":" + rest : rest;
}

// What is left of an obligation's time, or how long it is overdue (whole minutes, rounded up).
function remaining(item, now) {
  const left = Date.parse(item.due_at) - now;
  if (left > 0 && item.status === "open") return { overdue: false, text: fill(S.time_left, { time: countdown(left) }) };
  return { overdue: true, text: fill(S.overdue_by, { n: Math.max(1, Math.ceil(-left / 60000)) }) };
}

function dueLine(item, now) {
  const li = el("li");
  li.dataset.obligation = String(item.id);
  li.dataset.incident = String(item.incident_id);
  li.dataset.channel = item.channel;
  li.dataset.status = item.status;
  const button = el("button", "report-due-open");
  button.type = "button";
  const parts = [["report-due-incident", "#" + item.incident_id],
                 ["report-due-headline", item.headline || ""],  // feed text: never HTML
                 ["report-due-channel", S.report_channels[item.channel] || item.channel],
                 ["report-due-time", fill(S.due_time, { time: dueTime(item.due_at, now) })]];
  if (item.status === "missed") parts.push(["report-due-missed", S.obligation_statuses.missed]);
  parts.push(["report-due-left", ""]);
  parts.forEach(([className, text]) => button.appendChild(el("span", className, text)));
  button.title = item.headline || "";
  button.addEventListener("click", () => open(item.incident_id));
  li.appendChild(button);
  return li;
}

function tick() {
  const now = Date.now() + serverOffset;
  Array.from(listEl.children).forEach((li, i) => {
    const item = dueItems[i];
    if (!item) return;
    const left = remaining(item, now);
    const span = li.querySelector(".report-due-left");
    if (span.textContent !== left.text) span.textContent = left.text;
    li.classList.toggle("overdue", left.overdue);
    li.classList.toggle("missed", item.status === "missed");
  });
}

function showDue() {
  const now = Date.now() + serverOffset;
  const focused = document.activeElement && listEl.contains(document.activeElement)
    ? document.activeElement.closest("li").dataset.obligation : null;
  listEl.replaceChildren(...dueItems.map((item) => dueLine(item, now)));
  if (focused) {  // a refresh must not take the keyboard's place
    const again = listEl.querySelector(`li[data-obligation="${focused}"] button`);
    if (again) again.focus({ preventScroll: true });
  }
  const missed = dueItems.filter((item) => item.status === "missed").length;
  countEl.textContent = String(dueItems.length) + (missed ? " · " + fill(S.missed_count, { n: missed }) : "");
  dueEl.classList.toggle("has-missed", missed > 0);
  dueEl.hidden = !dueItems.length;
  tick();
  clearInterval(timer);
  timer = dueItems.length ? setInterval(tick, 1000) : null;
  changed(dueItems.map((item) => item.id));
}

/** Load what is due and show it (nothing for a role that may not read it: no strip). */
export const reloadDue = serial(async () => {
  if (!config.reportsDueUrl) return;
  const asked = Date.now();
  const result = await request("GET", config.reportsDueUrl + "?status=open,missed");
  if (result.status === 401 || result.status === 403) {
    dueItems = [];
  } else if (!result.ok) {
    return;  // kept as it was; the next push or reconnect retries
  } else {
    const server = Date.parse(result.body.now);
    if (!isNaN(server)) serverOffset = server - (asked + Date.now()) / 2;
    dueItems = result.body.obligations || [];
  }
  showDue();
});

/** True for a duty-log entry that creates, discharges or misses an obligation. */
export function touchesReports(entry) {
  return DUE_KINDS.has(entry.kind) || (entry.kind === "incident_updated" && !!(entry.data && entry.data.obligations));
}

/** ``openIncident(id)`` when a line is clicked; ``dueChanged(ids)`` when the list changes. */
export function setUpReportsDue(openIncident, dueChanged) {
  open = openIncident;
  changed = dueChanged;
  try { collapsed = window.localStorage.getItem(COLLAPSED_KEY) === "1"; } catch (e) { /* private mode */ }
  toggle.addEventListener("click", () => setCollapsed(!collapsed));
  setCollapsed(collapsed);
}

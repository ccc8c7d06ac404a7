// The edit lease: advisory "being edited by …" that other consoles show. Taken at the first edit, renewed while
// the panel is open, given back when it closes; someone else's current lease is shown, never fought over. The
// version check stays the real guard.
import { byId, el } from "../../lib/dom.js";
import { clockTime, fill } from "../../lib/i18n.js";
import { request } from "../../lib/api.js";
import { strings as S } from "../../lib/page.js";
import { me } from "./feedback.js";
import { incidentUrl, panelEl, state } from "./state.js";

const RENEW_MS = 60000;  // the server's lease lasts two minutes

// Wanted from the first edit until the panel closes.
let lease = { wanted: false, id: null, actor: null, held: false, timer: null };
let expiry = null;  // hides the banner when the other editor's lease lapses

/** The banner's place, near the top of the panel (render.js puts it there; showLease fills it). */
export function leaseBanner() {
  const box = el("div", "lease-banner");
  box.id = "lease-banner";
  box.setAttribute("role", "status");
  box.hidden = true;
  return box;
}

/** "Being edited by …" while someone else's lease is current; hidden again when it lapses. */
export function showLease() {
  const box = byId("lease-banner");
  clearTimeout(expiry);
  if (!box || !state.detail) return;
  const p = state.detail.incident.properties;
  const until = p.editing_until ? Date.parse(p.editing_until) : NaN;
  const other = p.editing_by && p.editing_by !== me() && until > Date.now();
  box.hidden = !other;
  panelEl.classList.toggle("leased", !!other);
  if (!other) {
    box.replaceChildren();
    return;
  }
  box.replaceChildren(el("strong", "lease-who", fill(S.editing_by, { who: p.editing_by, time: clockTime(p.editing_until) })),
                      el("span", "lease-note", S.editing_advisory));
  expiry = setTimeout(showLease, Math.min(until - Date.now() + 500, 2147483647));
}

/** Who holds the lease now, as a push or an answer says. */
function setLease(properties) {
  if (!state.detail || !properties) return;
  state.detail.incident.properties.editing_by = properties.editing_by;
  state.detail.incident.properties.editing_until = properties.editing_until;
  showLease();
}

export function startEditing() {
  if (state.openId === null || lease.wanted) return;
  lease.wanted = true;
  takeLease();
  lease.timer = setInterval(takeLease, RENEW_MS);
}

function giveBack(id, actor) {
  // keepalive: the release still goes out when the page is closing
  request("DELETE", incidentUrl("lease", id), { actor }, { keepalive: true }).catch(() => {});
}

/** Take or renew the lease. */
function takeLease() {
  const actor = me();
  const id = state.openId;
  if (!lease.wanted || id === null || !actor) return Promise.resolve();
  lease.id = id;
  lease.actor = actor;
  return request("POST", incidentUrl("lease", id), { actor }).then((result) => {
    if (id !== state.openId || actor !== lease.actor || !lease.wanted) {  // given back while this was on its way
      if (result.status === 200) giveBack(id, actor);
      return;
    }
    lease.held = result.status === 200;
    if (result.status === 200) setLease(result.body.incident.properties);
    else if (result.status === 409) setLease(result.body);
  }, () => { /* offline: the next renewal tries again */ });
}

export function releaseLease() {
  clearInterval(lease.timer);
  const held = lease.held || lease.id !== null;
  const { id, actor } = lease;
  lease = { wanted: false, id: null, actor: null, held: false, timer: null };
  if (held && id !== null && actor) giveBack(id, actor);
}

/** Give the lease back and stop watching someone else's (the panel closes). */
export function endLease() {
  releaseLease();
  clearTimeout(expiry);
}

/** The operator's name changed: the lease follows it. */
export function renameLease(name) {
  if (lease.wanted && name !== lease.actor) {
    releaseLease();
    startEditing();
  }
  showLease();
}

/** A pushed version of the open incident: the lease line changes at once; if the other editor left, take it. */
export function leasePushed(properties) {
  setLease(properties);
  if (lease.wanted && !lease.held && !properties.editing_by) takeLease();
}

export function leaseHeld() {
  return lease.held;
}

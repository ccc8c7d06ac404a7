// The console's degraded mode: a banner while live updates cannot flow.
//
// With several web processes every push goes through the message queue (Redis), even to a process's own
// consoles, so while the queue is down the socket stays connected but nothing arrives. The page cannot hear that
// over the socket, so it asks GET /healthz: every NORMAL_MS, and every DEGRADED_MS while degraded. While degraded
// it shows a banner and reloads the incidents from the database at each check; when the queue is back it hides
// the banner and reloads once more, for whatever was pushed (and lost) meanwhile.
//
// Its own script tag after console/main.js, whose console it drives. /healthz is found relative to this
// file (…/static/console/degraded.js), so a path prefix works.
import { el } from "../lib/dom.js";
import { strings as S } from "../lib/page.js";
import { consoleApi } from "./main.js";

const NORMAL_MS = 10000;
const DEGRADED_MS = 5000;
const healthUrl = new URL("../../healthz", import.meta.url).href;
const words = S.degraded || {};  // in the page's language (web/console.py, _client_strings)

const banner = el("div", "degraded-banner");
banner.id = "degraded-banner";
banner.setAttribute("role", "alert");
banner.hidden = true;
document.querySelector("header.bar").after(banner);

let state = "ok";  // ok | live | database
let timer = null;

// The database is the truth: reload the incidents (and the open panel) from it.
function reload() {
  consoleApi.reload().catch(() => {});
  if (consoleApi.panel.openId() !== null) consoleApi.panel.reload();
}

function badge(degraded) {
  const status = document.getElementById("live-status");
  if (degraded) {
    status.className = "status disconnected degraded";
    status.textContent = words.badge;
  } else if (status.classList.contains("degraded")) {  // put back what the socket says
    const connected = consoleApi.socket.connected;
    status.className = "status " + (connected ? "connected" : "disconnected");
    status.textContent = S[connected ? "connected" : "disconnected"];
  }
}

function show(next) {
  const before = state;
  state = next;
  banner.hidden = next === "ok";
  banner.textContent = next === "ok" ? "" : words[next];
  document.body.setAttribute("data-degraded", next === "ok" ? "" : next);
  badge(next !== "ok");
  if (next === "live") reload();  // keep the list current while nothing is pushed
  else if (next === "ok" && before !== "ok") reload();  // pushes made while degraded were lost
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(check, state === "ok" ? NORMAL_MS : DEGRADED_MS);
}

function check() {
  fetch(healthUrl, { cache: "no-store", credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => response.json())
    .then((health) => {
      if (health.database && health.database.ok === false) show("database");
      else if (health.live && health.live.ok === false) show("live");
      else show("ok");
    }, () => { /* no answer at all: the server itself is away, which the socket's own status already says */ })
    .then(schedule, schedule);
}

consoleApi.socket.on("connect", check);  // a reconnect is a good moment to look again
window.vigilDegraded = { check, state: () => state };
check();

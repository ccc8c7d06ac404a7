// Talking to the API: JSON both ways, the session's CSRF token on every change (web/auth.py), and a refusal
// said in the reader's language.
import { fill } from "./i18n.js";

const csrfMeta = document.querySelector('meta[name="csrf-token"]');
const CSRF_TOKEN = csrfMeta ? csrfMeta.content : "";
// "Request failed (%(status)s)" in the page's language (web/templates/_session_head.html).
const failedMeta = document.querySelector('meta[name="vigil-request-failed"]');
const REQUEST_FAILED = failedMeta ? failedMeta.content : "Request failed (%(status)s)";

/** GET a JSON document; rejects on an answer that is not 2xx, and when offline. */
export async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) throw new Error("HTTP " + response.status);
  return response.json();
}

/** GET or send JSON; resolves to {ok, status, body} whatever the status (rejects only when offline).
 *  ``keepalive`` lets the request finish while the page closes. */
export async function request(method, url, payload, { keepalive = false } = {}) {
  const headers = { Accept: "application/json" };
  if (payload !== undefined) headers["Content-Type"] = "application/json";
  if (CSRF_TOKEN && method !== "GET") headers["X-CSRF-Token"] = CSRF_TOKEN;
  const response = await fetch(url, {
    method, headers, keepalive, credentials: "same-origin",
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });
  const body = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, body };
}

/** "Request failed (…)" in the reader's language; "—" for no answer at all. */
export function requestFailed(status = "—") {
  return fill(REQUEST_FAILED, { status });
}

/** What a refusal says: the server's message, already in the reader's language, else "Request failed (…)".
 *  ``catalogue`` (code -> template, filled with ``values``) is transitional: pages still carry their own words for
 *  the codes until the server renders every message from its catalogue (issue 12); then it goes. */
export function refusalText(body, status, catalogue, values) {
  const template = body && body.code && catalogue && catalogue[body.code];
  if (template) return fill(template, values || body);
  return (body && body.error) || requestFailed(status);
}

/** fetchOnce run one at a time: asked again while running, it runs once more when done. Failures are swallowed:
 *  what was shown stays, and the next push or reconnect asks again. */
export function serial(fetchOnce) {
  let running = null;
  let again = false;
  return function run() {
    if (running) {
      again = true;
      return running;
    }
    running = Promise.resolve().then(fetchOnce).catch(() => {}).then(() => {
      running = null;
      if (again) {
        again = false;
        return run();
      }
      return undefined;
    });
    return running;
  };
}

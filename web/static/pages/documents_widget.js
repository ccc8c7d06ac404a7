// The documents widget: "Generate PDF" -> a progress bar that polls the job -> a download link.
//
// Any page that sets window.VIGIL.documents = {url, strings} can mount it:
//   mount(element, {kind, params: () => ({...}), language: () => "zh", actor: () => "name", formats: ["pdf", "html"]})
// or, without code: <div data-document-kind="handover" data-document-params='{"handover_id": 3}'></div> and
// mountDeclared(). The actor is the logged-in person, else read from an #actor input when there is one.
import { button, byId, el } from "../lib/dom.js";
import { fill, isChinese } from "../lib/i18n.js";
import { getJson, refusalText, request } from "../lib/api.js";
import { config } from "../lib/page.js";
import { user } from "../lib/session.js";

const documents = config.documents || {};
const S = documents.strings || {};
const POLL_MS = 600;
const RETRY_MS = 2000;

function defaultActor() {
  const input = byId("actor");
  return user || (input ? input.value.trim() : "");
}

/** Put the widget in ``root``; returns {start(format)}. */
export function mount(root, options = {}) {
  const kind = options.kind || root.getAttribute("data-document-kind");
  const params = options.params || (() => JSON.parse(root.getAttribute("data-document-params") || "{}"));
  const language = options.language || (() => root.getAttribute("data-document-language") || (isChinese() ? "zh" : "en"));
  const actor = options.actor || defaultActor;
  const formats = options.formats || (root.getAttribute("data-document-formats") || "pdf html").split(/\s+/);

  root.classList.add("vdoc");
  const buttons = formats.map((format) => {
    const b = button(format === "pdf" ? "vdoc-go" : "vdoc-go secondary",
                     format === "pdf" ? S.generate_pdf : S.generate_html, () => start(format));
    b.setAttribute("data-format", format);
    root.appendChild(b);
    return b;
  });
  const bar = el("progress", "vdoc-bar");
  bar.max = 100;
  bar.value = 0;
  bar.hidden = true;
  const status = el("span", "vdoc-status");
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  const link = el("a", "vdoc-file");
  link.hidden = true;
  root.append(bar, status, link);

  const busy = (on) => buttons.forEach((b) => { b.disabled = on; });
  const say = (text, isError) => {
    status.textContent = text;
    status.classList.toggle("error", !!isError);
  };
  const refused = (error) => {
    bar.hidden = true;
    busy(false);
    say(fill(S.refused, { error }), true);
  };

  async function start(format) {
    const who = actor();
    if (!who) {
      say(S.name_first, true);
      return;
    }
    let body;
    try {
      body = { kind: typeof kind === "function" ? kind() : kind, params: params(), format, language: language(),
               actor: who };
    } catch (error) {
      say(fill(S.refused, { error: error.message }), true);
      return;
    }
    busy(true);
    link.hidden = true;
    bar.hidden = false;
    bar.value = 0;
    say(S.queued);
    let result;
    try {
      result = await request("POST", documents.url, body);
    } catch (error) {
      refused(error.message);
      return;
    }
    if (result.status !== 202) {
      refused(refusalText(result.body, result.status));
      return;
    }
    show(result.body);
    poll(result.body.url);
  }

  function show(job) {
    root.setAttribute("data-job", job.id);
    root.setAttribute("data-status", job.status);
    bar.value = job.progress;
    if (job.status === "queued") say(S.queued);
    else if (job.status === "running") say(fill(S.running, { progress: job.progress }));
    else if (job.status === "failed") {
      say(fill(S.failed, { error: job.error || "" }), true);
      busy(false);
    } else if (job.status === "done") {
      bar.value = 100;
      say(S.done);
      link.href = job.file_url;
      link.textContent = job.file_name;
      if (job.format === "html") {
        link.target = "_blank";
        link.rel = "noopener";
      } else link.removeAttribute("target");
      link.hidden = false;
      busy(false);
    }
  }

  function poll(url) {
    setTimeout(async () => {
      let job;
      try {
        job = await getJson(url);
      } catch (e) {
        say(S.retrying, true);
        setTimeout(() => poll(url), RETRY_MS);
        return;
      }
      show(job);
      if (job.status === "queued" || job.status === "running") poll(url);
    }, POLL_MS);
  }

  return { start };
}

/** Mount the widget on every element that declares a document kind (data-document-kind). */
export function mountDeclared() {
  document.querySelectorAll("[data-document-kind]").forEach((root) => mount(root));
}

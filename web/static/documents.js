/* The documents widget: "Generate PDF" -> a progress bar that polls the job -> a download link.
 *
 * Reusable on any page that sets window.VIGIL_DOCUMENTS = {url, strings} and loads this file:
 *   VigilDocuments.mount(element, {kind, params: () => ({...}), language: () => "zh", actor: () => "name",
 *                                  formats: ["pdf", "html"]})
 * or, without code: <div data-document-kind="handover" data-document-params='{"handover_id": 3}'></div>
 * (the actor is the logged-in person, else read from an #actor input when there is one). The /documents page's form is wired at the end.
 */
(function () {
  "use strict";
  var config = window.VIGIL_DOCUMENTS || {};
  var S = config.strings || {};
  var POLL_MS = 600, RETRY_MS = 2000;

  function fill(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; }).replace(/%%/g, "%");
  }

  function csrfHeaders() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var headers = {"Content-Type": "application/json", "Accept": "application/json"};
    if (meta && meta.content) { headers["X-CSRF-Token"] = meta.content; }
    return headers;
  }

  function pageLanguage() {
    return (document.documentElement.lang || "").indexOf("zh") === 0 ? "zh" : "en";
  }

  // The person logged in (web/static/session.js).
  function loggedIn() { return window.vigilSession.user; }

  function defaultActor() {
    var input = document.getElementById("actor");
    return loggedIn() || (input ? input.value.trim() : "");
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function mount(root, options) {
    options = options || {};
    var kind = options.kind || root.getAttribute("data-document-kind");
    var params = options.params || function () { return JSON.parse(root.getAttribute("data-document-params") || "{}"); };
    var language = options.language || function () { return root.getAttribute("data-document-language") || pageLanguage(); };
    var actor = options.actor || defaultActor;
    var formats = options.formats || (root.getAttribute("data-document-formats") || "pdf html").split(/\s+/);

    root.classList.add("vdoc");
    var buttons = formats.map(function (format) {
      var button = el("button", format === "pdf" ? "vdoc-go" : "vdoc-go secondary",
                      format === "pdf" ? S.generate_pdf : S.generate_html);
      button.type = "button";
      button.setAttribute("data-format", format);
      button.addEventListener("click", function () { start(format); });
      root.appendChild(button);
      return button;
    });
    var bar = el("progress", "vdoc-bar");
    bar.max = 100;
    bar.value = 0;
    bar.hidden = true;
    var status = el("span", "vdoc-status");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    var link = el("a", "vdoc-file");
    link.hidden = true;
    root.appendChild(bar);
    root.appendChild(status);
    root.appendChild(link);

    function busy(on) { buttons.forEach(function (b) { b.disabled = on; }); }

    function say(text, isError) {
      status.textContent = text;
      status.classList.toggle("error", !!isError);
    }

    function start(format) {
      var who = actor();
      if (!who) { say(S.name_first, true); return; }
      var body;
      try {
        body = {kind: typeof kind === "function" ? kind() : kind, params: params(), format: format,
                language: language(), actor: who};
      } catch (error) {
        say(fill(S.refused, {error: error.message}), true);
        return;
      }
      busy(true);
      link.hidden = true;
      bar.hidden = false;
      bar.value = 0;
      say(S.queued);
      fetch(config.url, {method: "POST", headers: csrfHeaders(), body: JSON.stringify(body), credentials: "same-origin"})
        .then(function (response) {
          return response.json().then(function (data) { return {ok: response.status === 202, data: data}; });
        })
        .then(function (answer) {
          if (!answer.ok) {
            bar.hidden = true;
            busy(false);
            say(fill(S.refused, {error: answer.data.error || ""}), true);
            return;
          }
          show(answer.data);
          poll(answer.data.url);
        })
        .catch(function (error) {
          bar.hidden = true;
          busy(false);
          say(fill(S.refused, {error: error.message}), true);
        });
    }

    function show(job) {
      root.setAttribute("data-job", job.id);
      root.setAttribute("data-status", job.status);
      bar.value = job.progress;
      if (job.status === "queued") { say(S.queued); }
      else if (job.status === "running") { say(fill(S.running, {progress: job.progress})); }
      else if (job.status === "failed") { say(fill(S.failed, {error: job.error || ""}), true); busy(false); }
      else if (job.status === "done") {
        bar.value = 100;
        say(S.done);
        link.href = job.file_url;
        link.textContent = job.file_name;
        if (job.format === "html") { link.target = "_blank"; link.rel = "noopener"; } else { link.removeAttribute("target"); }
        link.hidden = false;
        busy(false);
      }
    }

    function poll(url) {
      setTimeout(function () {
        fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
          .then(function (response) {
            if (!response.ok) { throw new Error(String(response.status)); }
            return response.json();
          })
          .then(function (job) {
            show(job);
            if (job.status === "queued" || job.status === "running") { poll(url); }
          })
          .catch(function () {
            say(S.retrying, true);
            setTimeout(function () { poll(url); }, RETRY_MS);
          });
      }, POLL_MS);
    }

    return {start: start};
  }

  window.VigilDocuments = {mount: mount};

  function wirePage() {
    var form = document.getElementById("documents-form");
    var widget = document.getElementById("documents-widget");
    if (!form || !widget) { return; }
    var kindSelect = form.elements.kind;
    var actorInput = document.getElementById("actor");
    if (loggedIn() && actorInput && form.contains(actorInput)) {  // the server records who is logged in: no need to ask
      actorInput.value = loggedIn();
      actorInput.readOnly = true;
      var field = actorInput.closest("label") || actorInput;
      field.hidden = true;
      field.style.display = "none";
    }
    function showFields() {
      form.querySelectorAll("[data-for]").forEach(function (label) {
        label.hidden = label.getAttribute("data-for") !== kindSelect.value;
      });
    }
    kindSelect.addEventListener("change", showFields);
    showFields();
    var paramOf = {daily: "date", monthly: "month", report: "report_id", handover: "handover_id"};
    mount(widget, {
      kind: function () { return kindSelect.value; },
      params: function () {
        var name = paramOf[kindSelect.value], value = form.elements[name].value;
        var params = {};
        params[name] = /_id$/.test(name) ? parseInt(value, 10) : value;
        return params;
      },
      language: function () { return form.elements.language.value; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-document-kind]").forEach(function (root) { mount(root); });
    wirePage();
  });
})();

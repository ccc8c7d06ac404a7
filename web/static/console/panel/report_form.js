// Filing a report from the panel: the kind (what may come next in the series), the channel, and the kind's
// fields, required ones first. The first report may leave what is not yet known to be verified (待核实).
import { el, select } from "../../lib/dom.js";
import { fill, isChinese } from "../../lib/i18n.js";
import { strings as S } from "../../lib/page.js";
import { errorSlot, refusal, requireActor, scopedError, sendFrom, showMessage } from "./feedback.js";
import { labelled, newForm, onSubmit, submitButton, textArea, textInput } from "./fields.js";
import { incidentUrl, state } from "./state.js";

const F = S.report_form;
const LONG_FIELDS = new Set(["summary", "trend", "progress", "casualties", "losses", "measures", "cause"]);
// A refusal that means someone else filed meanwhile: the kinds that may come next have changed.
const SERIES_MOVED = new Set(["series_closed", "first_exists", "first_missing"]);

/** The label of a filed report (首报, 续报…) in the reader's language. */
export function reportLabel(report) {
  return isChinese() ? report.label_zh : report.label_en;
}

/** The form to file one of ``kinds`` next; ``filed()`` refetches the incident's reporting. */
export function reportForm(kinds, filed) {
  const form = newForm("report-form", F.title);
  form.dataset.kinds = kinds.join(",");
  const kind = select("kind", kinds, (k) => F.kinds[k] || k);
  form.appendChild(labelled(F.kind, kind, "kind"));
  form.appendChild(labelled(S.report_channel, select("channel", ["phone", "written"], (c) => S.report_channels[c]),
                            "channel"));
  const fields = el("div", "report-form-fields");
  form.appendChild(fields);
  form.appendChild(errorSlot("fields"));
  form.appendChild(errorSlot("to_verify"));
  form.appendChild(submitButton(F.submit));
  kind.addEventListener("change", () => reportFields(fields, kind.value));
  reportFields(fields, kind.value);
  return onSubmit(form, () => fileReport(form, filed));
}

// The chosen kind's fields; what was typed in a field the new kind also asks for is kept.
function reportFields(box, kind) {
  const typed = {};
  box.querySelectorAll("[data-field]").forEach((input) => { typed[input.dataset.field] = input.value; });
  box.replaceChildren();
  const required = F.required[kind] || [];
  (F.fields[kind] || []).forEach((name) => {
    const input = LONG_FIELDS.has(name) ? textArea("field_" + name, 2) : textInput("field_" + name, 4000);
    input.dataset.field = name;
    input.value = typed[name] || "";
    input.id = "report-field-" + name;
    const mandatory = required.indexOf(name) >= 0;
    if (mandatory) input.setAttribute("aria-required", "true");
    const wrap = el("div", "field report-field" + (mandatory ? " required" : ""));
    wrap.dataset.name = name;
    const head = el("div", "report-field-head");
    const label = el("label", "label", S.report_fields[name] || name);
    label.htmlFor = input.id;
    head.appendChild(label);
    wrap.appendChild(head);
    wrap.appendChild(input);
    wrap.appendChild(errorSlot("fields." + name));
    if (kind === "first" && !mandatory) head.appendChild(verifyBox(name));
    box.appendChild(wrap);
  });
}

function verifyBox(name) {
  const check = el("input");
  check.type = "checkbox";
  check.name = "verify_" + name;
  check.dataset.verify = name;
  const mark = el("label", "to-verify-box");
  mark.appendChild(check);
  mark.appendChild(document.createTextNode(" " + F.to_verify));
  return mark;
}

async function fileReport(form, filed) {
  const actor = requireActor();
  if (!actor) return;
  const payload = { kind: form.elements.kind.value, channel: form.elements.channel.value, fields: {}, to_verify: [],
                    actor };
  form.querySelectorAll("[data-field]").forEach((input) => {
    const value = input.value.trim();
    if (value) payload.fields[input.dataset.field] = value;
  });
  form.querySelectorAll("[data-verify]").forEach((check) => {
    if (check.checked) payload.to_verify.push(check.dataset.verify);
  });
  const id = state.openId;
  const result = await sendFrom(form.querySelector("button.submit"), "POST", incidentUrl("reports", id), payload);
  if (!result) return;
  const answer = result.body;
  if (result.status === 201) {
    delete form.dataset.dirty;
    form.reset();
    reportFields(form.querySelector(".report-form-fields"), form.elements.kind.value);
    showMessage(fill(F.filed, { report: reportLabel(answer.report || {}) }), "ok");
    if (id === state.openId) filed();  // the "dutylog" push refetches too
    return;
  }
  const text = refusal(answer, result.status);
  const slot = answer.field && form.querySelector(`.field-error[data-for="${answer.field}"]`);
  if (slot) {
    scopedError(form, answer.field, text);
    const input = form.querySelector(`[data-field="${answer.field.replace(/^fields\./, "")}"]`);
    if (input && answer.field.indexOf("fields.") === 0) input.focus();
  } else showMessage(text, "error");
  if (SERIES_MOVED.has(answer.code)) filed();  // someone else filed meanwhile: offer what may come next now
}

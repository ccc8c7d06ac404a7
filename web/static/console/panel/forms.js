// The panel's forms for the incident itself: grade, harm figures and notes. They are filled from the incident
// unless the operator has started typing in them.
import { select } from "../../lib/dom.js";
import { strings as S } from "../../lib/page.js";
import { scopedError } from "./feedback.js";
import { labelled, newForm, onSubmit, reasonInput, submitButton, textArea, wholeNumberInput } from "./fields.js";
import { submitWith } from "./loading.js";
import { body } from "./state.js";

const GRADES = ["I", "II", "III", "IV"];
const HARM = ["deaths", "serious_injuries", "direct_loss_yuan"];

/** The reason typed in ``form``, or "" after saying it is required. */
function requiredReason(form) {
  const reason = form.elements.reason.value.trim();
  if (!reason) scopedError(form, "reason", S.reason_required);
  return reason;
}

export function gradeForm() {
  const form = newForm("grade-form", S.grade);
  form.appendChild(labelled(S.grade, select("grade", GRADES, (g) => S.grades[g]), "grade"));
  form.appendChild(labelled(S.reason, reasonInput(), "reason"));
  form.appendChild(submitButton(S.set_grade));
  return onSubmit(form, submitWith("grade", () => {
    const reason = requiredReason(form);
    return reason ? { grade: form.elements.grade.value, reason } : null;
  }));
}

export function harmForm() {
  const form = newForm("harm-form", S.harm);
  const labels = { deaths: S.deaths, serious_injuries: S.serious_injuries, direct_loss_yuan: S.direct_loss };
  HARM.forEach((name) => form.appendChild(labelled(labels[name], wholeNumberInput(name, 0), name)));
  form.appendChild(labelled(S.reason, reasonInput(), "reason"));
  form.appendChild(submitButton(S.record_harm));
  return onSubmit(form, submitWith("harm", () => {
    const payload = {};
    let bad = false;
    HARM.forEach((name) => {
      const raw = form.elements[name].value.trim();
      if (raw === "") payload[name] = null;
      else if (/^\d+$/.test(raw)) payload[name] = parseInt(raw, 10);
      else {
        scopedError(form, name, S.whole_number);
        bad = true;
      }
    });
    payload.reason = requiredReason(form);
    return bad || !payload.reason ? null : payload;
  }));
}

export function noteForm() {
  const form = newForm("note-form", S.note);
  form.appendChild(labelled(S.note, textArea("text", 2), "text"));
  form.appendChild(submitButton(S.add_note));
  return onSubmit(form, submitWith("notes", () => {
    const text = form.elements.text.value.trim();
    if (!text) scopedError(form, "text", S.note_empty);
    return text ? { text } : null;
  }, () => { form.elements.text.value = ""; }));
}

/** Fill the grade and harm forms from the incident, unless the operator has started typing in them. */
export function fillForms(p, kept) {
  const grade = body.querySelector("form.grade-form");
  const harm = body.querySelector("form.harm-form");
  if (!kept["grade-form"] || !grade.dataset.dirty) {
    grade.elements.grade.value = p.grade || p.grade_proposed || "IV";
    grade.elements.reason.value = "";
  }
  grade.querySelector("button.submit").textContent = !p.grade && p.grade_proposed ? S.confirm_grade : S.set_grade;
  if (!kept["harm-form"] || !harm.dataset.dirty) {
    HARM.forEach((name) => {
      harm.elements[name].value = p[name] === null || p[name] === undefined ? "" : String(p[name]);
    });
    harm.elements.reason.value = "";
  }
}

// The duty log's dialogs: record a phone call, mark an entry significant (or remove the mark), correct an entry.
// They do not ask for a name: whoever is logged in writes (lib/session.js).
import { byId, button, el } from "../lib/dom.js";
import { fill, localNow } from "../lib/i18n.js";
import { refusalText, request } from "../lib/api.js";
import { config, strings as S } from "../lib/page.js";
import { signAs } from "../lib/session.js";

function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((n) => { n.textContent = ""; });
  form.querySelector(".form-error").textContent = "";
  form.querySelectorAll("[aria-invalid]").forEach((n) => n.removeAttribute("aria-invalid"));
}

// Each refusal next to the field it names (the first such field focused), else under the form.
function showErrors(form, body, status) {
  const problems = body.errors || [body];
  let focused = false;
  problems.forEach((p) => {
    const text = refusalText(p, status, S.errors, { limit: p.limit, expected: body.expected });
    const slot = p.field && form.querySelector(`[data-error-for="${p.field}"]`);
    if (!slot) {
      form.querySelector(".form-error").textContent = text;
      return;
    }
    slot.textContent = text;
    const input = form.elements[p.field];
    if (input && input.setAttribute) {
      input.setAttribute("aria-invalid", "true");
      if (!focused && input.focus) {
        input.focus();
        focused = true;
      }
    }
  });
}

// A dialog whose form sends payload() to url(); ``done(body)`` after it was saved.
function wire(dialog, form, url, payload, done) {
  dialog.querySelector(".cancel").addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const submit = form.querySelector('button[type="submit"]');
    submit.disabled = true;
    let result;
    try {
      result = await request("POST", url(), payload());
    } catch (err) {
      form.querySelector(".form-error").textContent = fill(S.failed, { error: err.message });
      return;
    } finally {
      submit.disabled = false;
    }
    if (!result.ok) {
      showErrors(form, result.body, result.status);
      return;
    }
    done(result.body);
    dialog.close();
  });
}

/** Wire the dialogs; ``pushed(entry)`` shows an entry just written, ``current()`` is the page's filter state.
 *  Returns ``actions(li, entry)``: an entry's "mark" and "correct" buttons. */
export function openDialogs({ current, pushed }) {
  const callDialog = byId("call-dialog");
  const callForm = byId("call-form");
  const flagDialog = byId("flag-dialog");
  const flagForm = byId("flag-form");
  const correctDialog = byId("correct-dialog");
  const correctForm = byId("correct-form");
  let target = null;  // the entry being marked or corrected

  // The phone call form. Its time is the duty room's local time; the server reads it in that zone.
  byId("new-call").addEventListener("click", () => {
    clearErrors(callForm);
    callForm.elements.occurred_at.value = localNow();
    const incident = current().incident;
    if (incident && !callForm.elements.incident_id.value) callForm.elements.incident_id.value = incident;
    callDialog.showModal();
    callForm.elements.unit.focus();
  });
  wire(callDialog, callForm, () => config.api.phone_calls, () => {
    const payload = {};
    Array.from(callForm.elements).forEach((input) => {
      if (!input.name || (input.type === "radio" && !input.checked)) return;
      const value = input.value.trim();
      if (value) payload[input.name] = value;
    });
    if (payload.incident_id && /^\d+$/.test(payload.incident_id)) payload.incident_id = Number(payload.incident_id);
    return payload;
  }, (entry) => {
    const who = callForm.elements.recorded_by.value;
    callForm.reset();
    callForm.elements.recorded_by.value = who;
    pushed(entry);
    byId("verify-result").textContent = fill(S.saved, { id: entry.id });
  });

  function openFor(dialog, form, entry, focus) {
    target = entry;
    clearErrors(form);
    signAs(form.elements.actor);  // again: a reset empties it
    dialog.showModal();
    form.elements[focus].focus();
  }

  // Mark significant (or remove the mark), with a reason.
  function openFlag(entry) {
    flagForm.reset();
    byId("flag-title").textContent = entry.significant ? S.unmark : S.mark;
    flagForm.querySelector(".target").textContent = fill(S.entry, { id: entry.id }) + " " + entry.summary;
    openFor(flagDialog, flagForm, entry, "reason");
  }
  wire(flagDialog, flagForm, () => config.api.entry + target.id + "/significant", () => ({
    significant: !target.significant, reason: flagForm.elements.reason.value.trim(),
    actor: flagForm.elements.actor.value.trim(),
  }), (body) => { if (body.entry) pushed(body.entry); });

  // Correct an entry: the corrected text becomes a new entry.
  function openCorrection(entry) {
    correctForm.elements.summary.value = entry.summary;
    openFor(correctDialog, correctForm, entry, "summary");
  }
  wire(correctDialog, correctForm, () => config.api.entry + target.id + "/corrections", () => ({
    summary: correctForm.elements.summary.value.trim(), actor: correctForm.elements.actor.value.trim(),
  }), pushed);

  signAs(callForm.elements.recorded_by);
  signAs(flagForm.elements.actor);
  signAs(correctForm.elements.actor);

  return {
    actions(li, entry) {
      const row = el("div", "entry-actions");
      if (entry.kind !== "significant_flag") {
        row.appendChild(button("mark", entry.significant ? S.unmark : S.mark, () => openFlag(li._entry)));
      }
      row.appendChild(button("correct", S.correct, () => openCorrection(li._entry)));
      return row;
    },
  };
}

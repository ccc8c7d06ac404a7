// The panel drawn from state: the incident's facts and actions, then each job's section. A live reload must not
// take the operator's place: forms, focus, caret and scroll are kept.
import { button, el } from "../../lib/dom.js";
import { fill, fullTime, number } from "../../lib/i18n.js";
import { strings as S } from "../../lib/page.js";
import { callsSection } from "./calls.js";
import { errorSlot } from "./feedback.js";
import { fact, keepForms } from "./fields.js";
import { fillForms, gradeForm, harmForm, noteForm } from "./forms.js";
import { leaseBanner, showLease } from "./lease.js";
import { post } from "./loading.js";
import { mergedBanner, mergeSection } from "./merge.js";
import { escalationsSection } from "./escalations.js";
import { reportingSection } from "./reporting.js";
import { eventsSection, timelineSection } from "./timeline.js";
import { body, numberEl, panelEl, state } from "./state.js";

function gradeName(grade) {
  return grade ? (S.grades[grade] || grade) : S.not_graded;
}

// The system's reason for a proposed grade, in the reader's language.
function gradeReason(p) {
  const parts = p.grade_reason_parts;
  const R = S.grade_reasons;
  if (!parts || !R[parts.code]) return p.grade_reason;
  if (parts.code === "harm") {
    return fill(R.harm, { items: parts.reached.map((r) => fill(R.harm_item, {
      name: S.harm_names[r.name] || r.name, value: number(r.value), limit: number(r.limit),
    })).join(S.list_separator) });
  }
  const sev = parts.severity;
  return fill(R[parts.code], { colour: S.level_colour[sev] || sev, severity: S.severity[sev] || sev });
}

function factsList(f) {
  const p = f.properties;
  const sev = S.severity[p.severity] ? p.severity : "unknown";
  const dl = el("dl", "facts");
  const level = el("span", "level");
  level.appendChild(el("span", "sev sev-" + sev));
  level.appendChild(document.createTextNode(S.level_colour[sev] + " · " + S.severity[sev]));
  fact(dl, S.warning_level, level);
  fact(dl, S.grade, gradeName(p.grade), "grade-value");
  if (p.grade_proposed) {
    const why = gradeReason(p);
    fact(dl, S.grade_proposed, gradeName(p.grade_proposed) + (why ? " (" + why + ")" : ""), "grade-proposed");
  }
  fact(dl, S.status, S.statuses[p.status] || p.status, "status-value");
  fact(dl, S.source, p.source);
  if (p.event) fact(dl, S.event_type, p.event);
  fact(dl, S.occurred, fullTime(p.occurred_at));
  fact(dl, S.received, fullTime(p.received_at));
  fact(dl, S.address, p.address);
  fact(dl, S.position, f.geometry ? f.geometry.coordinates[1].toFixed(5) + ", " + f.geometry.coordinates[0].toFixed(5)
    : S.no_position);
  fact(dl, S.sensitive, p.sensitive ? S.yes : S.no, "sensitive-value");
  fact(dl, S.deaths, p.deaths);
  fact(dl, S.serious_injuries, p.serious_injuries);
  fact(dl, S.direct_loss, p.direct_loss_yuan === null || p.direct_loss_yuan === undefined ? null
    : number(p.direct_loss_yuan));
  fact(dl, S.updated, [fullTime(p.updated_at), p.updated_by].filter(Boolean).join(" · "));
  return dl;
}

// The moves the server allows from the incident's status (command/lifecycle.py), and the sensitive flag.
function actionsSection(p) {
  const section = el("section", "panel-actions");
  section.appendChild(el("h4", null, S.actions));
  const row = el("div", "buttons");
  (p.actions || []).forEach((action) => {
    const b = button("action action-" + action, S.action_names[action] || action,
                     () => post("actions", { action }, b));
    b.dataset.action = action;
    row.appendChild(b);
  });
  const sensitive = button("sensitive-toggle", p.sensitive ? S.clear_sensitive : S.mark_sensitive,
                           () => post("sensitive", { sensitive: !p.sensitive }, sensitive));
  sensitive.setAttribute("aria-pressed", p.sensitive ? "true" : "false");
  row.appendChild(sensitive);
  section.appendChild(row);
  section.appendChild(errorSlot("action"));
  section.appendChild(errorSlot("sensitive"));
  return section;
}

// Where the operator is: the focused element, its caret and the scroll, to put back after a render.
function place() {
  const active = document.activeElement && body.contains(document.activeElement) ? document.activeElement : null;
  let caret = null;
  try {
    if (active && active.setSelectionRange) caret = [active.selectionStart, active.selectionEnd];
  } catch (e) {
    caret = null;  // number inputs have no caret
  }
  return { active, caret, scroll: body.scrollTop };
}

function restore({ active, caret, scroll }) {
  body.scrollTop = scroll;
  if (active && active.isConnected && document.activeElement !== active) {
    active.focus({ preventScroll: true });
    try {
      if (caret) active.setSelectionRange(caret[0], caret[1]);
    } catch (e) { /* not a text field */ }
  }
}

/** Draw the whole panel from state.detail and what each job has loaded. */
export function render() {
  const f = state.detail.incident;
  const p = f.properties;
  panelEl.dataset.status = p.status;
  panelEl.dataset.version = String(p.version);
  panelEl.dataset.merged = p.merged_into ? String(p.merged_into) : "";
  const forms = keepForms();
  const where = place();
  body.replaceChildren();

  if (p.drill) body.appendChild(el("div", "drill-banner", S.drill_banner));
  body.appendChild(leaseBanner());
  if (p.merged_into) body.appendChild(mergedBanner(p.merged_into));
  if (p.sensitive) body.appendChild(el("div", "sensitive-banner", S.sensitive));
  numberEl.textContent = "#" + f.id;
  const headline = el("h3", "panel-headline", p.headline || p.event || "");
  headline.id = "panel-headline";
  body.appendChild(headline);
  body.appendChild(factsList(f));

  body.appendChild(actionsSection(p));
  body.appendChild(reportingSection(forms));
  body.appendChild(escalationsSection());
  body.appendChild(mergeSection(f, forms));
  body.appendChild(forms["grade-form"] || gradeForm());
  body.appendChild(forms["harm-form"] || harmForm());
  body.appendChild(forms["note-form"] || noteForm());
  fillForms(p, forms);
  body.appendChild(callsSection(forms));
  body.appendChild(eventsSection(state.detail.events || []));
  body.appendChild(timelineSection(state.detail.timeline || []));
  showLease();
  restore(where);
}

// The open incident's escalations: playbook, step, due time, the SMS reply code and every answer. Refetched on
// every "escalation" push for the incident.
import { el } from "../../lib/dom.js";
import { fill, fullTime, isChinese } from "../../lib/i18n.js";
import { config, strings as S } from "../../lib/page.js";
import { fact, listSection } from "./fields.js";
import { openIncidentLoader, redrawSection, state } from "./state.js";

const STATES = "active,acknowledged,resolved,finished,cancelled,superseded";

// An active escalation someone has acknowledged reads as acknowledged (it ends at its next check).
function shownState(esc) {
  return esc.state === "active" && esc.acknowledged_at ? "acknowledged" : esc.state;
}

function playbookTitle(esc) {
  let title = esc.title;
  if (title && typeof title === "object") title = title[isChinese() ? "zh" : "en"] || title.en || title.zh;
  return title || esc.playbook;
}

export function escalationsSection() {
  return listSection("panel-escalations", S.escalations_title, state.escalations, S.no_escalations, "escalations",
                     escalationItem);
}

function escalationItem(esc) {
  const shown = shownState(esc);
  const li = el("li", "escalation");
  li.dataset.id = String(esc.id);
  li.dataset.state = shown;
  li.classList.toggle("overdue", !!esc.overdue);
  const head = el("div", "escalation-head");
  head.appendChild(el("span", "incident-ref", "#" + esc.id));
  if (esc.exercise) head.appendChild(el("span", "drill-tag", S.drill));
  head.appendChild(el("span", "escalation-title", playbookTitle(esc)));
  head.appendChild(el("span", "escalation-state state-" + shown, S.escalation_states[shown] || shown));
  if (esc.overdue) head.appendChild(el("span", "overdue-tag", S.overdue));
  li.appendChild(head);
  const dl = el("dl", "escalation-facts");
  fact(dl, S.playbook, esc.playbook, "escalation-playbook");
  if (esc.state === "active") {
    let step = fill(S.step_of, { step: esc.step + 1, steps: esc.steps });
    if (esc.step_type) step += " · " + (S.step_types[esc.step_type] || esc.step_type);
    fact(dl, S.current_step, step, "escalation-step");
    fact(dl, S.next_due, fullTime(esc.due_at), "escalation-due");
  }
  if (esc.acknowledged_at) fact(dl, S.acknowledged_at, fullTime(esc.acknowledged_at), "escalation-acked");
  li.appendChild(dl);
  if (esc.state === "active" && esc.reply_code) li.appendChild(el("div", "meta", fill(S.reply_code, { code: esc.reply_code })));
  li.appendChild(el("h5", null, S.answers_title));
  const answers = esc.answers || [];
  if (!answers.length) li.appendChild(el("p", "empty no-answers", S.no_answers));
  else {
    const list = el("ul", "answers");
    answers.forEach((a) => {
      const item = el("li", "answer", fill(S.answer_line, {
        actor: a.actor, answer: S.answer_names[a.answer] || a.answer, via: S.vias[a.via] || a.via, time: fullTime(a.at),
      }));
      item.dataset.answer = a.answer;
      list.appendChild(item);
    });
    li.appendChild(list);
  }
  return li;
}

/** Fetch the open incident's escalations and show them. */
export const loadEscalations = openIncidentLoader(
  (id) => `${config.escalationsUrl}?incident=${encodeURIComponent(id)}&state=${STATES}`,
  (answer) => {
    state.escalations = answer.escalations;
    redrawSection("panel-escalations", escalationsSection);
  });

// The incident's feed events (with their raw payloads) and its timeline: rule ids with their label, the logged
// values and the system's own reasons in the reader's language.
import { el } from "../../lib/dom.js";
import { fill, fullTime } from "../../lib/i18n.js";
import { strings as S } from "../../lib/page.js";

export function eventsSection(events) {
  const section = el("section", "panel-events");
  section.appendChild(el("h4", null, fill(S.events_title, { n: events.length })));
  const list = el("ol", "events");
  events.forEach((ev) => {
    const li = el("li", "event");
    li.appendChild(el("div", "event-headline", ev.headline || ev.event || ""));
    li.appendChild(el("div", "meta", [
      S.msg_type + ": " + (ev.msg_type || "—"),
      S.version + ": " + (ev.version === null || ev.version === undefined ? "—" : ev.version),
      S.sent + ": " + (fullTime(ev.sent_at) || "—"),
      S.received + ": " + (fullTime(ev.received_at) || "—"),
    ].join(" · ")));
    const raw = el("details", "raw");
    raw.appendChild(el("summary", null, S.raw_payload));
    raw.appendChild(el("pre", null, JSON.stringify(ev, null, 2)));  // text, never parsed as HTML
    li.appendChild(raw);
    list.appendChild(li);
  });
  section.appendChild(list);
  return section;
}

// A logged value in the reader's language (statuses, colours, yes/no); others as written.
function logValue(kind, value) {
  if (value === null || value === undefined || value === "None") return "—";
  const text = String(value);
  if (kind === "status" || kind === "updated") {
    return text.split("/").map((part) => S.statuses[part] || S.severity[part] || part).join(" · ");
  }
  if (kind === "opened") return S.severity[text] || text;
  if (kind === "sensitive") return text === "True" ? S.yes : text === "False" ? S.no : text;
  if (kind === "harm") return text.split("/").map((v) => (v === "None" ? "—" : v)).join(" / ");
  if (kind === "grade") {
    const proposed = /^proposed (\S+)$/.exec(text);
    if (proposed) return proposed[1] === "None" ? S.not_graded : fill(S.proposed_value, { grade: proposed[1] });
  }
  return text;
}

function logReason(entry) {
  const parts = entry.reason_parts;
  const template = parts && S.system_reasons[parts.code];
  if (!template) return entry.reason;
  return fill(template, { at: parts.at ? fullTime(parts.at) : "", seconds: parts.seconds });
}

export function timelineSection(entries) {
  const section = el("section", "panel-timeline");
  section.appendChild(el("h4", null, S.timeline));
  const list = el("ol", "timeline");
  entries.forEach((entry) => {
    const li = el("li", "entry");
    li.dataset.rule = entry.rule_id || "";
    const head = el("div", "entry-head");
    head.appendChild(el("time", null, fullTime(entry.at)));
    head.appendChild(el("span", "actor", entry.actor || ""));
    if (entry.rule_id && S.rules[entry.rule_id]) head.appendChild(el("span", "rule-label", S.rules[entry.rule_id]));
    if (entry.rule_id) head.appendChild(el("code", "rule", entry.rule_id));
    li.appendChild(head);
    if (entry.before !== null || entry.after !== null) {
      li.appendChild(el("div", "change", logValue(entry.kind, entry.before) + " → " + logValue(entry.kind, entry.after)));
    }
    const reason = logReason(entry);
    if (reason) li.appendChild(el("div", "reason", reason));
    list.appendChild(li);
  });
  section.appendChild(list);
  return section;
}

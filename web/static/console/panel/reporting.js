// Reporting (信息报送) in the panel: the deadlines the incident owes, the reports filed, and the form to file the
// next one (report_form.js). Refetched when the duty log says an obligation was created, filed, late or missed.
import { el } from "../../lib/dom.js";
import { fill, fullTime } from "../../lib/i18n.js";
import { strings as S } from "../../lib/page.js";
import { fact } from "./fields.js";
import { reportForm, reportLabel } from "./report_form.js";
import { incidentUrl, openIncidentLoader, redrawSection, state } from "./state.js";

export function reportingSection(kept) {
  const section = el("section", "panel-reporting");
  section.appendChild(el("h4", null, S.reporting_title));
  const reporting = state.reporting;
  if (reporting === null) {
    section.appendChild(el("p", "empty", state.reportingFailed ? S.load_failed : S.loading));
    return section;
  }
  const obligations = reporting.obligations || [];
  section.appendChild(el("h5", null, fill(S.obligations_title, { n: obligations.length })));
  if (!obligations.length) section.appendChild(el("p", "empty no-obligations", S.no_obligations));
  else section.appendChild(obligationsTable(obligations));
  const reports = reporting.reports || [];
  section.appendChild(el("h5", null, fill(S.series_title, { n: reports.length })));
  if (!reports.length) section.appendChild(el("p", "empty no-reports", S.no_reports));
  else {
    const list = el("ol", "reports");
    reports.forEach((report) => list.appendChild(reportItem(report)));
    section.appendChild(list);
  }
  const kinds = reporting.next_kinds || [];
  if (!kinds.length) {
    section.appendChild(el("p", "empty series-closed", S.report_form.closed));
    return section;
  }
  // The form being filled survives a refetch while the same kinds may come next.
  const form = kept && kept["report-form"];
  section.appendChild(form && form.dataset.kinds === kinds.join(",") ? form : reportForm(kinds, loadReporting));
  return section;
}

function triggerName(trigger) {
  const grade = /^grade:(\S+)$/.exec(trigger || "");
  if (grade) return fill(S.grade_short, { grade: grade[1] });
  return trigger === "sensitive" ? S.sensitive : (trigger || "");
}

function cell(className, text, meta) {
  const td = el("td", className, text);
  if (meta !== undefined) td.appendChild(el("span", "meta", meta));
  return td;
}

function obligationsTable(obligations) {
  const table = el("table", "obligations");
  const head = el("tr");
  [S.report_channel, S.report_clock, S.report_due, S.status].forEach((text) => {
    const th = el("th", null, text);
    th.scope = "col";
    head.appendChild(th);
  });
  table.appendChild(el("thead")).appendChild(head);
  const rows = el("tbody");
  obligations.forEach((o) => {
    const tr = el("tr", "obligation status-" + o.status);
    tr.dataset.id = String(o.id);
    tr.dataset.channel = o.channel;
    tr.dataset.status = o.status;
    tr.appendChild(cell("obligation-channel", S.report_channels[o.channel] || o.channel, triggerName(o.trigger)));
    tr.appendChild(cell("obligation-clock", S.report_clocks[o.base_clock] || o.base_clock, fullTime(o.base_at)));
    tr.appendChild(cell("obligation-due", fullTime(o.due_at)));
    const status = el("td", "obligation-status");
    status.appendChild(el("span", "obligation-state state-" + o.status, S.obligation_statuses[o.status] || o.status));
    if (o.status === "late" && o.late_minutes) status.appendChild(el("span", "meta", fill(S.late_by, { n: o.late_minutes })));
    if (o.filed_at) status.appendChild(el("span", "meta", fill(S.filed_at, { time: fullTime(o.filed_at) })));
    tr.appendChild(status);
    rows.appendChild(tr);
  });
  table.appendChild(rows);
  return table;
}

function reportItem(report) {
  const li = el("li", "report");
  li.dataset.id = String(report.id);
  li.dataset.kind = report.kind;
  li.dataset.channel = report.channel;
  const head = el("div", "entry-head");
  head.appendChild(el("span", "report-label", reportLabel(report)));
  head.appendChild(el("span", "report-channel", S.report_channels[report.channel] || report.channel));
  head.appendChild(el("time", null, fullTime(report.filed_at)));
  head.appendChild(el("span", "meta", fill(S.recorded_by, { author: report.filed_by })));
  li.appendChild(head);
  const names = (name) => S.report_fields[name] || name;
  if ((report.to_verify || []).length) {
    li.appendChild(el("div", "report-to-verify",
                      fill(S.to_verify, { fields: report.to_verify.map(names).join(S.list_separator) })));
  }
  const fields = Object.keys(report.fields || {});
  if (fields.length) {
    const dl = el("dl", "report-fields");
    fields.forEach((name) => fact(dl, names(name), report.fields[name]));  // text, never HTML
    li.appendChild(dl);
  }
  return li;
}

function showReporting() {
  redrawSection("panel-reporting", reportingSection, "report-form");
}

/** Fetch the open incident's reporting and show it ("could not load" while nothing was loaded yet). */
export const loadReporting = openIncidentLoader((id) => incidentUrl("reports", id), (answer) => {
  state.reporting = answer;
  state.reportingFailed = false;
  showReporting();
}, () => {
  if (state.reporting === null) state.reportingFailed = true;
  showReporting();
});

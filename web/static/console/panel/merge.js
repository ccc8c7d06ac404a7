// Merge and split: the correlation proposals for the open incident, the incidents merged into it, and the forms
// to merge it into another (by number) or split it off again.
import { button, el } from "../../lib/dom.js";
import { fill, number } from "../../lib/i18n.js";
import { config, strings as S } from "../../lib/page.js";
import { errorSlot, fieldError, refusal, requireActor, scopedError, sendFrom, showMessage } from "./feedback.js";
import { labelled, newForm, onSubmit, reasonInput, submitButton, wholeNumberInput } from "./fields.js";
import { load, post, submitWith } from "./loading.js";
import { hooks, incidentUrl, state } from "./state.js";

/** "Merged into #…" with a button to open that incident. */
export function mergedBanner(parentId) {
  const box = el("div", "merged-banner");
  box.appendChild(el("span", null, fill(S.merged_into, { id: parentId })));
  box.appendChild(openButton(parentId));
  return box;
}

function openButton(id) {
  return button("open-incident", fill(S.open_incident, { id }), () => hooks.open(id));
}

export function mergeSection(f, kept) {
  const p = f.properties;
  const section = el("section", "panel-merge");
  section.appendChild(el("h4", null, S.merge_title));
  const proposals = (state.detail.proposals || []).filter((x) => x.status === "proposed");
  if (proposals.length) {
    section.appendChild(el("h5", null, S.correlation_title));
    const list = el("ul", "proposals");
    proposals.forEach((proposal) => list.appendChild(proposalItem(proposal, String(f.id))));
    section.appendChild(list);
  }
  if ((state.detail.merged || []).length) {
    section.appendChild(el("h5", null, S.merged_here));
    const merged = el("ul", "merged-list");
    state.detail.merged.forEach((childId) => merged.appendChild(mergedItem(childId)));
    section.appendChild(merged);
  }
  section.appendChild(p.merged_into ? (kept["split-form"] || splitForm()) : (kept["merge-form"] || mergeForm()));
  if (p.merged_into) {
    section.querySelector("form.split-form button.submit").textContent = fill(S.split_from, { id: p.merged_into });
  }
  section.appendChild(errorSlot("id"));
  return section;
}

function mergedItem(childId) {
  const li = el("li", "merged-item");
  li.dataset.id = String(childId);
  li.appendChild(el("span", "incident-ref", "#" + childId));
  const row = el("span", "buttons");
  row.appendChild(openButton(childId));
  row.appendChild(button("split", S.split, (b) => changeOther(childId, "split", {}, b)));
  li.appendChild(row);
  return li;
}

function proposalItem(proposal, id) {
  const pair = proposal.incidents.map(String);
  const other = pair[0] === id ? pair[1] : pair[0];
  // The later report joins the earlier one: the incident people have worked on stays.
  const child = String(Math.max(Number(pair[0]), Number(pair[1])));
  const parent = String(Math.min(Number(pair[0]), Number(pair[1])));
  const li = el("li", "proposal");
  li.dataset.proposal = String(proposal.id);
  li.dataset.other = other;
  const known = hooks.known(other);
  const what = el("div", "proposal-what");
  what.appendChild(el("span", "incident-ref", "#" + other));
  if (known) what.appendChild(document.createTextNode(" " + (known.properties.headline || "")));
  li.appendChild(what);
  li.appendChild(el("div", "meta", [
    S.correlation_rules[proposal.rule] || proposal.rule,
    fill(S.proposal_apart, { distance: number(proposal.distance_km), minutes: number(proposal.minutes_apart) }),
  ].join(" · ")));
  const row = el("div", "buttons");
  row.appendChild(button("merge-proposal", fill(S.merge_pair, { child, parent }),
                         (b) => changeOther(child, "merge", { into: Number(parent) }, b)));
  row.appendChild(button("dismiss-proposal", S.dismiss, (b) => dismissProposal(proposal.id, b)));
  li.appendChild(row);
  return li;
}

function mergeForm() {
  const form = newForm("merge-form");
  form.appendChild(labelled(S.merge_into_label, wholeNumberInput("into", 1), "into"));
  form.appendChild(labelled(S.reason_optional, reasonInput(), "reason"));
  form.appendChild(submitButton(S.merge));
  return onSubmit(form, submitWith("merge", () => {
    const raw = form.elements.into.value.trim();
    if (!/^\d+$/.test(raw) || Number(raw) < 1) {
      scopedError(form, "into", S.incident_number_required);
      return null;
    }
    return withReason(form, { into: parseInt(raw, 10) });
  }, clearFields));
}

function splitForm() {
  const form = newForm("split-form");
  form.appendChild(labelled(S.reason_optional, reasonInput(), "reason"));
  form.appendChild(submitButton(S.split));
  return onSubmit(form, submitWith("split", () => withReason(form, {}), clearFields));
}

function withReason(form, payload) {
  const reason = form.elements.reason.value.trim();
  if (reason) payload.reason = reason;
  return payload;
}

function clearFields(form) {
  form.querySelectorAll("input").forEach((input) => { input.value = ""; });
}

/** Merge or split an incident other than the open one: it needs that incident's version first. */
async function changeOther(target, kind, payload, b) {
  target = String(target);
  if (target === state.openId) return post(kind, payload, b);
  const result = await sendFrom(b, "GET", incidentUrl("", target));
  if (!result) return false;
  if (!result.ok) {
    fieldError("id", refusal(result.body, result.status));
    return false;
  }
  return post(kind, payload, b, null, { target, version: result.body.incident.properties.version });
}

async function dismissProposal(proposalId, b) {
  const actor = requireActor();
  if (!actor) return false;
  const result = await sendFrom(b, "POST", `${config.correlationsUrl}/${encodeURIComponent(proposalId)}/dismiss`,
                                { actor });
  if (!result) return false;
  if (result.status === 200) {
    showMessage(S.dismissed, "ok");
    load();
    return true;
  }
  fieldError("id", refusal(result.body, result.status));
  if (result.status === 409) load();  // someone decided it meanwhile
  return false;
}

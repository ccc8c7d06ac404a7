// The pieces the panel's sections and forms are built from. The forms survive a live reload (render.js keeps
// them), so what the operator is typing is never lost.
import { el } from "../../lib/dom.js";
import { fill } from "../../lib/i18n.js";
import { strings as S } from "../../lib/page.js";
import { errorSlot } from "./feedback.js";
import { body } from "./state.js";

/** An empty form named ``name`` (its class and data-form), with an optional title; typing marks it dirty. */
export function newForm(name, title) {
  const form = el("form", name);
  form.dataset.form = name;
  form.noValidate = true;
  if (title) form.appendChild(el("h4", null, title));
  form.addEventListener("input", () => { form.dataset.dirty = "1"; });
  return form;
}

/** ``input`` in a label with its error slot for ``field``. */
export function labelled(labelText, input, field) {
  const wrap = el("label", "field");
  wrap.appendChild(el("span", "label", labelText));
  wrap.appendChild(input);
  wrap.appendChild(errorSlot(field));
  return wrap;
}

/** A text input named ``name``. */
export function textInput(name, maxLength, type = "text") {
  const input = el("input");
  input.name = name;
  input.type = type;
  input.maxLength = maxLength;
  input.autocomplete = "off";
  return input;
}

/** A numeric input for a whole number from ``min``. */
export function wholeNumberInput(name, min) {
  const input = el("input");
  input.type = "number";
  input.min = String(min);
  input.step = "1";
  input.inputMode = "numeric";
  input.name = name;
  return input;
}

/** A textarea named ``name``. */
export function textArea(name, rows, maxLength = 4000) {
  const area = el("textarea");
  area.name = name;
  area.rows = rows;
  area.maxLength = maxLength;
  return area;
}

export function reasonInput() {
  return textInput("reason", 1000);
}

export function submitButton(text) {
  const submit = el("button", "submit", text);
  submit.type = "submit";
  return submit;
}

/** On submit, without the browser's own: ``handler(form)``. */
export function onSubmit(form, handler) {
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    handler(form);
  });
  return form;
}

/** The panel's forms by name (data-form), to be put back after a render. */
export function keepForms() {
  const kept = {};
  body.querySelectorAll("form[data-form]").forEach((form) => { kept[form.dataset.form] = form; });
  return kept;
}

/** A section titled with its count: "Loading…" while ``items`` is null, ``emptyText`` when there are none, else
 *  an <ol class=listClass> of item(x) for each. */
export function listSection(className, titleTemplate, items, emptyText, listClass, item) {
  const section = el("section", className);
  section.appendChild(el("h4", null, fill(titleTemplate, { n: items ? items.length : "…" })));
  if (items === null) section.appendChild(el("p", "empty", S.loading));
  else if (!items.length) section.appendChild(el("p", "empty", emptyText));
  else {
    const list = el("ol", listClass);
    items.forEach((x) => list.appendChild(item(x)));
    section.appendChild(list);
  }
  return section;
}

/** A <dt>label</dt><dd>value</dd> pair added to ``dl`` (— for no value); returns the <dd>. */
export function fact(dl, label, value, className) {
  const dd = el("dd", className || null);
  if (value instanceof Node) dd.appendChild(value);
  else dd.textContent = value === null || value === undefined || value === "" ? "—" : String(value);
  dl.appendChild(el("dt", null, label));
  dl.appendChild(dd);
  return dd;
}

// The documents page: any document kind, its one parameter, its language, and the widget that makes it.
import { byId } from "../lib/dom.js";
import { signAs } from "../lib/session.js";
import { mount, mountDeclared } from "./documents_widget.js";

const PARAMETER = { daily: "date", monthly: "month", report: "report_id", handover: "handover_id" };  // kind -> field
const form = byId("documents-form");
const kindSelect = form.elements.kind;

signAs(byId("actor"));  // the server records who is logged in: no need to ask

function showFields() {
  form.querySelectorAll("[data-for]").forEach((label) => { label.hidden = label.getAttribute("data-for") !== kindSelect.value; });
}
kindSelect.addEventListener("change", showFields);
showFields();

mount(byId("documents-widget"), {
  kind: () => kindSelect.value,
  params: () => {
    const name = PARAMETER[kindSelect.value];
    const value = form.elements[name].value;
    return { [name]: /_id$/.test(name) ? parseInt(value, 10) : value };
  },
  language: () => form.elements.language.value,
});
mountDeclared();

// The roster page: ask for a swap, approve or refuse one, and make the daily duty report. The table itself is
// rendered by the server in the duty room's time zone; after a change the page reloads.
import { byId } from "../lib/dom.js";
import { fill } from "../lib/i18n.js";
import { refusalText, request } from "../lib/api.js";
import { config, strings as S } from "../lib/page.js";
import { signAs, user } from "../lib/session.js";
import { mount, mountDeclared } from "./documents_widget.js";

// "Who you are" is not asked: whoever is logged in acts.
const actorInput = byId("actor");
signAs(actorInput, actorInput.closest("section"));

function actor() {
  return user || actorInput.value.trim();
}

function say(target, text, isError) {
  target.textContent = text;
  target.classList.toggle("error", !!isError);
}

async function send(url, body, message, buttons) {
  if (!body.actor) {
    say(message, S.name_first, true);
    actorInput.focus();
    return;
  }
  buttons.forEach((b) => { b.disabled = true; });
  let error;
  try {
    const result = await request("POST", url, body);
    if (result.ok) {
      say(message, S.sent, false);
      window.location.reload();
      return;
    }
    error = refusalText(result.body, result.status, S.errors);
  } catch (e) {
    error = e.message;
  }
  say(message, fill(S.failed, { error }), true);
  buttons.forEach((b) => { b.disabled = false; });
}

const form = byId("swap-form");
const swapMessage = byId("swap-message");
form.addEventListener("submit", (event) => {
  event.preventDefault();
  const shift = parseInt(form.elements.shift_id.value, 10);
  if (!shift || !form.elements.to_person.value) {
    say(swapMessage, S.choose, true);
    return;
  }
  send(config.swapsUrl, { shift_id: shift, post: form.elements.post.value, to_person: form.elements.to_person.value,
                          reason: form.elements.reason.value, actor: actor() },
       swapMessage, [form.querySelector("button[type=submit]")]);
});

// "Swap…" on a row: pick that shift in the form and go to it.
document.querySelectorAll(".ask-swap").forEach((b) => {
  b.addEventListener("click", () => {
    form.elements.shift_id.value = b.getAttribute("data-shift");
    form.scrollIntoView({ behavior: "smooth", block: "center" });
    form.elements.to_person.focus();
  });
});

const decisionMessage = byId("decision-message");
document.querySelectorAll("button.decide").forEach((b) => {
  b.addEventListener("click", () => {
    send(config.decisionUrl.replace("{id}", b.getAttribute("data-swap")),
         { decision: b.getAttribute("data-decision"), actor: actor() },
         decisionMessage, Array.from(b.closest("tr").querySelectorAll("button.decide")));
  });
});

mount(byId("daily-widget"), {
  kind: "daily",
  params: () => ({ date: byId("daily-date").value }),
  language: () => byId("daily-language").value,
});
mountDeclared();

// Who is logged in (web/templates/_session_head.html). The server records every action under this name
// whatever a form sends, so a page's "your name" field is filled with it and hidden.

const who = document.querySelector('meta[name="vigil-user"]');

/** The logged-in user name; "" on a page rendered for nobody. */
export const user = who ? who.content : "";

/** Fill ``input`` with the logged-in name and hide ``field`` (the input's label by default). */
export function signAs(input, field) {
  if (!input || !user) return;
  input.value = user;
  input.readOnly = true;
  const hidden = field || input.closest("label") || input;
  hidden.hidden = true;
  hidden.style.display = "none";  // the field's own CSS would show it despite [hidden]
}

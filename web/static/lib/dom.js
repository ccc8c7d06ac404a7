// Building the page from data. Text (feed text above all) only ever goes in through textContent, never as HTML.

/** The element with this id. */
export function byId(id) {
  return document.getElementById(id);
}

/** A new element with an optional class and text. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** A type="button" button that calls onClick(button). */
export function button(className, text, onClick) {
  const b = el("button", className, text);
  b.type = "button";
  b.addEventListener("click", () => onClick(b));
  return b;
}

/** A <select> named ``name`` offering ``values``, each shown as label(value). */
export function select(name, values, label) {
  const box = el("select");
  box.name = name;
  values.forEach((value) => {
    const option = el("option", null, label(value));
    option.value = value;
    box.appendChild(option);
  });
  return box;
}

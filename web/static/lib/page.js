// What the server put in the page for its scripts: window.VIGIL, set by an inline script before any module runs.

/** The page's settings: URLs, the duty room's time zone, and its strings in the reader's language. */
export const config = window.VIGIL || {};

/** The page's strings (web/*_page.py, web/console.py), already in the reader's language. */
export const strings = config.strings || {};

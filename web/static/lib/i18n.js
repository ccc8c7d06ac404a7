// The reader's language and the duty room's clock: filling templates, numbers, dates and times.
import { config } from "./page.js";

// The page's language as the server rendered it: "zh-CN" or "en".
const locale = document.documentElement.lang || "en";
const timeZone = config.timeZone;  // the duty room's; the browser's own when the page names none

/** True when the reader reads Chinese. */
export function isChinese() {
  return locale.indexOf("zh") === 0;
}

/** A gettext-style template ("%(name)s", "%%") filled with values; a missing value is empty. */
export function fill(template, values = {}) {
  return String(template === undefined || template === null ? "" : template)
    .replace(/%\((\w+)\)s|%%/g, (match, key) => {
      if (match === "%%") return "%";
      return values[key] === undefined || values[key] === null ? "" : String(values[key]);
    });
}

/** A number as the reader writes it (grouping). */
export function number(value) {
  return Number(value).toLocaleString(locale);
}

/** A function showing an ISO time in the duty room's zone with these Intl options ("" for none or a bad one). */
export function timeFormat(options) {
  const format = new Intl.DateTimeFormat(locale, { timeZone, ...options });
  return (iso) => {
    if (!iso) return "";
    const d = new Date(iso);
    return isNaN(d.getTime()) ? "" : format.format(d);
  };
}

/** 11/24 03:00: the short time of lists. */
export const shortTime = timeFormat({ month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
                                      hour12: false });
/** 03:00 in the duty room's zone. */
export const clockTime = timeFormat({ hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

// Parts (year, month, …, 24-hour) of a time in the duty room's zone, for layouts that do not change with the language.
function partsFormat(options) {
  const format = new Intl.DateTimeFormat("en-CA", { timeZone, hourCycle: "h23", ...options });
  return (d) => {
    const parts = {};
    format.formatToParts(d).forEach((part) => { parts[part.type] = part.value; });
    return parts;
  };
}

const DAY = { year: "numeric", month: "2-digit", day: "2-digit" };
const MINUTE = { ...DAY, hour: "2-digit", minute: "2-digit" };
const dayParts = partsFormat(DAY);
const minuteParts = partsFormat(MINUTE);
const secondParts = partsFormat({ ...MINUTE, second: "2-digit" });

/** 2026-11-24 03:00:00 in the duty room's zone, the same in every language (a bad time as it came). */
export function fullTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (isNaN(d.getTime())) return String(iso);
  const p = secondParts(d);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** The day (2026-11-24) of a time in the duty room's zone. */
export function zoneDay(d) {
  const p = dayParts(d);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Now in the duty room's zone, as a datetime-local input holds it (the server reads it in that zone). */
export function localNow() {
  const p = minuteParts(new Date());
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

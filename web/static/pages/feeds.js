// The feeds page: one row per feed, refreshed from the API on (re)connect and updated live.
import { byId, el } from "../lib/dom.js";
import { fill, timeFormat } from "../lib/i18n.js";
import { getJson } from "../lib/api.js";
import { config, strings as S } from "../lib/page.js";
import { connectLive } from "../lib/live.js";

const tbody = document.querySelector("#feeds tbody");
const empty = byId("no-feeds");
const rows = new Map();  // source -> its row; row._feed is the feed as last shown
const format = timeFormat({ month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
                            hour12: false });
const time = (iso) => format(iso) || S.never;

function seconds(value) {
  if (value === null || value === undefined) return "";
  if (value < 120) return Math.round(value) + " s";
  if (value < 7200) return Math.round(value / 60) + " min";
  return Math.round(value / 3600) + " h";
}

function render(feed) {
  const tr = rows.get(feed.source) || el("tr");
  let status = S.status[feed.last_status || "none"] || feed.last_status;
  if (feed.silent_since) status = fill(S.silent_since, { time: time(feed.silent_since) });
  tr.className = feed.silent_since ? "silent" : (feed.last_status === "error" ? "failing" : "");
  tr.dataset.source = feed.source;
  tr.replaceChildren(
    el("td", null, feed.source), el("td", null, feed.format || ""), el("td", "status-cell", status),
    el("td", null, time(feed.last_attempt_at)), el("td", null, time(feed.last_success_at)),
    el("td", null, time(feed.last_event_at)), el("td", null, feed.accepted_total),
    el("td", null, feed.duplicate_total), el("td", null, feed.rejected_total),
    el("td", null, seconds(feed.lag_seconds)), el("td", null, seconds(feed.heartbeat_seconds)));
  if (feed.last_error) tr.title = feed.last_error;
  if (!rows.has(feed.source)) {
    rows.set(feed.source, tr);
    tbody.appendChild(tr);
  }
  empty.hidden = rows.size > 0;
}

/** A feed's health as listed or pushed, over what was shown (a push may not carry every figure). */
function merge(health) {
  const known = rows.get(health.source);
  const previous = known ? known._feed : {};
  const feed = { ...previous, ...health };
  if (health.heartbeat_seconds === null && previous.heartbeat_seconds) feed.heartbeat_seconds = previous.heartbeat_seconds;
  render(feed);
  rows.get(health.source)._feed = feed;
}

async function reload() {
  const data = await getJson(config.feedsUrl);
  data.feeds.forEach(merge);
  empty.hidden = rows.size > 0;
}

connectLive({ connect: reload, feed_health: merge, feed_silent: merge, feed_recovered: merge });

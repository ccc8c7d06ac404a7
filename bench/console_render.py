"""The console with many open incidents in headless Chromium: first render, and ingest to painted.

    python -m bench.console_render [--incidents 10000] [--rounds 20]

Seeds the incidents in SQLite, serves them, opens the console at 1366×768 and
times (1) navigation to every incident loaded in the list and map, (2)
from each POST to the moment its list item and its marker exist in the page
(a MutationObserver stamps the page time; both clocks are this machine's), and
(3) inside the page, what one pushed incident costs the console: the push
handler (list item, marker, counts) plus the layout it causes, without the
server or the network.
"""

from __future__ import annotations

import argparse
import statistics
import time

import requests
from sqlalchemy import update

from bench.harness import FEED, event, log_in, machine, percentiles, vigil_server
from command.models import Incident
from command.runtime import build_runtime
from feeds.event import FeedEvent
from feeds.ingest import ingest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WATCH = """() => {
  window.__paintedAt = {};
  new MutationObserver(records => {
    const now = Date.now();
    for (const record of records) for (const node of record.addedNodes) {
      if (node.nodeType === 1 && node.textContent) window.__paintedAt[node.textContent] = now;
    }
  }).observe(document.getElementById('incident-list'), {childList: true});
}"""

# Hand the console's own push handler synthetic incidents whose last change equals that of
# an incident spread through the list (so they land at the top, the middle and the end), and
# time each, forcing the layout the change causes.
HANDLE = """n => {
  const handler = window.vigilConsole.socket.listeners('incident')[0];
  const list = document.getElementById('incident-list');
  const all = Array.from(window.vigilConsole.incidents.values());
  const times = [];
  for (let i = 0; i < n; i++) {
    const near = all[(i * 7919) % all.length];
    const f = JSON.parse(JSON.stringify(near));
    f.id = 900000 + i;
    f.properties = Object.assign(f.properties, {id: f.id, headline: 'Synthetic push ' + i, severity: 'minor'});
    const started = performance.now();
    handler(f);
    void list.offsetHeight;
    times.push(performance.now() - started);
  }
  return times;
}"""


def _seed(database_url: str, count: int) -> None:
    runtime = build_runtime({"DATABASE_URL": database_url})
    for start in range(0, count, 1000):
        events = [(i, FeedEvent.from_dict(event(i, "seed"), FEED)) for i in range(start, min(count, start + 1000))]
        ingest(runtime.sessions, lambda e: None, FEED, events)
    # The seeded incidents stand for ones the duty room has had for a while: already triaged.
    # Otherwise the server's escalation worker starts thousands of escalations during the
    # measurement, and the POSTs time SQLite's write lock instead of the console.
    with runtime.unit_of_work() as session:
        session.execute(update(Incident).values(triage_at=None))
    runtime.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright
    with vigil_server() as (url, token, database_url):
        started = time.perf_counter()
        _seed(database_url, args.incidents)
        seeded = time.perf_counter() - started
        print(f"  seeded {args.incidents} incidents in {seeded:.1f} s", flush=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            log_in(page, url)
            loads = []
            for _ in range(3):
                page.goto(url + "/")
                page.wait_for_function(f"window.vigilConsole && window.vigilConsole.incidents.size >= {args.incidents}"
                                       " && document.querySelectorAll('#incident-list li').length > 0",
                                       timeout=120000)
                loads.append(page.evaluate("performance.now()"))
                print(f"  page loaded in {loads[-1]:.0f} ms", flush=True)
            delays = []
            page.evaluate(WATCH)
            for n in range(args.rounds):
                body = event(100000 + n, "live")
                sent = time.time() * 1000
                requests.post(f"{url}/api/v1/feeds/{FEED}/events", json=body,
                              headers={"Authorization": f"Bearer {token}"}, timeout=30).raise_for_status()
                find = ("h => Object.entries(window.__paintedAt).filter(([text]) => text.includes(h))"
                        ".map(([, at]) => at)[0]")
                page.wait_for_function(find, arg=body["headline"], timeout=30000)
                painted = page.evaluate(find, body["headline"])
                delays.append(painted - sent)
                print(f"  round {n + 1}: {delays[-1]:.0f} ms", flush=True)
                time.sleep(0.2)
            handled = page.evaluate(HANDLE, 200)
            markers = page.evaluate("document.querySelectorAll('.leaflet-marker-icon').length")
            browser.close()
    print(f"console with {args.incidents} open incidents, headless Chromium 1366x768, {machine()}")
    print(f"  seeding {args.incidents} incidents in-process: {seeded:.1f} s")
    print(f"  navigation -> all {args.incidents} loaded: median {statistics.median(loads):.0f} ms "
          f"(runs: {', '.join(f'{v:.0f}' for v in loads)}); {markers} marker/cluster icons on screen")
    print(f"  POST -> list item in the page: {percentiles(delays)}")
    print(f"  one push handled in the page (list item, marker, counts, layout): {percentiles(handled)}")


if __name__ == "__main__":
    main()

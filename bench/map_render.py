"""The console map alone in headless Chromium: one big push, then single-feature live updates.

    python -m bench.map_render [--incidents 10000] [--singles 100] [--areas 1000]

Renders maps.console_map into a throwaway page served from 127.0.0.1 (web/static and maps/data
linked in, nothing from the network), then times in the page: realtime_vigil.update() of one
FeatureCollection of --incidents features (--areas of them with a polygon area), until the
chunked cluster load has finished; then --singles update() calls of one feature each (a new
severity, so a fresh marker, a new area and a re-clustered icon); then the same with the heat
overlay on. Times are page times (performance.now()).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import random
import statistics
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SEVERITIES = ("extreme", "severe", "moderate", "minor", "unknown")
CATEGORIES = ("geo", "met", "safety", "security", "rescue", "fire", "health", "env", "transport", "infra", "other")

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Vigil map</title>
{header}
<style>html, body {{ margin: 0; height: 100%; }} .box {{ position: absolute; inset: 0; }}</style>
</head><body><div class="box">{body}</div>
<script>window.VIGIL = {vigil};</script>
{script}
</body></html>
"""


def write_page(directory: Path, vigil_js: str = "{}") -> None:
    """Write index.html with the rendered console map; link static/ and maps/ beside it."""
    from maps.console_map import DATA_DIR, build_console_map
    console_map = build_console_map(static_url="/static", base_layer_url="/maps/world_110m.geojson")
    (directory / "index.html").write_text(
        PAGE.format(header=console_map.header, body=console_map.body, script=console_map.script, vigil=vigil_js),
        encoding="utf-8")
    (directory / "static").symlink_to(ROOT / "web" / "static", target_is_directory=True)
    (directory / "maps").symlink_to(DATA_DIR, target_is_directory=True)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Serve directory on 127.0.0.1 (a free port) in a thread; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextlib.contextmanager
def map_page(vigil_js: str = "{}"):
    """A temp dir holding the map page, served on 127.0.0.1; yields the page URL."""
    with tempfile.TemporaryDirectory(prefix="vigil-map-") as tmp:
        write_page(Path(tmp), vigil_js)
        with serve(Path(tmp)) as url:
            yield url + "/index.html"


def square(lon: float, lat: float, half: float) -> dict:
    """A closed square polygon around a point."""
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half],
            [lon - half, lat + half], [lon - half, lat - half]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(i: int, rng: random.Random, area: bool = False, **props) -> dict:
    """An incident Feature shaped like command.incidents.feature(), placed over China."""
    lon, lat = round(rng.uniform(75, 132), 4), round(rng.uniform(20, 48), 4)
    properties = {"id": i, "headline": f"Incident {i}", "event": "Incident", "category": rng.choice(CATEGORIES),
                  "severity": rng.choice(SEVERITIES), "status": "new", "source": "bench", "drill": i % 17 == 0,
                  "area": square(lon, lat, 0.3) if area else None, "area_too_large": False, "merged_into": None}
    properties.update(props)
    return {"type": "Feature", "id": i, "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": properties}


def collection(count: int, areas: int, seed: int = 1) -> dict:
    rng = random.Random(seed)
    return {"type": "FeatureCollection", "features": [feature(i, rng, area=i <= areas) for i in range(1, count + 1)]}


# Resolves when markercluster's chunked loading of the last addLayers() has finished.
BULK = """async (fc) => {
  const cluster = marker_cluster_vigil, progress = cluster.options.chunkProgress;
  let done;
  const finished = new Promise(resolve => { done = resolve; });
  cluster.options.chunkProgress = function (p, total, elapsed) { progress(p, total, elapsed); if (p === total) done(); };
  const t0 = performance.now();
  realtime_vigil.update(fc);
  const sync = performance.now() - t0;
  await finished;
  const loaded = performance.now() - t0;
  cluster.options.chunkProgress = progress;
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  return {sync, loaded, painted: performance.now() - t0};
}"""

BULK_UNBATCHED = """(fc) => {
  const t0 = performance.now();
  realtime_vigil.update(fc);
  return performance.now() - t0;
}"""

SINGLES = """async (features) => {
  const times = [];
  for (const f of features) {
    const t0 = performance.now();
    realtime_vigil.update(f);
    times.push(performance.now() - t0);
  }
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  return times;
}"""


def _singles(count: int, total: int, seed: int) -> list[dict]:
    """count updates of existing features: new severity, an area for every other one."""
    rng = random.Random(seed)
    return [feature(rng.randint(1, total), rng, area=n % 2 == 0) for n in range(count)]


def _summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    return (f"median {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms, max {ordered[-1]:.2f} ms,"
            f" total {sum(ordered):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10000)
    parser.add_argument("--singles", type=int, default=100)
    parser.add_argument("--areas", type=int, default=1000, help="how many of the incidents carry an area")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", action="store_true",
                        help="also time the big push through leaflet-realtime's own update (one addLayer each)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from bench.harness import machine
    from maps.console_map import HEAT_INTERVAL_MS
    print(f"console map, {args.incidents} incidents ({args.areas} with areas), 1366x768, {machine()}")
    fc = collection(args.incidents, args.areas)
    with map_page() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print(f"Chromium {browser.version}")
        bulk, singles, heat_singles, counts, heat_rebuilds, unbatched = [], [], [], [], [], []
        for round_ in range(args.rounds):
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url)
            page.wait_for_function("window.vigil_layers !== undefined")
            bulk.append(page.evaluate(BULK, fc))
            counts.append(page.evaluate("[marker_cluster_vigil.getLayers().length, vigil_layers.areaCount(),"
                                        " document.querySelectorAll('.leaflet-marker-icon').length]"))
            singles += page.evaluate(SINGLES, _singles(args.singles, args.incidents, round_))
            page.evaluate("map_vigil.addLayer(vigil_layers.heat)")
            page.wait_for_function("document.querySelector('canvas.leaflet-heatmap-layer') !== null")
            heat_singles += page.evaluate(SINGLES, _singles(args.singles, args.incidents, 100 + round_))
            heat_rebuilds.append(page.evaluate("(() => { const t0 = performance.now(); vigil_layers.rebuildHeat();"
                                               " return performance.now() - t0; })()"))
            if args.baseline:
                page.goto(url)
                page.wait_for_function("window.vigil_layers !== undefined")
                page.evaluate("realtime_vigil.update = Object.getPrototypeOf(realtime_vigil).update, 0")
                unbatched.append(page.evaluate(BULK_UNBATCHED, fc))
            if errors:
                raise SystemExit(f"page errors: {errors}")
            page.close()
        browser.close()
    print(f"markers in cluster / areas / icons in DOM: {counts[-1][0]} / {counts[-1][1]} / {counts[-1][2]}")
    for name in ("sync", "loaded", "painted"):
        values = [b[name] for b in bulk]
        print(f"update({args.incidents}-feature collection) {name:7}: median {statistics.median(values):.0f} ms"
              f" (runs: {', '.join(f'{v:.0f}' for v in values)})")
    print(f"{args.singles} single-feature update() x {args.rounds}: {_summary(singles)}")
    print(f"same with heat overlay on: {_summary(heat_singles)}")
    print(f"heat rebuild ({args.incidents} points): median {statistics.median(heat_rebuilds):.0f} ms"
          f" (at most one per {HEAT_INTERVAL_MS} ms during live updates)")
    if unbatched:
        print(f"baseline, update() with one cluster addLayer() per feature: median {statistics.median(unbatched):.0f} ms")


if __name__ == "__main__":
    main()

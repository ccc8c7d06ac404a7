"""Adapter throughput on the bundled corpus samples: events/s parsed, and parsed + ingested into SQLite.

    python -m bench.adapters [--repeat 5]

Each sample is parsed by the adapter that detects it; ingest stores the events
in a fresh SQLite database in-process (no HTTP), one transaction per payload.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from bench.harness import machine
from command.migrate import upgrade
from command.runtime import build_runtime
from feeds.adapters.errors import PayloadRefused
from feeds.adapters.registry import detect_format, get_adapter
from feeds.demo import SAMPLES_DIR
from feeds.ingest import ingest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"adapters on feeds/samples, best of {args.repeat}, {machine()}")
    print(f"  {'sample':62s} {'adapter':14s} {'events':>6s} {'parse ev/s':>11s} {'+ingest ev/s':>13s}")
    with tempfile.TemporaryDirectory() as tmp:
        runtime = build_runtime({"DATABASE_URL": f"sqlite:///{tmp}/bench.db"})
        upgrade(runtime.engine)
        for path in sorted(SAMPLES_DIR.iterdir()):
            payload = path.read_bytes()
            name = detect_format(payload)
            if name is None:
                print(f"  {path.name[:62]:62s} {'(none)':14s}")
                continue
            adapter = get_adapter(name)
            try:
                best, events = _best(lambda: adapter.parse(payload), args.repeat)
            except PayloadRefused as exc:
                print(f"  {path.name[:62]:62s} {name:14s} refused: {exc.reason[:60]}")
                continue
            if not events:
                print(f"  {path.name[:62]:62s} {name:14s} {0:6d}")
                continue
            started = time.perf_counter()
            parsed = adapter.parse(payload, source=f"bench-{name}"[:64])
            ingest(runtime.sessions, lambda e: None, parsed[0].source, list(enumerate(parsed)), payload=payload)
            total = time.perf_counter() - started
            print(f"  {path.name[:62]:62s} {name:14s} {len(events):6d} {len(events) / best:11,.0f} "
                  f"{len(events) / total:13,.0f}")
        runtime.engine.dispose()


def _best(run, repeat: int):
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


if __name__ == "__main__":
    main()

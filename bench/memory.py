"""Memory of one web process with many stored incidents: idle, then serving the console's incident list.

    python -m bench.memory [--incidents 100000] [--open 10000] [--clients 20] [--database-url URL]

Seeds --incidents incidents (--open of them new, acknowledged or responding; the rest resolved or
closed), one feed event each and an area polygon on one in ten, with bulk inserts into a fresh
database (SQLite in a temporary folder by default; a PostgreSQL URL names a database the benchmark
creates and drops). Then starts `serve --role web` and prints its resident memory (VmRSS) and peak
(VmHWM) from /proc/PID/status: idle, after the console's incident list (every open incident, as a
console loads it) three times in a row, four at once, with --clients Socket.IO clients connected,
and after the history list of the newest 50,000 resolved and closed incidents.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import requests
import socketio
from sqlalchemy import insert

from bench.harness import (BENCH_TOKEN, FEED, Server, bench_database, database_kind, machine, memory_mib, prepare)
from command.models import FeedEventRecord, Incident, utcnow
from command.runtime import build_runtime

OPEN_STATUSES = ("new", "acknowledged", "responding")
CLOSED_STATUSES = ("resolved", "closed")
SEVERITIES = ("extreme", "severe", "moderate", "minor")
DEPARTMENTS = (["water"], ["fire"], ["police"], ["water", "fire"], [])


def _seed(database_url: str, count: int, open_count: int) -> float:
    """Bulk-insert the incidents and their feed events; return the seconds it took."""
    runtime = build_runtime({"DATABASE_URL": database_url})
    started = time.perf_counter()
    now = utcnow()
    for start in range(0, count, 5000):
        incidents, events = [], []
        for i in range(start, min(count, start + 5000)):
            at = now - timedelta(minutes=count - i)
            lat, lon = 20 + (i % 2000) / 100, 100 + (i % 2500) / 100
            status = OPEN_STATUSES[i % 3] if i >= count - open_count else CLOSED_STATUSES[i % 2]
            area = None
            if i % 10 == 0:
                ring = [[lon - .05, lat - .05], [lon + .05, lat - .05], [lon + .05, lat + .05],
                        [lon - .05, lat + .05], [lon - .05, lat - .05]]
                area = {"type": "Polygon", "coordinates": [ring]}
            headline = f"Memory bench incident {i} 河道水位超警，下游请注意防范"
            incidents.append({
                "id": i + 1, "source": FEED, "external_id": f"mem-{i}", "headline": headline, "event": "Flood",
                "category": "met", "severity": SEVERITIES[i % 4], "status": status, "cap_status": "actual",
                "last_msg_type": "alert", "lat": lat, "lon": lon, "area": area, "address": f"某某县 {i % 300} 号",
                "received_at": at, "sent_at": at, "updated_at": at, "updated_by": f"feed:{FEED}", "version": 1,
                "grade_proposed": ("I", "II", "III", "IV")[i % 4], "grade_reason": "severity",
                "sensitive": False, "departments": DEPARTMENTS[i % len(DEPARTMENTS)], "triage_at": None})
            events.append({
                "source": FEED, "external_id": f"mem-{i}", "version": "1", "msg_type": "alert", "status": "actual",
                "severity": SEVERITIES[i % 4], "headline": headline, "sent_at": at, "received_at": at,
                "data": {"external_id": f"mem-{i}", "headline": headline, "lat": lat, "lon": lon},
                "incident_id": i + 1})
        with runtime.engine.begin() as connection:
            connection.execute(insert(Incident.__table__), incidents)
            connection.execute(insert(FeedEventRecord.__table__), events)
    if runtime.engine.dialect.name == "postgresql":  # the ids were given: move the sequence past them
        with runtime.engine.begin() as connection:
            connection.exec_driver_sql("SELECT setval('incidents_id_seq', (SELECT max(id) FROM incidents))")
    runtime.engine.dispose()
    return time.perf_counter() - started


def _get(url: str, query: str = "") -> tuple[int, int, float]:
    started = time.perf_counter()
    response = requests.get(f"{url}/api/v1/incidents{query}", headers={"Authorization": f"Bearer {BENCH_TOKEN}"},
                            timeout=300)
    response.raise_for_status()
    return len(response.json()["features"]), len(response.content), time.perf_counter() - started


def _connect(url: str, count: int) -> list:
    clients = []
    for _ in range(count):
        client = socketio.Client(reconnection=False)
        client.connect(url, namespaces=["/live"], transports=["websocket"], wait_timeout=30,
                       auth={"token": BENCH_TOKEN})
        clients.append(client)
    return clients


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=100000)
    parser.add_argument("--open", type=int, default=10000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with bench_database(args.database_url) as url, tempfile.TemporaryDirectory(prefix="vigil-bench-") as tmp:
        print(f"web process memory, {args.incidents} stored incidents ({args.open} open), {database_kind(url)}, "
              f"{machine()}", flush=True)
        prepare(url)
        seeded = _seed(url, args.incidents, args.open)
        print(f"  seeded {args.incidents} incidents and their feed events in {seeded:.1f} s", flush=True)
        server = Server(url, Path(tmp) / "web.log", role="web")
        stages = []

        def note(stage: str, detail: str = "") -> None:
            memory = memory_mib(server.pid)
            stages.append((stage, memory["VmRSS"], memory["VmHWM"]))
            print(f"  {stage:<58} VmRSS {memory['VmRSS']:6.1f} MiB  VmHWM {memory['VmHWM']:6.1f} MiB"
                  f"{'  ' + detail if detail else ''}", flush=True)

        try:
            time.sleep(3)
            note("idle after start")
            for n in range(3):
                features, size, seconds = _get(server.url)
                note(f"console list {n + 1}/3 ({features} open incidents)",
                     f"{size / 1e6:.1f} MB of JSON in {seconds * 1000:.0f} ms")
            with ThreadPoolExecutor(4) as pool:
                answers = list(pool.map(lambda _: _get(server.url), range(4)))
            note("4 console lists at once",
                 f"slowest {max(seconds for _, _, seconds in answers) * 1000:.0f} ms")
            clients = _connect(server.url, args.clients)
            time.sleep(1)
            note(f"{len(clients)} Socket.IO clients connected")
            features, size, seconds = _get(server.url, "?status=resolved,closed&limit=50000")
            note(f"history list ({features} resolved and closed)",
                 f"{size / 1e6:.1f} MB of JSON in {seconds * 1000:.0f} ms")
            for client in clients:
                client.disconnect()
            time.sleep(5)
            note("idle again, clients gone")
        finally:
            server.stop()


if __name__ == "__main__":
    main()

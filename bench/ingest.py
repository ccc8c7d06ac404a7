"""Ingest throughput through the HTTP API against the raw insert rate of the same rows, and POST-to-console delay.

    python -m bench.ingest [--events 2000] [--mode threading] [--database-url URL] [--role all|web]

A real server (`serve`, role all by default: the web process with its workers, which triage every
new incident and run its escalations; --role web leaves them out) on a fresh database (SQLite in
a temporary folder by default; a PostgreSQL URL names a database the benchmark creates and drops).
Prints events/s for single-event POSTs from 1 and 4 clients and for lists of 100; then, once the
server has stopped, the raw insert rate of the same rows into the same database: the feed_events
and incidents rows the pipeline wrote for each figure, read back and inserted again (new keys) with
SQLAlchemy Core, one transaction per POST's worth of events from as many threads as there were
clients. pipeline / raw says how close the pipeline comes to what the storage alone allows. Last,
the delay from each POST to a connected Socket.IO client receiving the incident.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import aiohttp
import requests
import socketio
from sqlalchemy import insert, select

from bench.harness import (BENCH_TOKEN, FEED, Server, bench_database, database_kind, event, machine, percentiles,
                           prepare)
from command.models import FeedEventRecord, Incident
from command.runtime import build_runtime

SHAPES = ((1, 1), (4, 1), (1, 100))  # (clients, events per POST)


def _rate(url: str, token: str, events: int, clients: int, batch: int, run: str) -> float:
    headers = {"Authorization": f"Bearer {token}"}
    bodies = [[event(i + j, run) for j in range(batch)] if batch > 1 else event(i, run)
              for i in range(0, events, batch)]

    def send(chunk):
        with requests.Session() as http:
            for body in chunk:
                response = http.post(f"{url}/api/v1/feeds/{FEED}/events", json=body, headers=headers, timeout=60)
                assert response.status_code == 201, response.text

    chunks = [bodies[k::clients] for k in range(clients)]
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, chunks))
    return events / (time.perf_counter() - started)


def _raw_rate(database_url: str, clients: int, batch: int, run: str) -> tuple[float, int]:
    """Insert again the feed_events and incidents rows the pipeline wrote for ``run``; return (events/s, rows)."""
    runtime = build_runtime({"DATABASE_URL": database_url})
    incidents, feed_events = Incident.__table__, FeedEventRecord.__table__
    with runtime.engine.connect() as connection:
        stored = connection.execute(
            select(incidents, feed_events.c.data.label("fe_data"), feed_events.c.version.label("fe_version"),
                   feed_events.c.msg_type.label("fe_msg_type"), feed_events.c.status.label("fe_status"),
                   feed_events.c.sent_at.label("fe_sent_at"), feed_events.c.received_at.label("fe_received_at"))
            .join(feed_events, feed_events.c.incident_id == incidents.c.id)
            .where(incidents.c.external_id.like(f"bench-{run}-%")).order_by(feed_events.c.id)).mappings().all()
        connection.rollback()
    pairs = []
    for row in stored:
        external_id = "raw-" + row["external_id"]
        incident = {column.name: row[column.name] for column in incidents.columns if column.name != "id"}
        incident["external_id"] = external_id
        feed_event = {"source": row["source"], "external_id": external_id, "version": row["fe_version"],
                      "msg_type": row["fe_msg_type"], "status": row["fe_status"], "severity": row["severity"],
                      "headline": row["headline"], "sent_at": row["fe_sent_at"],
                      "received_at": row["fe_received_at"], "data": row["fe_data"], "payload_id": None}
        pairs.append((incident, feed_event))
    batches = [pairs[k:k + batch] for k in range(0, len(pairs), batch)]

    def store(chunk):
        for rows in chunk:  # one transaction per POST's worth of events, as the pipeline does
            with runtime.engine.begin() as connection:
                ids = connection.execute(insert(incidents).returning(incidents.c.id, sort_by_parameter_order=True),
                                         [incident for incident, _ in rows]).scalars().all()
                connection.execute(insert(feed_events), [dict(feed_event, incident_id=incident_id)
                                                         for (_, feed_event), incident_id in zip(rows, ids)])

    chunks = [batches[k::clients] for k in range(clients)]
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(store, chunks))
    elapsed = time.perf_counter() - started
    runtime.engine.dispose()
    return len(pairs) / elapsed, len(pairs)


async def _delays(url: str, token: str, events: int, run: str) -> list[float]:
    arrived: dict[str, float] = {}
    client = socketio.AsyncClient(reconnection=False)
    client.on("incident", lambda f: arrived.setdefault(f["properties"]["headline"], time.perf_counter()),
              namespace="/live")
    await client.connect(url, namespaces=["/live"], transports=["websocket"], wait_timeout=30,
                         auth={"token": BENCH_TOKEN})
    sent: dict[str, float] = {}
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http:
        for i in range(events):
            body = event(i, run)
            sent[body["headline"]] = time.perf_counter()
            async with http.post(f"{url}/api/v1/feeds/{FEED}/events", json=body) as response:
                assert response.status == 201
        await asyncio.sleep(1)
    await client.disconnect()
    return [(arrived[k] - t) * 1000 for k, t in sent.items() if k in arrived]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--mode", default="threading")
    parser.add_argument("--role", default="all", choices=("all", "web"))
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder; "
                        "postgresql+psycopg://user@host/NAME creates NAME and drops it afterwards")
    args = parser.parse_args()
    with bench_database(args.database_url) as url, tempfile.TemporaryDirectory(prefix="vigil-bench-") as tmp:
        kind = database_kind(url)
        print(f"ingest into {kind}, async mode {args.mode}, role {args.role}, {args.events} events per figure, "
              f"{machine()}",
              flush=True)
        token = prepare(url)
        server = Server(url, Path(tmp) / "server.log", role=args.role, async_mode=args.mode)
        pipeline = {}
        try:
            for clients, batch in SHAPES:
                pipeline[clients, batch] = _rate(server.url, token, args.events, clients, batch,
                                                 f"r{clients}x{batch}")
                print(f"  pipeline, {clients} client(s), {batch} event(s) per POST: "
                      f"{pipeline[clients, batch]:,.0f} events/s", flush=True)
            delays = asyncio.run(_delays(server.url, token, args.events, "delay"))
        finally:
            server.stop()
        for clients, batch in SHAPES:
            raw, rows = _raw_rate(url, clients, batch, f"r{clients}x{batch}")
            print(f"  raw insert ({rows} feed_events + incidents rows), {clients} thread(s), {batch} per "
                  f"transaction: {raw:,.0f} events/s; pipeline / raw = {pipeline[clients, batch] / raw:.2f}",
                  flush=True)
        print(f"  POST -> Socket.IO client ({len(delays)}/{args.events} received): {percentiles(delays)}")


if __name__ == "__main__":
    main()

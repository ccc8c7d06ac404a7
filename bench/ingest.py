"""Ingest throughput into SQLite through the HTTP API, and POST-to-console delay.

    python -m bench.ingest [--events 2000] [--mode threading]

Prints events/s for single-event POSTs from 1 and 4 clients and for lists of
100, and the delay from each POST to a connected Socket.IO client receiving
the incident (median and p99 over --events events, posted one after another).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import requests
import socketio

from bench.harness import BENCH_TOKEN, FEED, event, machine, percentiles, vigil_server


def _rate(url: str, token: str, events: int, clients: int, batch: int, run: str) -> float:
    headers = {"Authorization": f"Bearer {token}"}
    bodies = [[event(i + j, run) for j in range(batch)] if batch > 1 else event(i, run)
              for i in range(0, events, batch)]

    def send(chunk):
        with requests.Session() as http:
            for body in chunk:
                response = http.post(f"{url}/api/v1/feeds/{FEED}/events", json=body, headers=headers, timeout=30)
                assert response.status_code == 201, response.text

    chunks = [bodies[k::clients] for k in range(clients)]
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, chunks))
    return events / (time.perf_counter() - started)


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--mode", default="threading")
    args = parser.parse_args()
    print(f"ingest into SQLite, async mode {args.mode}, {args.events} events per figure, {machine()}")
    with vigil_server(args.mode) as (url, token, _):
        for clients, batch in ((1, 1), (4, 1), (1, 100)):
            rate = _rate(url, token, args.events, clients, batch, f"r{clients}x{batch}")
            print(f"  {clients} client(s), {batch} event(s) per POST: {rate:,.0f} events/s")
        delays = asyncio.run(_delays(url, token, args.events, "delay"))
        print(f"  POST -> Socket.IO client ({len(delays)}/{args.events} received): {percentiles(delays)}")


if __name__ == "__main__":
    main()

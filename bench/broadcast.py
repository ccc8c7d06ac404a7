"""Broadcast latency to many consoles, per async mode: POST one event, time its arrival at N clients.

    python -m bench.broadcast [--clients 300] [--events 20] [--modes threading,eventlet]

Latency is from just before the POST to the moment each websocket client
receives the pushed incident (so it includes ingest and the database commit).
"""

from __future__ import annotations

import argparse
import asyncio
import time

import aiohttp
import socketio

from bench.harness import BENCH_TOKEN, FEED, event, machine, percentiles, vigil_server


async def _measure(url: str, token: str, clients: int, events: int, run: str) -> tuple[list[float], int]:
    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    connected = []

    def on_incident(feature):
        now = time.perf_counter()
        key = feature["properties"]["headline"]
        if key in sent_at:
            latencies.append((now - sent_at[key]) * 1000)

    async def connect():
        client = socketio.AsyncClient(reconnection=False)
        client.on("incident", on_incident, namespace="/live")
        await client.connect(url, namespaces=["/live"], transports=["websocket"], wait_timeout=30,
                             auth={"token": BENCH_TOKEN})
        connected.append(client)

    for start in range(0, clients, 50):  # connect in waves, as consoles do after a restart
        await asyncio.gather(*(connect() for _ in range(start, min(clients, start + 50))))
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http:
        for i in range(events):
            body = event(i, run)
            sent_at[body["headline"]] = time.perf_counter()
            async with http.post(f"{url}/api/v1/feeds/{FEED}/events", json=body) as response:
                assert response.status == 201, await response.text()
            await asyncio.sleep(0.3)  # let one broadcast finish before the next
        await asyncio.sleep(2)
    await asyncio.gather(*(client.disconnect() for client in connected))
    return latencies, len(connected)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--modes", default="threading,eventlet")
    args = parser.parse_args()
    print(f"broadcast: {args.clients} websocket clients, {args.events} events, {machine()}")
    for mode in args.modes.split(","):
        with vigil_server(mode) as (url, token, _):
            latencies, connected = asyncio.run(_measure(url, token, args.clients, args.events, mode))
        expected = connected * args.events
        print(f"  {mode:9s}: delivered {len(latencies)}/{expected}; POST -> client {percentiles(latencies)}")


if __name__ == "__main__":
    main()

"""POST-to-console latency on a scale-out deployment: W web processes sharing Redis, N Socket.IO clients, R events/s.

    python -m bench.scale_latency [--clients 500] [--web 2] [--rate 200] [--seconds 30]
                                  [--client-processes 2] [--database-url URL] [--redis-url URL] [--worker]

W `serve --role web` processes on one PostgreSQL database (created and dropped by the benchmark;
a sqlite:/// URL works too) and a Redis of their own (a private redis-server on a free port unless
--redis-url), as in a scale-out deployment. N python-socketio clients on /live are spread evenly over
the web processes and hosted by --client-processes processes. A poster sends one event per POST at
--rate events/s for --seconds, open loop (each POST starts on schedule, whether or not the previous
ones have been answered), to the web processes in turn, as a load balancer would. Each event's
headline carries the wall-clock time taken just before its POST; a client that receives the
incident takes the difference. Printed: POST→client latency (median, p95, p99, max), deliveries
against POSTs accepted × clients connected, the POST answer times, and the CPU each process used.
--worker also runs a `serve --role worker` process (triage and escalations of the new incidents).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import multiprocessing
import tempfile
import time
from array import array
from contextlib import nullcontext
from pathlib import Path

import aiohttp

from bench.harness import (BENCH_TOKEN, FEED, Server, bench_database, cpu_seconds, database_kind, event, machine,
                           percentiles, prepare, private_redis)

PREFIX = "Scale bench"
CLIENT_KEY = 1 << 20  # more than the clients of one client process
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/vigil_bench_scale"


def _clients(urls: list[str], ready, stop, results) -> None:
    """One client process: connect one client per URL in ``urls``, record latencies until told to stop."""
    import socketio

    for name in ("socketio.client", "engineio.client"):  # an overloaded server drops clients: counted below
        logging.getLogger(name).setLevel(logging.CRITICAL)

    async def run():
        keys = array("q")  # event number × CLIENT_KEY + client number, for each delivery
        latencies = array("d")  # and its POST -> client latency
        dropped = [0]
        numbers = itertools.count()
        clients = []

        def handler(number):
            def on_incident(feature):
                headline = feature["properties"]["headline"]  # "Scale bench <event> ... @<sent>"
                if headline.startswith(PREFIX):
                    latencies.append((time.time() - float(headline.rsplit("@", 1)[1])) * 1000)
                    keys.append(int(headline[len(PREFIX):].split()[0]) * CLIENT_KEY + number)
            return on_incident

        def on_disconnect(*_):
            dropped[0] += 1

        async def connect(url):
            client = socketio.AsyncClient(reconnection=False)
            client.on("incident", handler(next(numbers)), namespace="/live")
            client.on("disconnect", on_disconnect, namespace="/live")
            try:
                await client.connect(url, namespaces=["/live"], transports=["websocket"], wait_timeout=60,
                                     auth={"token": BENCH_TOKEN})
                clients.append(client)
            except Exception as exc:  # counted as not connected; the expected deliveries leave it out
                print(f"  client could not connect to {url}: {exc}", flush=True)

        for start in range(0, len(urls), 25):  # in waves, as consoles reconnect after a restart
            await asyncio.gather(*(connect(url) for url in urls[start:start + 25]))
        ready.put(len(clients))
        while not stop.is_set():
            await asyncio.sleep(0.2)
        lost = dropped[0]  # dropped by the server (or its ping timeout) during the run
        await asyncio.gather(*(client.disconnect() for client in clients), return_exceptions=True)
        results.put((len(clients), lost, keys.tobytes(), latencies.tobytes()))

    asyncio.run(run())


async def _post(urls: list[str], token: str, rate: float, seconds: float) -> tuple[list[float], set[int], int, float]:
    """Post rate × seconds events on schedule; return (answer times ms, events accepted, failed, seconds posting).

    A POST that failed (not 201, or no answer within 120 s) may still have been stored and pushed.
    """
    total = int(rate * seconds)
    answers: list[float] = []
    accepted: set[int] = set()
    failed = 0
    connector = aiohttp.TCPConnector(limit=200)
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}, connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=120)) as http:
        async def post(i: int) -> None:
            nonlocal failed
            body = event(i, "scale")
            sent = time.time()
            body["headline"] = f"{PREFIX} {i} 河道水位超警 @{sent:.6f}"
            began = time.perf_counter()
            try:
                async with http.post(f"{urls[i % len(urls)]}/api/v1/feeds/{FEED}/events", json=body) as response:
                    await response.read()
                    if response.status == 201:
                        answers.append((time.perf_counter() - began) * 1000)
                        accepted.add(i)
                    else:
                        failed += 1
            except (aiohttp.ClientError, asyncio.TimeoutError):
                failed += 1

        started = time.perf_counter()
        tasks = []
        for i in range(total):
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(post(i)))
        await asyncio.gather(*tasks)
        return answers, accepted, failed, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--web", type=int, default=2, help="web processes")
    parser.add_argument("--rate", type=float, default=200.0, help="events posted per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--drain", type=float, default=30.0, help="seconds to wait for late deliveries at most")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--redis-url", help="default: a private redis-server on a free port")
    parser.add_argument("--worker", action="store_true", help="also run a worker process")
    args = parser.parse_args()
    print(f"scale-out latency: {args.web} web processes, {args.clients} Socket.IO clients, {args.rate:g} events/s "
          f"for {args.seconds:g} s, {database_kind(args.database_url)}, {machine()}", flush=True)
    with bench_database(args.database_url) as url, tempfile.TemporaryDirectory(prefix="vigil-bench-") as tmp:
        with nullcontext(args.redis_url) if args.redis_url else private_redis() as redis_url:
            token = prepare(url)
            env = {"VIGIL_SOCKETIO_MESSAGE_QUEUE": redis_url}
            servers, processes = [], []
            context = multiprocessing.get_context("spawn")
            ready, results, stop = context.Queue(), context.Queue(), context.Event()
            try:
                for n in range(args.web):
                    servers.append(Server(url, Path(tmp) / f"web{n}.log", role="web", extra_env=env))
                if args.worker:
                    servers.append(Server(url, Path(tmp) / "worker.log", role="worker", extra_env=env))
                web_urls = [server.url for server in servers if server.url]
                targets = [web_urls[n % len(web_urls)] for n in range(args.clients)]
                processes = [context.Process(target=_clients, args=(targets[k::args.client_processes], ready, stop,
                                                                     results))
                             for k in range(args.client_processes)]
                for process in processes:
                    process.start()
                connected = sum(ready.get(timeout=300) for _ in processes)
                print(f"  {connected}/{args.clients} clients connected", flush=True)
                time.sleep(2)
                cpu_before = {p: cpu_seconds(p) for p in [s.pid for s in servers] + [p.pid for p in processes]}
                answers, accepted, failed, posting = asyncio.run(_post(web_urls, token, args.rate, args.seconds))
                # Wait for late deliveries: until the counts stop growing (checked through the CPU the
                # client processes still use) or --drain runs out.
                deadline = time.monotonic() + args.drain
                last = sum(cpu_seconds(p.pid) for p in processes)
                while time.monotonic() < deadline:
                    time.sleep(2)
                    now = sum(cpu_seconds(p.pid) for p in processes)
                    if now - last < 0.1:
                        break
                    last = now
                cpu = {p: cpu_seconds(p) - before for p, before in cpu_before.items()}
                stop.set()
                collected = [results.get(timeout=120) for _ in processes]
                for process in processes:
                    process.join(timeout=30)
            finally:
                stop.set()
                for process in processes:
                    if process.is_alive():
                        process.terminate()
                for server in servers:
                    server.stop()
    latencies: list[float] = []  # deliveries of accepted events, the first of each event per client
    other = duplicates = lost = 0
    for _connected, dropped, raw_keys, raw_latencies in collected:
        keys, values = array("q"), array("d")
        keys.frombytes(raw_keys)
        values.frombytes(raw_latencies)
        lost += dropped
        seen = set()
        for key, value in zip(keys, values):
            if key in seen:
                duplicates += 1
            elif key // CLIENT_KEY not in accepted:
                other += 1  # its POST failed or timed out, yet it was stored and pushed
            else:
                latencies.append(value)
            seen.add(key)
    expected = len(accepted) * connected
    print(f"  POSTs: {len(accepted)} accepted, {failed} failed or unanswered after 120 s, of "
          f"{int(args.rate * args.seconds)} scheduled; {len(accepted) / posting:,.1f} events/s accepted over "
          f"{posting:.1f} s")
    print(f"  POST answer: {percentiles(answers)}")
    print(f"  delivered {len(latencies)}/{expected} ({100 * len(latencies) / max(expected, 1):.1f} %) "
          f"(accepted events x connected clients); {lost} clients dropped by a server during the run; "
          f"{duplicates} duplicate deliveries; {other} deliveries of events whose POST failed")
    print(f"  POST -> client: {percentiles(latencies)}")
    names = [f"web{n}" for n in range(args.web)] + (["worker"] if args.worker else []) + \
            [f"clients{k}" for k in range(args.client_processes)]
    print("  CPU seconds used from the first POST to the end: " +
          ", ".join(f"{name} {seconds:.1f}" for name, seconds in zip(names, cpu.values())))


if __name__ == "__main__":
    main()

"""From a poll to the event on a connected console: a real server polls a feed server on 127.0.0.1.

    python -m bench.poll_latency [--rounds 20]

The feed server serves USGS GeoJSON; each round it starts serving one more
quake. Printed: the delay from the poll request that fetched the new quake to
a Socket.IO client receiving its incident, and from the change to receipt
(which adds the wait for the next poll, interval 1 s).
"""

from __future__ import annotations

import argparse
import json
import queue
import time

import socketio

from bench.harness import BENCH_TOKEN, machine, percentiles, vigil_server
from feeds.demo import SAMPLES_DIR
from tests.feeds.fake_feed_server import Answer, FakeFeedServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    document = json.loads((SAMPLES_DIR / "usgs_all_day_2018-09-16.geojson").read_bytes())
    features = document["features"]
    feed_server = FakeFeedServer()
    feed_server.answer = Answer(json.dumps({**document, "features": features[:1]}).encode(), etag='"1"')
    with open("/tmp/vigil-bench-feeds.yaml", "w") as config:
        config.write(f"feeds:\n  - source: usgs\n    format: usgs_quake\n    url: {feed_server.url}\n"
                     "    interval_seconds: 1\n")
    poll_to_console, change_to_console = [], []
    with vigil_server(extra_env={"VIGIL_FEEDS_FILE": "/tmp/vigil-bench-feeds.yaml"}) as (url, _token, _db):
        arrived: queue.Queue = queue.Queue()
        client = socketio.Client(reconnection=False)
        client.on("incident", lambda f: arrived.put((time.perf_counter(), f["properties"]["headline"])),
                  namespace="/live")
        client.connect(url, namespaces=["/live"], transports=["websocket"], auth={"token": BENCH_TOKEN})
        time.sleep(2)
        for n in range(2, args.rounds + 2):
            new = features[n - 1]["properties"]["title"]
            requests_before = len(feed_server.request_times)
            changed = time.perf_counter()
            feed_server.answer = Answer(json.dumps({**document, "features": features[:n]}).encode(), etag=f'"{n}"')
            while True:
                received, headline = arrived.get(timeout=15)
                if headline == new:
                    break
            polled = [t for t in feed_server.request_times[requests_before:] if t >= changed][0]
            poll_to_console.append((received - polled) * 1000)
            change_to_console.append((received - changed) * 1000)
        client.disconnect()
    feed_server.close()
    print(f"poll to console, {args.rounds} rounds, USGS feed polled every 1 s, {machine()}")
    print(f"  poll request -> console: {percentiles(poll_to_console)}")
    print(f"  feed change  -> console: {percentiles(change_to_console)}")


if __name__ == "__main__":
    main()

"""Scale-out on the real servers: two web processes and two workers share PostgreSQL and Redis.

A console connected to web process A hears an incident ingested through web process B, and an
escalation started by a worker process (which has no web server) reaches it through Redis too.
Escalations of many incidents are each started once and each person texted once per step, however
the two workers share the work.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
import requests
import socketio

from sqlalchemy import func, select

from command.cli import DEMO_DIRECTORY
from command.dutylog import verify
from command.models import Escalation, Incident, Notification
from command.migrate import upgrade
from command.runtime import build_runtime
from command.tokens import issue_feed_token
from tests.conftest import (ADMIN, ADMIN_TOKEN, FEED, ROOT, ServerProcess, event_body, free_port, make_user,
                            stop_process)

pytestmark = pytest.mark.postgres


@pytest.fixture
def cluster(pg_url, redis_url, tmp_path):
    runtime = build_runtime({"DATABASE_URL": pg_url})
    upgrade(runtime.engine)
    make_user(runtime, ADMIN, token=ADMIN_TOKEN)
    with runtime.unit_of_work() as session:
        feed_token = issue_feed_token(session, FEED)
    runtime.engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env.update(VIGIL_DATABASE_URL=pg_url, VIGIL_SECRET_KEY="shared-by-every-web-process",
               VIGIL_SOCKETIO_MESSAGE_QUEUE=redis_url, VIGIL_LOG_DIR=str(tmp_path),
               VIGIL_SOCKETIO_CHANNEL=f"vigil-{tmp_path.name}",  # other runs on the shared Redis stay apart PYTHONUNBUFFERED="1",
               VIGIL_DIRECTORY_FILE=str(DEMO_DIRECTORY), VIGIL_ESCALATION_POLL_SECONDS="0.2")
    with contextlib.ExitStack() as cleanup:  # whatever started is stopped, even if a later start fails
        worker_log = cleanup.enter_context(open(tmp_path / "worker.log", "w"))
        for _ in range(2):
            worker = subprocess.Popen([sys.executable, "-m", "command", "serve", "--role", "worker"], cwd=ROOT,
                                      env=env, stdout=worker_log, stderr=subprocess.STDOUT)
            cleanup.callback(stop_process, worker)
        web_a = ServerProcess(env, free_port(), ["--role", "web"])
        cleanup.callback(web_a.stop)
        web_b = ServerProcess(env, free_port(), ["--role", "web"])
        cleanup.callback(web_b.stop)
        yield web_a, web_b, feed_token, tmp_path / "worker.log"



def test_a_console_on_one_process_hears_what_another_process_and_the_worker_did(cluster):
    web_a, web_b, feed_token, worker_log = cluster
    heard = {"incident": threading.Event(), "escalation": threading.Event()}
    client = socketio.Client(reconnection=False)
    client.on("incident", lambda f: f["properties"]["headline"].startswith("Scale") and heard["incident"].set(),
              namespace="/live")
    client.on("escalation", lambda e: e["headline"].startswith("Scale") and heard["escalation"].set(),
              namespace="/live")
    client.connect(web_a.url, namespaces=["/live"], transports=["websocket"], auth={"token": ADMIN_TOKEN},
                   wait_timeout=10)
    try:
        answer = requests.post(f"{web_b.url}/api/v1/feeds/{FEED}/events", timeout=10,
                               json=event_body("scale-1", headline="Scale-out flood", severity="extreme"),
                               headers={"Authorization": f"Bearer {feed_token}"})
        assert answer.status_code == 201, answer.text
        assert heard["incident"].wait(10), "web process A never pushed what web process B ingested"
        assert heard["escalation"].wait(45), f"the worker's escalation never reached the console through Redis:\n" \
                                             f"{worker_log.read_text()[-2000:]}"
    finally:
        client.disconnect()
    assert web_a.api.get(f"{web_a.url}/api/v1/escalations", timeout=10).json()["escalations"]


INCIDENTS = 30


def test_many_escalations_across_two_workers_are_each_texted_once(cluster, pg_url):
    web_a, web_b, feed_token, worker_log = cluster
    for number in range(INCIDENTS):  # ingested through both web processes in turn
        web = (web_a, web_b)[number % 2]
        answer = requests.post(f"{web.url}/api/v1/feeds/{FEED}/events", timeout=10,
                               json=event_body(f"many-{number}", headline=f"Flood {number}", severity="extreme"),
                               headers={"Authorization": f"Bearer {feed_token}"})
        assert answer.status_code == 201, answer.text
    runtime = build_runtime({"DATABASE_URL": pg_url})
    unsent = ("pending", "sending", "unknown")
    deadline = time.monotonic() + 60
    try:
        while True:  # until every incident has its escalation and every first-step SMS went out
            with runtime.sessions() as session:
                escalations = session.scalar(select(func.count()).select_from(Escalation))
                texted = session.scalar(select(func.count(func.distinct(Notification.escalation_id)))
                                        .where(Notification.channel == "sms", Notification.status.not_in(unsent)))
            if escalations == texted == INCIDENTS:
                break
            assert time.monotonic() < deadline, f"{escalations} escalations, {texted} texted:\n" \
                                                f"{worker_log.read_text()[-2000:]}"
            time.sleep(0.2)
        with runtime.sessions() as session:
            per_incident = Counter(session.scalars(select(Escalation.incident_id)))
            sms = Counter(session.execute(select(Notification.escalation_id, Notification.person_id,
                                                 Notification.step, Notification.contact_position)
                                          .where(Notification.channel == "sms")).all())
            incidents = session.scalar(select(func.count()).select_from(Incident))
            assert verify(session).ok
    finally:
        runtime.engine.dispose()
    assert incidents == len(per_incident) == INCIDENTS and set(per_incident.values()) == {1}
    assert max(sms.values()) == 1, [key for key, count in sms.items() if count > 1]

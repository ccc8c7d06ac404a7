"""kill -9 the escalation worker at random moments: no SMS lost, at most one duplicated per kill.

The worker is a real `python -m command serve --role worker` subprocess sending through the real
twilio client to a fake Twilio on 127.0.0.1.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter

from sqlalchemy import select

from command.dutylog import verify
from command.models import Escalation, Notification, Person, utcnow
from feeds.event import FeedEvent
from feeds.ingest import ingest
from tests.conftest import ROOT
from tests.duty_room import seed_duty_room
from tests.fakes.twilio_server import FakeTwilio
from tests.sms.sms_rows import twilio_settings

INCIDENTS = 40
KILLS = 6
PLAYBOOK = """\
name: flood-fast
title: {en: Severe flood (fast), zh: 严重洪涝}
priority: 50
match: {event: [flood]}
steps:
  - {type: notify_on_duty, post: leader, channels: [sms]}
  - {type: notify_liaisons, departments: [water], channels: [sms]}
  - {type: wait, minutes: 0.02}
  - {type: if_not_acknowledged}
  - {type: notify_role, role: head, department: water, channels: [sms]}
"""
CODE = re.compile(r"([A-Z]\d+)\s*1")  # the reply code in "回复A7 1确认" / "Reply A7 1 to ack"


def _start_worker(env: dict, log) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "command", "serve", "--role", "worker"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)


def test_killed_workers_lose_nothing_and_duplicate_at_most_once_per_kill(runtime, sqlite_url, tmp_path):
    fake = FakeTwilio()
    playbooks = tmp_path / "playbooks"
    playbooks.mkdir()
    (playbooks / "flood.yaml").write_text(PLAYBOOK, encoding="utf-8")
    seed_duty_room(runtime, around=utcnow())
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env.update({f"VIGIL_{k}": str(v) for k, v in twilio_settings(fake).items()})
    env.update(VIGIL_DATABASE_URL=sqlite_url, VIGIL_SECRET_KEY="test", VIGIL_PLAYBOOKS_DIR=str(playbooks),
               VIGIL_ESCALATION_POLL_SECONDS="0.05", VIGIL_ESCALATION_LEASE_SECONDS="1", PYTHONUNBUFFERED="1")
    for number in range(INCIDENTS):
        event = FeedEvent.from_dict({"external_id": f"flood-{number}", "version": "1", "event": "Flood",
                                     "headline": f"Qinhuai gauge {number} over guarantee level",
                                     "severity": "severe", "lat": 32.04, "lon": 118.78}, "water-gauges")
        ingest(runtime.sessions, runtime.publisher.publish, "water-gauges", [(0, event)])

    rng = random.Random(20261124)
    log = open(tmp_path / "worker.log", "w")
    try:
        for _ in range(KILLS):
            worker = _start_worker(env, log)
            time.sleep(rng.uniform(0.8, 2.5))  # start-up is about 0.7 s: kills land before, during and after sends
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        worker = _start_worker(env, log)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with runtime.sessions() as session:
                open_work = session.scalar(select(Escalation.id).where(Escalation.state == "active").limit(1)) or \
                    session.scalar(select(Notification.id).where(
                        Notification.status.in_(("pending", "sending", "unknown"))).limit(1))
            if open_work is None:
                break
            time.sleep(0.2)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=10)
    finally:
        log.close()
        fake.close()

    with runtime.sessions() as session:
        numbers = dict(session.execute(select(Person.username, Person.id)).all())
        codes = {e.reply_code for e in session.scalars(select(Escalation))}
        states = Counter(e.state for e in session.scalars(select(Escalation)))
        assert verify(session).ok, "the duty log's chain must survive the kills"
    assert numbers and states == {"finished": INCIDENTS}, (states, (tmp_path / "worker.log").read_text()[-3000:])
    sent = Counter((m["to"], CODE.search(m["body"]).group(1)) for m in fake.messages)
    expected = {(to, code) for code in codes for to in ("+8613800000003", "+8613800000001", "+8613800000002")}
    lost = expected - set(sent)
    duplicated = sum(count - 1 for count in sent.values())
    print(f"kills={KILLS} sent={sum(sent.values())} expected={len(expected)} duplicated={duplicated}")
    assert not lost, f"{len(lost)} SMS never reached the provider"
    assert set(sent) == expected  # and nothing unexpected was sent
    assert duplicated <= KILLS, f"{duplicated} duplicates for {KILLS} kills"

"""kill -9 the escalation worker ten times during a run of 500 escalations: nothing is lost.

A real web process (`serve --role web`) and a real worker (`serve --role worker`) share a fresh
PostgreSQL database; the worker sends SMS through the real twilio client to a fake Twilio on
127.0.0.1. While 500 flood events come in, the worker is killed with SIGKILL and started again, ten
times, at random moments: half of the kills land inside a provider call (the fake has taken the
message, the worker never hears the answer: the worst moment for a duplicate), the other half after
a random delay (in triage, a claim, a step, a duty-log append, or idle). Meanwhile the water
liaison acknowledges every fifth escalation: half through the API as soon as it shows up, half by
replying "<code> 1" once its SMS arrives (the signed Twilio webhook), so acknowledgements race the
kills and the playbook's "if not acknowledged" step.

Afterwards: every event became exactly one escalation with the right people notified once each,
every notification reached the provider, every acknowledgement the web process confirmed is
recorded and decided its escalation, the duty-log chain verifies, and a message the provider got
twice (a duplicate) happened at most once per kill.
"""

from __future__ import annotations

import os
import random
import re
import signal
import threading
import time
from collections import Counter

import pytest
import requests
from sqlalchemy import func, select, update

from command.dutylog import verify
from command.escalation import REPLY_LETTERS, reply_code
from command.migrate import upgrade
from command.models import Acknowledgement, DutyLogEntry, Escalation, Incident, Notification, Person, utcnow
from command.runtime import build_runtime
from command.users import _token_hash
from feeds.event import FeedEvent
from feeds.ingest import ingest
from tests.conftest import ADMIN, ADMIN_TOKEN, ServerProcess, free_port, make_user
from tests.duty_room import seed_duty_room
from tests.fakes.twilio_server import FakeTwilio
from tests.faults.servers import WorkerProcess, vigil_env
from tests.sms.sms_rows import PUBLIC_URL, twilio_settings

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.timeout(300)]

ESCALATIONS = 500
KILLS = 10
ACK_EVERY = 5  # the liaison acknowledges escalations whose id is a multiple of this
INGEST_BATCH = 10
SOURCE = "water-gauges"
PLAYBOOK = """\
name: flood-fast
title: {en: Severe flood (fast), zh: 严重洪涝}
priority: 50
match: {event: [flood]}
steps:
  - {type: notify_liaisons, departments: [water], channels: [sms]}
  - {type: wait, minutes: 0.25}
  - {type: if_not_acknowledged}
  - {type: notify_role, role: head, department: water, channels: [sms]}
"""
LIAISON, HEAD = "+8613800000001", "+8613800000002"
CODE = re.compile(r"([A-Z]\d+)\s*1")  # the reply code in "回复A7 1确认" / "Reply A7 1 to ack"
SETTLED = ("queued", "sent", "delivered")  # the provider has it
LIAISON_TOKEN = "vgu_liu-personal-token"


def escalation_of(code: str) -> int:
    """The escalation a reply code names (the inverse of command.escalation.reply_code)."""
    return (int(code[1:]) - 1) * len(REPLY_LETTERS) + REPLY_LETTERS.index(code[0]) + 1


class Acknowledger(threading.Thread):
    """The water liaison, answering every ACK_EVERY-th escalation while the worker is being killed.

    Half of them through the API as soon as the escalation shows up (the liaison's queue page),
    with the liaison's own token; the other half by replying "<code> 1" once the SMS reaches the
    liaison's phone (the fake Twilio posts the reply, signed, to the web process).
    """

    def __init__(self, runtime, fake: FakeTwilio, web: ServerProcess):
        super().__init__(daemon=True, name="liaison")
        self.runtime, self.fake, self.web = runtime, fake, web
        self.api = requests.Session()  # the liaison's own token: an answer is recorded as its caller's
        self.api.headers["Authorization"] = f"Bearer {LIAISON_TOKEN}"
        self.confirmed: dict[int, str] = {}  # escalation id -> via, for each answer the server confirmed
        self.problems: list[str] = []
        self.caught_up = threading.Event()  # set after a pass that found nothing new to answer
        self._halt = threading.Event()
        self._seen_messages = 0
        self._seen_escalation = 0

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=30)

    def run(self) -> None:
        while not self._halt.is_set():
            with self.fake._lock:
                texts = [m["body"] for m in self.fake.messages[self._seen_messages:] if m["to"] == LIAISON]
                self._seen_messages = len(self.fake.messages)
            with self.runtime.sessions() as session:
                shown = list(session.scalars(select(Escalation.id).where(Escalation.id > self._seen_escalation)
                                             .order_by(Escalation.id)))
            self._seen_escalation = max(shown, default=self._seen_escalation)
            work = [(number, "api") for number in shown if self._ours(number) == "api"] + [
                (number, "sms") for number in map(escalation_of, (CODE.search(t).group(1) for t in texts))
                if self._ours(number) == "sms"]
            if work:
                self.caught_up.clear()
            for number, via in work:
                try:
                    self._answer(number, via)
                except Exception as exc:  # noqa: BLE001 - reported by the test
                    self.problems.append(f"#{number} by {via}: {type(exc).__name__}: {exc}"[:300])
            if not work:
                self.caught_up.set()
            self._halt.wait(0.1)

    @staticmethod
    def _ours(number: int) -> str | None:
        """How the liaison answers escalation ``number``: by "api", by "sms", or not at all."""
        if number % ACK_EVERY:
            return None
        return "sms" if (number // ACK_EVERY) % 2 else "api"

    def _answer(self, number: int, via: str) -> None:
        if number in self.confirmed:
            return
        if via == "sms":
            code = reply_code(number)
            status, twiml = self.fake.send_inbound(f"{PUBLIC_URL}/twilio/sms", LIAISON, f"{code} 1")
            if status != 200 or "acknowledged" not in twiml:
                self.problems.append(f"SMS reply {code} 1: {status} {twiml[:200]}")
                return
        else:
            answer = self.api.post(f"{self.web.url}/api/v1/escalations/{number}/answers", timeout=10,
                                   json={"actor": "liu", "answer": "acknowledge", "via": "api"})
            if answer.status_code not in (200, 201):
                self.problems.append(f"API answer for #{number}: {answer.status_code} {answer.text[:200]}")
                return
        self.confirmed[number] = via


def _feed(runtime, done: threading.Event, errors: list) -> None:
    """The gauges report ESCALATIONS floods, INGEST_BATCH at a time, as the worker is being killed."""
    try:
        for start in range(0, ESCALATIONS, INGEST_BATCH):
            batch = [(i, FeedEvent.from_dict(
                {"external_id": f"flood-{n}", "version": "1", "event": "Flood", "severity": "severe",
                 "headline": f"Gauge {n} over guarantee level", "lat": 30 + n % 50 / 10, "lon": 110 + n // 50 / 10},
                SOURCE)) for i, n in enumerate(range(start, start + INGEST_BATCH))]
            ingest(runtime, SOURCE, batch)
            time.sleep(0.02)
    except Exception as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)
    finally:
        done.set()


def _open_work(runtime) -> str | None:
    """What is still to do, or None when every event has run its escalation to the end."""
    with runtime.sessions() as session:
        escalations = session.scalar(select(func.count()).select_from(Escalation))
        if escalations < ESCALATIONS:
            return f"{escalations} escalations of {ESCALATIONS}"
        if session.scalar(select(Escalation.id).where(Escalation.state == "active").limit(1)):
            return "escalations still active"
        waiting = session.scalar(select(func.count()).select_from(Notification).where(
            Notification.status.not_in(SETTLED)))
        return f"{waiting} notifications not at the provider" if waiting else None


def test_ten_kill_9s_during_500_escalations_lose_no_escalation_sms_or_acknowledgement(pg_url, tmp_path):
    started = time.monotonic()
    runtime = build_runtime({"DATABASE_URL": pg_url})
    upgrade(runtime.engine)
    make_user(runtime, ADMIN, token=ADMIN_TOKEN)
    people = seed_duty_room(runtime, around=utcnow())
    with runtime.unit_of_work() as session:
        session.execute(update(Person).where(Person.id == people["liu"]).values(token_hash=_token_hash(LIAISON_TOKEN)))
    playbooks = tmp_path / "playbooks"
    playbooks.mkdir()
    (playbooks / "flood.yaml").write_text(PLAYBOOK, encoding="utf-8")
    fake = FakeTwilio()
    env = vigil_env(tmp_path, pg_url, PLAYBOOKS_DIR=playbooks, ESCALATION_POLL_SECONDS=0.05,
                    ESCALATION_LEASE_SECONDS=2, **twilio_settings(fake, SMS_TIMEOUT_SECONDS=1.0))
    web = ServerProcess(env, free_port(), ["--role", "web"])
    fake.route(PUBLIC_URL, web.url)
    liaison = Acknowledger(runtime, fake, web)
    fed, feed_errors = threading.Event(), []
    feeder = threading.Thread(target=_feed, args=(runtime, fed, feed_errors), daemon=True)

    rng = random.Random(20261124)
    modes = ["in a provider call"] * (KILLS // 2) + ["after a random delay"] * (KILLS - KILLS // 2)
    rng.shuffle(modes)
    kills: list[str] = []
    lives: list[WorkerProcess] = []
    killed = threading.Event()
    target = {"pid": None, "count": None}

    def kill_inside_the_call(message: dict) -> None:  # runs in the fake's handler, before the worker hears
        if target["pid"] is not None and len(fake.messages) >= target["count"]:
            os.kill(target["pid"], signal.SIGKILL)
            target["pid"] = None
            killed.set()

    fake.on_message = kill_inside_the_call
    try:
        for life, mode in enumerate(modes):
            worker = WorkerProcess(env, tmp_path / f"worker-{life}.log")
            lives.append(worker)
            if life == 0:
                liaison.start()
                feeder.start()
            assert worker.wait_ready(), f"worker {life} did not start:\n{worker.output()}"
            at = len(fake.messages)
            if mode == "in a provider call":
                killed.clear()
                target.update(count=at + rng.randint(1, 40), pid=worker.process.pid)
                if not killed.wait(30):  # nothing left to send: a kill while idle then
                    target["pid"] = None
                    mode = "while idle (nothing left to send)"
            else:
                time.sleep(rng.uniform(0.0, 2.5))
            worker.kill()
            kills.append(f"{mode} after {len(fake.messages) - at} messages")
        kill_phase = time.monotonic() - started
        assert fed.wait(60) and not feed_errors, feed_errors

        final = WorkerProcess(env, tmp_path / "worker-final.log")
        lives.append(final)
        deadline = time.monotonic() + 90  # a kill inside a provider call leaves that row leased ~32 s
        while (left := _open_work(runtime)) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert left is None, f"{left} after 90 s:\n{final.output()}"
        liaison.caught_up.clear()
        assert liaison.caught_up.wait(30), "the liaison's last answers"
        liaison.stop()
        final.stop()
    finally:
        liaison.stop()
        for worker in lives:
            worker.stop()
        web.stop()
        fake.close()

    with runtime.sessions() as session:
        escalations = {e.id: e for e in session.scalars(select(Escalation))}
        codes = {e.reply_code: e.id for e in escalations.values()}
        per_incident = Counter(session.scalars(select(Escalation.incident_id)))
        incidents = session.scalar(select(func.count()).select_from(Incident))
        usernames = dict(session.execute(select(Person.id, Person.username)).all())
        notified = Counter((n.escalation_id, usernames[n.person_id]) for n in session.scalars(select(Notification)))
        statuses = Counter(session.scalars(select(Notification.status)))
        answers = {(a.escalation_id, a.actor, a.via) for a in session.scalars(select(Acknowledgement))}
        ack_entries = Counter(session.scalars(select(DutyLogEntry.escalation_id)
                                              .where(DutyLogEntry.kind == "acknowledgement")))
        chain = verify(session)
    runtime.engine.dispose()

    sent = Counter((m["to"], escalation_of(CODE.search(m["body"]).group(1))) for m in fake.messages)
    duplicates = Counter(key for key, count in sent.items() for _ in range(count - 1))
    states = Counter(e.state for e in escalations.values())
    elapsed = time.monotonic() - started
    print(f"\n{ESCALATIONS} escalations, {KILLS} kills in {kill_phase:.0f} s, all done in {elapsed:.0f} s")
    for number, how in enumerate(kills, 1):
        print(f"  kill {number}: {how}")
    reconciled = sum(w.logfile.read_text(errors="replace").count("found at the provider") for w in lives)
    print(f"provider took {len(fake.messages)} messages for {sum(notified.values())} notifications "
          f"({reconciled} unknown outcomes found by lookup, not sent again); "
          f"duplicates {sum(duplicates.values())} (at most {KILLS} allowed): {dict(duplicates)}")
    print(f"escalation states {dict(states)}; acknowledgements confirmed {len(liaison.confirmed)} "
          f"({dict(Counter(liaison.confirmed.values()))}); notification statuses {dict(statuses)}")

    # No escalation lost, none doubled.
    assert incidents == ESCALATIONS and len(escalations) == ESCALATIONS
    assert set(per_incident.values()) == {1}, "one escalation per incident"
    assert all(escalation_of(code) == number for code, number in codes.items())
    assert set(states) <= {"finished", "acknowledged"}, states
    # Each escalation told the liaison once, and the head exactly when nobody acknowledged in time.
    for escalation in escalations.values():
        expected = {(escalation.id, "liu"): 1}
        if escalation.state == "finished":
            expected[(escalation.id, "zhao")] = 1
        got = {key: count for key, count in notified.items() if key[0] == escalation.id}
        assert got == expected, (escalation.id, escalation.state, got)
    assert set(statuses) <= set(SETTLED), statuses
    # Every notification reached the provider; nothing else was sent; duplicates at most one per kill.
    wanted = {(LIAISON, e) for e in escalations} | {
        (HEAD, e.id) for e in escalations.values() if e.state == "finished"}
    assert not wanted - set(sent), f"{len(wanted - set(sent))} SMS never reached the provider"
    assert set(sent) == wanted, f"unexpected SMS: {sorted(set(sent) - wanted)[:10]}"
    assert sum(duplicates.values()) <= KILLS, f"{sum(duplicates.values())} duplicates for {KILLS} kills"
    # No acknowledgement lost: each one confirmed is recorded once, logged, and decided its escalation.
    assert not liaison.problems, liaison.problems[:5]
    assert len(liaison.confirmed) == ESCALATIONS // ACK_EVERY, "the liaison answered every fifth escalation"
    for escalation_id, via in liaison.confirmed.items():
        assert (escalation_id, "liu", via) in answers, f"acknowledgement of #{escalation_id} by {via} lost"
        assert ack_entries[escalation_id] == 1, (escalation_id, ack_entries[escalation_id])
        assert escalations[escalation_id].acknowledged_at is not None, escalation_id
    assert len(answers) == len(liaison.confirmed)
    assert states["acknowledged"] == sum(e.acknowledged_at is not None and e.state == "acknowledged"
                                         for e in escalations.values())
    assert all(e.id in liaison.confirmed for e in escalations.values() if e.state == "acknowledged")
    # The duty log's hash chain survived every kill.
    assert chain.ok, chain

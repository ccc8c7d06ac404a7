"""The SMS provider answers 500 or 429 to a third of requests: every notification still ends somewhere.

A real worker (`serve --role worker`) sends through the real twilio client to a fake Twilio on
127.0.0.1 that answers requests in a fixed pattern of twelve: eight go through, two get 429, two get
500, and one of those 500s is a lie (the provider kept the message: the outcome the worker cannot
know). The lookups the worker makes after a 500 go through the same pattern. Like Twilio, the fake
reports every message it took as delivered to the StatusCallback of a real web process.

The duty room: the leader and the water liaison (flaky provider only); the water head, whose first
number is dead (always 500) and whose second number works; and an engineer whose only number is
dead. Afterwards every notification is delivered, or failed with the failure written in the duty
log (and the next number tried, or the duty room told the person could not be reached); none is
left pending, unknown or queued; and no message was ever sent again after the provider took it.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select

from command.dutylog import verify
from command.migrate import upgrade
from command.models import Contact, DutyLogEntry, Escalation, Notification, Person, utcnow
from command.runtime import build_runtime
from command.sms.senders import TwilioSender
from feeds.event import FeedEvent
from feeds.ingest import ingest
from tests.conftest import ServerProcess, free_port
from tests.duty_room import seed_duty_room
from tests.fakes.twilio_server import SERVER_ERROR, TOO_MANY_REQUESTS, Fault, FakeTwilio
from tests.faults.servers import WorkerProcess, vigil_env
from tests.sms.sms_rows import FROM_NUMBER, PUBLIC_URL, twilio_settings

pytestmark = [pytest.mark.faults, pytest.mark.timeout(180)]

INCIDENTS = 20
SERVER_ERROR_KEPT = Fault(500, 20500, keep=True, message="Internal Server Error")  # taken, but the client hears 500
PATTERN = [None, None, SERVER_ERROR, None, None, TOO_MANY_REQUESTS,
           None, None, SERVER_ERROR_KEPT, None, None, TOO_MANY_REQUESTS]  # a third of requests fail
DEAD, HEAD_SECOND, ENGINEER = "+8613800000020", "+8613800000021", "+8613800000022"
FINAL = ("delivered", "failed")
PLAYBOOK = """\
name: flood-all-hands
title: {en: Severe flood, zh: 严重洪涝}
priority: 50
match: {event: [flood]}
steps:
  - {type: notify_on_duty, post: leader, channels: [sms]}
  - {type: notify_liaisons, departments: [water], channels: [sms]}
  - {type: notify_role, role: head, department: water, channels: [sms]}
  - {type: notify_person, person: sun, channels: [sms]}
"""


class DeliveryReports(threading.Thread):
    """Twilio's side: a moment after taking a message, report it delivered to its StatusCallback."""

    def __init__(self, fake: FakeTwilio):
        super().__init__(daemon=True, name="delivery-reports")
        self.fake, self.taken, self.answers = fake, queue.Queue(), Counter()
        fake.on_message = lambda message: self.taken.put(message["sid"])

    def run(self) -> None:
        while (sid := self.taken.get()) is not None:
            time.sleep(0.1)
            self.answers[self.fake.send_status(sid, "delivered")] += 1

    def stop(self) -> None:
        self.taken.put(None)
        self.join(timeout=15)


def _unsettled(runtime) -> str | None:
    with runtime.sessions() as session:
        if session.scalar(select(func.count()).select_from(Escalation)) < INCIDENTS:
            return "escalations not started yet"
        if session.scalar(select(Escalation.id).where(Escalation.state == "active").limit(1)):
            return "escalations still active"
        waiting = Counter(session.scalars(select(Notification.status).where(Notification.status.not_in(FINAL))))
        return f"notifications not settled: {dict(waiting)}" if waiting else None


@pytest.mark.postgres
def test_a_provider_failing_a_third_of_requests_delays_but_never_loses_or_repeats_an_sms(pg_url, tmp_path):
    started = time.monotonic()
    runtime = build_runtime({"DATABASE_URL": pg_url})
    upgrade(runtime.engine)
    people = seed_duty_room(runtime, around=utcnow())
    with runtime.unit_of_work() as session:
        session.add(Contact(person_id=people["zhao"], position=2, channel="sms", address=HEAD_SECOND))
        session.get(Contact, session.scalar(select(Contact.id).where(Contact.person_id == people["zhao"],
                                                                     Contact.position == 1))).address = DEAD
        sun = Person(username="sun", display_name="Sun", role="liaison")
        session.add(sun)
        session.flush()
        session.add(Contact(person_id=sun.id, position=1, channel="sms", address=ENGINEER))
    playbooks = tmp_path / "playbooks"
    playbooks.mkdir()
    (playbooks / "flood.yaml").write_text(PLAYBOOK, encoding="utf-8")

    fake = FakeTwilio()
    fake.fail_cycle(PATTERN, lookups=True)
    for number in (DEAD, ENGINEER):
        fake.fail_to(number, SERVER_ERROR)
    reports = DeliveryReports(fake)
    env = vigil_env(tmp_path, pg_url, PLAYBOOKS_DIR=playbooks, ESCALATION_POLL_SECONDS=0.1,
                    **twilio_settings(fake, SMS_TIMEOUT_SECONDS=2.0, SMS_MAX_ATTEMPTS=4))
    web = ServerProcess(env, free_port(), ["--role", "web"])  # receives the delivery reports
    fake.route(PUBLIC_URL, web.url)
    worker = WorkerProcess(env, tmp_path / "worker.log")
    try:
        reports.start()
        for number in range(INCIDENTS):
            event = FeedEvent.from_dict({"external_id": f"flood-{number}", "version": "1", "event": "Flood",
                                         "headline": f"Gauge {number} over guarantee level", "severity": "severe",
                                         "lat": 32.0 + number / 100, "lon": 118.78}, "water-gauges")
            ingest(runtime, "water-gauges", [(0, event)])
        deadline = time.monotonic() + 90  # four attempts with backoff take up to 14 s per number
        while (left := _unsettled(runtime)) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert left is None, f"{left} after 90 s:\n{worker.output()}"
    finally:
        worker.stop()
        reports.stop()
        web.stop()
        fake.close()

    with runtime.sessions() as session:
        rows = list(session.scalars(select(Notification).order_by(Notification.id)))
        numbers = dict(session.execute(select(Person.id, Person.username)).all())
        entries = list(session.scalars(select(DutyLogEntry).where(
            DutyLogEntry.kind.in_(("sms_failed", "escalation_failed", "sms_delivered"))).order_by(DutyLogEntry.id)))
        chain = verify(session)
    runtime.engine.dispose()

    answers = Counter(a["answer"] for a in fake.attempts)
    kept_500 = sum(a["answer"] == 500 and a["kept"] for a in fake.attempts)
    flaky_attempts = [a for a in fake.attempts if a["to"] not in (DEAD, ENGINEER)]
    failed_share = sum(a["answer"] != 201 for a in flaky_attempts) / len(flaky_attempts)
    statuses = Counter((numbers[r.person_id], r.address, r.status) for r in rows)
    print(f"\n{len(rows)} notifications in {time.monotonic() - started:.0f} s: {dict(statuses)}")
    print(f"provider: {len(fake.attempts)} sends answered {dict(answers)} ({kept_500} of the 500s kept the message; "
          f"{failed_share:.0%} of sends to working numbers failed), {len(fake.lookups)} lookups answered "
          f"{dict(Counter(fake.lookups))}; delivery reports answered {dict(reports.answers)}")

    # Every notification ended delivered or failed; none is left pending, unknown or queued.
    assert {r.status for r in rows} <= set(FINAL), Counter(r.status for r in rows)
    assert set(reports.answers) == {204}, reports.answers  # every delivery report was taken
    failed_entries = {e.data["notification_id"]: e for e in entries if e.kind == "sms_failed"}
    unreachable = {e.data["notification_id"]: e for e in entries if e.kind == "escalation_failed"}
    delivered_entries = Counter(e.data["notification_id"] for e in entries if e.kind == "sms_delivered")
    by_key = defaultdict(list)  # (escalation, person) -> rows in order
    for row in rows:
        by_key[(row.escalation_id, row.person_id)].append(row)
    for row in rows:
        if row.status == "delivered":
            assert delivered_entries[row.id] == 1, f"notification {row.id} delivered but not logged once"
            continue
        entry = failed_entries.get(row.id)
        assert entry is not None, f"notification {row.id} to {row.address} failed without a word to the duty room"
        later = [r for r in by_key[(row.escalation_id, row.person_id)] if r.id > row.id]
        if entry.data["next_address"]:  # the next number was tried, as the entry says
            assert later and later[0].address == entry.data["next_address"], (row.id, entry.data)
        else:  # nobody left to try: the duty room is told this person could not be reached
            assert row.id in unreachable and unreachable[row.id].significant, row.id
            assert "could not be reached" in unreachable[row.id].summary
    # Each escalation reached the leader, the liaison and the head (on the second number); the engineer never.
    for (escalation_id, person_id), chain_of_rows in by_key.items():
        last = chain_of_rows[-1]
        if numbers[person_id] == "sun":
            assert [r.status for r in chain_of_rows] == ["failed"], chain_of_rows
        elif numbers[person_id] == "zhao":
            assert [r.address for r in chain_of_rows] == [DEAD, HEAD_SECOND], chain_of_rows
            assert chain_of_rows[0].status == "failed" and chain_of_rows[0].attempts == 4
        if numbers[person_id] != "sun":
            assert last.status in FINAL and (last.status == "delivered" or last.id in unreachable), last.id
    assert len(by_key) == INCIDENTS * 4
    # The provider holds each message once: nothing was sent again after it had been taken.
    copies = Counter((m["to"], m["body"]) for m in fake.messages)
    assert max(copies.values()) == 1, [key for key, count in copies.items() if count > 1][:5]
    for key in copies:
        attempts = [a for a in fake.attempts if (a["to"], a["body"]) == key]
        first_taken = next(i for i, a in enumerate(attempts) if a["kept"])
        assert first_taken == len(attempts) - 1, f"sent again after the provider took it: {key} {attempts}"
    # What the provider holds is what was delivered, plus any message it kept while answering errors until
    # the sender gave up: that failure says so (maybe_sent), and the next contact was tried all the same.
    delivered = {(r.address, r.body) for r in rows if r.status == "delivered"}
    maybe = {(r.address, r.body) for r in rows if r.id in failed_entries and failed_entries[r.id].data["maybe_sent"]}
    assert delivered <= set(copies) <= delivered | maybe, set(copies) - delivered
    assert answers[429] and answers[500] and kept_500, "the pattern really was met"
    assert 0.2 < failed_share < 0.5, failed_share
    assert chain.ok, chain


def test_a_lookup_finds_a_message_buried_under_a_busy_numbers_later_ones(tmp_path):
    """The check after an unknown outcome reads back page by page to the notification's time.

    A duty number gets hundreds of messages in a flood; the one a 500 left at the provider is soon
    not on the first page any more, and sending it again would be a duplicate.
    """
    fake = FakeTwilio()
    try:
        sender = TwilioSender(fake.account_sid, fake.auth_token, FROM_NUMBER, 5.0, fake.url)
        since = utcnow()
        fake.fail_next(1, SERVER_ERROR_KEPT)
        with pytest.raises(Exception) as raised:
            sender.send("+8613800000001", "Gauge 7 over guarantee level. Reply A7 1 to ack", None)
        assert getattr(raised.value, "unknown", False), raised.value
        for number in range(120):  # later messages to the same number: more than two pages
            sender.send("+8613800000001", f"Gauge {100 + number} over guarantee level", None)
        found = sender.lookup("+8613800000001", "Gauge 7 over guarantee level. Reply A7 1 to ack", since, set())
        missing = sender.lookup("+8613800000001", "Gauge 8 over guarantee level. Reply H8 1 to ack", since, set())
    finally:
        fake.close()
    assert found is not None and found.provider_id == fake.messages[0]["sid"]
    assert missing is None
    assert len(fake.lookups) == 6, "each lookup read all three pages"

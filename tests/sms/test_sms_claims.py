"""Two workers delivering the same outbox at once never send one notification twice (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from command.migrate import upgrade
from command.models import Notification, utcnow
from command.runtime import build_runtime
from command.sms import outbox
from tests.sms.sms_rows import add_escalation, add_incident, add_person, twilio_settings

NOTIFICATIONS = 120
WORKERS = 2


def fill_outbox(runtime, now) -> None:
    with runtime.unit_of_work() as session:
        incident = add_incident(session, now=now)
        escalation = add_escalation(session, incident, now=now)
        for number in range(NOTIFICATIONS):
            person = add_person(session, f"p{number}", sms=(f"+86138{number:08d}",))
            session.add(Notification(escalation_id=escalation.id, incident_id=incident.id, person_id=person.id,
                                     step=1, channel="sms", address=f"+86138{number:08d}", contact_position=1,
                                     body=f"message {number}", status="pending", next_attempt_at=now,
                                     created_at=now, updated_at=now))


def pending(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(Notification).where(
            Notification.status.in_(outbox.DUE)))


def run_workers(database_url: str, fake) -> list[int]:
    """Each worker has its own engine (as separate processes would) and loops until nothing is pending."""
    settings = {"DATABASE_URL": database_url, "SECRET_KEY": "test", **twilio_settings(fake)}
    runtimes = [build_runtime(settings) for _ in range(WORKERS)]
    now = utcnow()
    fill_outbox(runtimes[0], now)
    counts = [0] * WORKERS
    failures: list[BaseException] = []
    start = threading.Barrier(WORKERS)

    def work(index: int) -> None:
        try:
            start.wait()
            for _ in range(NOTIFICATIONS):  # bounded: every round delivers at least one or ends
                counts[index] += outbox.run_once(runtimes[index], f"worker-{index}", now, limit=5)
                if pending(runtimes[index]) == 0:
                    return
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for runtime in runtimes:
        runtime.engine.dispose()
    assert not failures, failures
    return counts


def assert_each_sent_once(fake, counts) -> None:
    bodies = Counter(fake.bodies())
    assert [body for body, times in bodies.items() if times > 1] == []
    assert sorted(bodies) == sorted(f"message {n}" for n in range(NOTIFICATIONS))
    assert sum(counts) == NOTIFICATIONS


def test_two_workers_on_sqlite_never_send_twice(sqlite_url, fake_twilio):
    runtime = build_runtime({"DATABASE_URL": sqlite_url, "SECRET_KEY": "test"})
    upgrade(runtime.engine)
    runtime.engine.dispose()
    assert_each_sent_once(fake_twilio, run_workers(sqlite_url, fake_twilio))


@pytest.mark.postgres
def test_two_workers_on_postgresql_never_send_twice(pg_url, fake_twilio):
    runtime = build_runtime({"DATABASE_URL": pg_url, "SECRET_KEY": "test"})
    upgrade(runtime.engine)
    runtime.engine.dispose()
    counts = run_workers(pg_url, fake_twilio)
    assert_each_sent_once(fake_twilio, counts)
    with runtime.sessions() as session:
        statuses = Counter(session.scalars(select(Notification.status)))
    runtime.engine.dispose()
    assert statuses == {"queued": NOTIFICATIONS}

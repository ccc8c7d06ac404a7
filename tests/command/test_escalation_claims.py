"""Two workers advancing the same due escalations at once never notify anyone twice (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from command import escalation
from command.directory import department_codes
from command.dutylog import verify
from command.migrate import upgrade
from command.models import Escalation, Notification
from command.runtime import build_runtime
from playbooks.loader import load_dir
from tests.duty_room import FLOOD_PLAYBOOK, T0, _flood, seed_duty_room

INCIDENTS = 60


def _race(runtime, playbooks_dir) -> None:
    seed_duty_room(runtime)
    playbooks_dir.mkdir()
    (playbooks_dir / "flood.yaml").write_text(FLOOD_PLAYBOOK, encoding="utf-8")
    playbooks = load_dir(playbooks_dir, department_codes())
    for number in range(INCIDENTS):
        _flood(runtime, external_id=f"flood-{number}")
    start = threading.Barrier(2)

    def worker(name: str, at) -> None:
        start.wait()
        while True:
            with runtime.unit_of_work() as session:
                escalation.triage(session, playbooks, at, "Asia/Shanghai", limit=7)
            with runtime.unit_of_work() as session:
                claimed = escalation.claim_due(session, name, at, 5, 60)
            for escalation_id, token in claimed:
                with runtime.unit_of_work() as session:
                    escalation.advance(session, escalation_id, token, name, at)
            with runtime.sessions() as session:
                if not claimed and session.scalar(select(Escalation.id).where(
                        Escalation.state == "active", Escalation.due_at <= at).limit(1)) is None:
                    return

    for minute in (0, 5):
        at = T0 + timedelta(minutes=minute)
        threads = [threading.Thread(target=worker, args=(name, at)) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        start.reset()

    with runtime.sessions() as session:
        sms = Counter(session.execute(select(Notification.escalation_id, Notification.person_id, Notification.step)
                                      .where(Notification.channel == "sms")).all())
        escalations = session.scalars(select(Escalation)).all()
        assert verify(session).ok
    assert len(escalations) == INCIDENTS  # one per incident, however often it was triaged
    assert max(sms.values()) == 1, "someone was notified twice for the same step"
    # per escalation: the leader and the liaison at once, the head at 5 minutes
    assert Counter(escalation_id for escalation_id, _, _ in sms) == {e.id: 3 for e in escalations}


def test_two_workers_on_sqlite(runtime, tmp_path):
    _race(runtime, tmp_path / "playbooks")


@pytest.mark.postgres
def test_two_workers_on_postgresql(pg_url, tmp_path):
    runtime = build_runtime({"DATABASE_URL": pg_url, "SECRET_KEY": "test"})
    upgrade(runtime.engine)
    try:
        _race(runtime, tmp_path / "playbooks")
    finally:
        runtime.engine.dispose()

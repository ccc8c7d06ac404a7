"""Concurrent ingest of the same event or incident: stored once, one incident, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from command.migrate import upgrade
from command.models import FeedEventRecord, Incident
from command.runtime import build_runtime
from feeds.event import FeedEvent
from feeds.ingest import ingest

WORKERS = 8


def _event(version: str) -> FeedEvent:
    return FeedEvent.from_dict({"external_id": "flood-7", "version": version, "headline": "Levee breach",
                                "sent_at": f"2026-11-24T03:0{int(version) % 10}:00+08:00",
                                "lat": 29.5, "lon": 106.5}, "water")


def _race(runtime, versions: list[str]) -> list[str]:
    barrier = threading.Barrier(len(versions))
    outcomes = []

    def work(version):
        barrier.wait()
        outcomes.extend(o.outcome for o in ingest(runtime, "water",
                                                  [(0, _event(version))]))

    threads = [threading.Thread(target=work, args=(v,)) for v in versions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _counts(runtime):
    with runtime.sessions() as session:
        return (session.scalar(select(func.count()).select_from(FeedEventRecord)),
                session.scalar(select(func.count()).select_from(Incident)))


def test_the_same_event_from_many_workers_is_stored_once(any_runtime):
    outcomes = _race(any_runtime, ["1"] * WORKERS)
    assert sorted(outcomes) == ["accepted"] + ["duplicate"] * (WORKERS - 1)
    assert _counts(any_runtime) == (1, 1)


def test_new_versions_of_one_incident_from_many_workers_make_one_incident(any_runtime):
    outcomes = _race(any_runtime, [str(v) for v in range(1, WORKERS + 1)])
    assert outcomes == ["accepted"] * WORKERS
    assert _counts(any_runtime) == (WORKERS, 1)
    with any_runtime.sessions() as session:
        incident = session.scalars(select(Incident)).one()
        assert incident.sent_at.minute == WORKERS % 10  # the newest message wins, whatever the order


def _ingest_chain(url: str, order: list[int], barrier) -> list[str]:
    """One worker process: its own engine, the same update chain in its own order."""
    runtime = build_runtime({"DATABASE_URL": url})
    barrier.wait()
    outcomes = []
    for version in order:
        outcomes += [o.outcome for o in ingest(runtime, "water",
                                               [(0, _event(str(version)))])]
    runtime.engine.dispose()
    return outcomes


@pytest.mark.postgres
def test_two_processes_ingesting_one_update_chain_make_one_incident(pg_url):
    import multiprocessing
    rt = build_runtime({"DATABASE_URL": pg_url})
    upgrade(rt.engine)
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(2)
        with context.Pool(2) as pool:
            forward, backward = list(range(1, 10)), list(range(9, 0, -1))
            results = pool.starmap(_ingest_chain, [(pg_url, forward, barrier), (pg_url, backward, barrier)])
    assert sorted(results[0] + results[1]) == ["accepted"] * 9 + ["duplicate"] * 9
    assert _counts(rt) == (9, 1)
    with rt.sessions() as session:
        assert session.scalars(select(Incident)).one().sent_at.minute == 9  # the newest message wins
    rt.engine.dispose()

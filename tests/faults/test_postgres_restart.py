"""PostgreSQL crashes and comes back while a feed pushes events: 503s meanwhile, nothing accepted is lost.

A real `python -m command serve --role web` runs on a private PostgreSQL
cluster; a feed posts batches without pause and retries on 503. The cluster is
stopped the hard way (``pg_ctl stop -m immediate``: connections cut, crash
recovery on start), kept down a few seconds, and started again. Vigil is not
restarted.
"""

from __future__ import annotations

import time

import pytest
import requests
from sqlalchemy import func, select

from command.migrate import upgrade
from command.models import FeedEventRecord, Incident
from command.runtime import build_runtime
from command.tokens import issue_feed_token
from tests.conftest import ADMIN, ADMIN_TOKEN, FEED, ServerProcess, free_port, make_user
from tests.faults.feed_client import CLIENT_TIMEOUT, FeedClient
from tests.faults.servers import healthz, vigil_env

pytestmark = [pytest.mark.faults, pytest.mark.timeout(180)]

DOWN_SECONDS = 4


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout}s for {what}")
        time.sleep(0.05)


def test_ingest_answers_503_while_postgres_is_down_and_loses_nothing_it_accepted(private_postgres, tmp_path):
    url = private_postgres.create_database("vigil")
    runtime = build_runtime({"DATABASE_URL": url})
    upgrade(runtime.engine)
    make_user(runtime, ADMIN, token=ADMIN_TOKEN)
    with runtime.unit_of_work() as session:
        token = issue_feed_token(session, FEED)
    web = ServerProcess(vigil_env(tmp_path, url), free_port(), ["--role", "web"])
    feed = FeedClient(web.url, FEED, token, prefix="pg")
    try:
        feed.start()
        _wait_for(lambda: feed.batches_done["before"] >= 10, 30, "ingest to work before the fault")

        feed.phase = "stopping"  # answers in flight at the moment of the crash may go either way
        private_postgres.stop("immediate")
        feed.phase = "down"
        down_until = time.monotonic() + DOWN_SECONDS
        health_down = healthz(web.url)
        incidents_down = web.api.get(f"{web.url}/api/v1/incidents", timeout=CLIENT_TIMEOUT)
        time.sleep(max(0.0, down_until - time.monotonic()))
        feed.phase = "restarting"  # answers while the cluster recovers may go either way
        private_postgres.start()

        feed.phase = "after"
        _wait_for(lambda: feed.batches_done["after"] >= 10, 30, "ingest to resume by itself:\n" + web.output()[-3000:])
        health_after = healthz(web.url)
        incidents_after = web.api.get(f"{web.url}/api/v1/incidents", timeout=CLIENT_TIMEOUT)
    finally:
        feed.stop()
        web.stop()

    print(f"answers by phase: before={dict(feed.statuses('before'))} stopping={dict(feed.statuses('stopping'))} "
          f"down={dict(feed.statuses('down'))} "
          f"restarting={dict(feed.statuses('restarting'))} after={dict(feed.statuses('after'))}; "
          f"slowest answer {max(s for _, _, s in feed.answers):.2f}s; stored={len(feed.stored)}; "
          f"duplicates confirmed={sum(o == 'duplicate' for o in feed.stored.values())}")
    assert not feed.errors, f"requests without an HTTP answer (a hang or a dropped connection): {feed.errors[:5]}"
    assert set(feed.statuses()) <= {201, 207, 503}, f"ingest must answer 503, never 500: {feed.statuses()}"
    assert feed.statuses("down")[503] >= 3, f"the feed was told to retry while the database was down: " \
                                            f"{feed.statuses('down')}"
    assert set(feed.statuses("down")) == {503}, feed.statuses("down")
    assert feed.statuses()[207], "some batches carried an invalid event, answered 207"

    assert health_down[0] == 503 and health_down[1]["database"]["ok"] is False, health_down
    assert health_after[0] == 200 and health_after[1]["database"]["ok"] is True, health_after
    assert incidents_after.status_code == 200
    print(f"GET /api/v1/incidents while the database was down: {incidents_down.status_code}")

    with runtime.sessions() as session:
        copies = dict(session.execute(select(FeedEventRecord.external_id, func.count())
                                      .where(FeedEventRecord.source == FEED)
                                      .group_by(FeedEventRecord.external_id)).all())
        with_incident = set(session.scalars(select(FeedEventRecord.external_id).join(
            Incident, Incident.id == FeedEventRecord.incident_id).where(FeedEventRecord.source == FEED)))
    runtime.engine.dispose()
    lost = sorted(set(feed.stored) - set(copies))
    assert not lost, f"{len(lost)} events the feed was told were stored are missing: {lost[:10]}"
    assert all(copies[external_id] == 1 for external_id in feed.stored)
    assert not set(feed.stored) - with_incident, "every stored event opened or updated an incident"
    assert not any(external_id.endswith("-bad") for external_id in copies)

"""Prometheus metrics: what this process counted, and the queues read from the database at each scrape.

Two kinds of series:
- kept in this process's memory (ingest request latency, posts refused by the rate limit, escalation
  step lateness observed when a worker claims a step, connected live clients): each process exposes
  its own, so scrape every process;
- read from the database at scrape time (queue depths, SMS outcomes, feed counts and lag, how late the
  oldest due step is now): the same answer from every process, true whichever processes are alive.

``exposition`` renders both for the /metrics page; if the database does not answer, the in-memory
series are still served and ``vigil_database_up`` is 0.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable, Iterable, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from command.models import DocumentJob, Escalation, FeedHealth, Notification, ReportObligation, utcnow
from command.sms.outbox import DUE as SMS_WAITING, FINAL as SMS_FINAL, RANK as SMS_RANK

# Every status an SMS notification row can have, always exposed (0 when none), so a status's series
# does not vanish when its last row moves on, and increase() / alerts on "failed" have a series to read.
SMS_STATUSES = tuple(sorted({*SMS_WAITING, *SMS_RANK, *SMS_FINAL}))

log = logging.getLogger(__name__)

# ---- kept in this process's memory --------------------------------------------------------------

REGISTRY = CollectorRegistry()  # our own, so a scrape shows Vigil's series and nothing a library registered

INGEST_SECONDS = Histogram(
    "vigil_ingest_request_seconds", "Time to answer one authenticated feed post of events, by source",
    ["source"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
INGEST_THROTTLED = Counter(
    "vigil_ingest_throttled_posts", "Feed posts refused with 429 because the source was over its rate limit",
    ["source"], registry=REGISTRY)
STEP_LATENESS = Histogram(
    "vigil_escalation_step_lateness_seconds", "How late each due escalation step was when a worker claimed it",
    registry=REGISTRY, buckets=(0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0))
LIVE_CLIENTS = Gauge("vigil_live_clients", "Socket.IO clients connected to this process's live channel",
                     registry=REGISTRY)
LIVE_CONNECTS = Counter("vigil_live_connects", "Live channel connections this process accepted", registry=REGISTRY)
LIVE_DISCONNECTS = Counter("vigil_live_disconnects", "Live channel connections that ended on this process",
                           registry=REGISTRY)


def observe_step_lateness(session: Session, escalation_ids: Sequence[int], now: datetime) -> None:
    """Record how late the just-claimed escalations were (``now`` − their due time)."""
    if not escalation_ids:
        return
    for due_at in session.scalars(select(Escalation.due_at).where(Escalation.id.in_(list(escalation_ids)))):
        if due_at is not None:
            STEP_LATENESS.observe(max(0.0, (now - due_at).total_seconds()))


# ---- read from the database at scrape time ------------------------------------------------------

class DatabaseCollector:
    """A collector that reads queue depths, SMS outcomes and feed health from the database."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utcnow):
        self.sessions, self.clock = sessions, clock

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily("vigil_database_up", "1 when the database answered this scrape, else 0")
        try:
            with self.sessions() as session:
                families = list(_database_families(session, self.clock()))
        except SQLAlchemyError as exc:  # the in-memory series are still worth serving
            log.warning("metrics: database unavailable: %s", str(exc).splitlines()[0])
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        return [up, *families]


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _count(session: Session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _database_families(session: Session, now: datetime) -> Iterable[Metric]:
    yield _gauge("vigil_sms_pending", "SMS notifications waiting to be sent or retried",
                 _count(session, Notification, Notification.channel == "sms", Notification.status.in_(SMS_WAITING)))
    counts = dict.fromkeys(SMS_STATUSES, 0)
    counts.update(session.execute(select(Notification.status, func.count()).where(Notification.channel == "sms")
                                  .group_by(Notification.status)).all())
    by_status = GaugeMetricFamily("vigil_sms_notifications", "SMS notifications by status", labels=["status"])
    for status in sorted(counts):
        by_status.add_metric([status], counts[status])
    yield by_status

    due = (Escalation.state == "active", Escalation.due_at <= now)
    yield _gauge("vigil_escalation_steps_due", "Escalation steps due now and not yet performed",
                 _count(session, Escalation, *due))
    oldest = session.scalar(select(func.min(Escalation.due_at)).where(*due))
    yield _gauge("vigil_escalation_oldest_due_seconds", "How late the oldest due escalation step is now (0: none)",
                 max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0)

    yield _gauge("vigil_documents_queued", "Documents waiting to be rendered",
                 _count(session, DocumentJob, DocumentJob.status == "queued"))
    yield _gauge("vigil_report_obligations_open", "Reports the duty room owes and has not filed",
                 _count(session, ReportObligation, ReportObligation.status == "open"))
    yield _gauge("vigil_report_obligations_overdue", "Open report obligations past their due time",
                 _count(session, ReportObligation, ReportObligation.status == "open", ReportObligation.due_at < now))

    events = CounterMetricFamily("vigil_feed_events", "Events each feed sent, by outcome (stored feed health)",
                                 labels=["source", "outcome"])
    lag = GaugeMetricFamily("vigil_feed_lag_seconds", "Received minus sent time of each feed's latest events",
                            labels=["source"])
    for row in session.scalars(select(FeedHealth).order_by(FeedHealth.source)):
        events.add_metric([row.source, "accepted"], row.accepted_total or 0)
        events.add_metric([row.source, "duplicate"], row.duplicate_total or 0)
        events.add_metric([row.source, "rejected"], row.rejected_total or 0)
        if row.lag_seconds is not None:
            lag.add_metric([row.source], row.lag_seconds)
    yield events
    yield lag


# ---- the page -------------------------------------------------------------------------------------

class _Scrape:
    """This process's registry followed by the database's series, as one collector."""

    def __init__(self, *collectors):
        self.collectors = collectors

    def collect(self) -> Iterable[Metric]:
        for collector in self.collectors:
            yield from collector.collect()


def exposition(sessions: sessionmaker[Session], accept: str | None = None,
               clock: Callable[[], datetime] = utcnow) -> tuple[bytes, str]:
    """Render every series in the format the scraper asked for (``Accept``); return (body, content type)."""
    encoder, content_type = choose_encoder(accept or "")
    return encoder(_Scrape(REGISTRY, DatabaseCollector(sessions, clock))), content_type

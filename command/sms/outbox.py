"""Delivery of the SMS outbox (Notification rows, channel "sms") and of the provider's status callbacks.

One round: claim due rows with one UPDATE … WHERE id IN (SELECT … FOR UPDATE
SKIP LOCKED) … RETURNING (a lease, STACK.md 6), then hand each to the sender
with no transaction open, then record the answer in a new transaction.

- 429, a refused connection: tried again later, with exponential backoff and jitter;
- a 5xx or a timeout: the provider may have the message, so the row becomes
  ``unknown`` and the next attempt first asks the provider (``lookup``) before
  sending again; a row whose worker died holding the lease is treated the same;
- a permanent refusal, or SMS_MAX_ATTEMPTS spent: ``failed``, logged, and the
  person's next SMS contact (Contact.position order) gets a new notification;
  when none is left, the duty room is told the person could not be reached.

Status callbacks only move a row forward (queued < sending < sent < delivered;
undelivered and failed are final and fall back like a permanent refusal), so
repeated or reordered callbacks change nothing. Delivery is at least once: a
duplicate needs a worker to die inside the provider call and the provider to
hide the message from ``lookup``.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import case, or_, select, update
from sqlalchemy.orm import Session

from command import dutylog, roster
from command.events import NotificationChanged
from command.i18n import message
from command.incidents import DRILL_STATUSES
from command.models import Contact, Escalation, Incident, Notification, Person, utcnow
from command.runtime import Runtime
from command.sms.senders import Sender, SendError, SendResult, build_sender
from command.unit_of_work import announce
from feeds.event import iso

log = logging.getLogger(__name__)

AUTHOR = "sms"
DUE = ("pending", "unknown")  # rows a worker may claim
RANK = {"pending": 0, "unknown": 0, "queued": 1, "sending": 2, "sent": 3, "delivered": 4}
FAILED = ("undelivered", "failed")
FINAL = ("delivered", "undelivered", "failed", "cancelled")
PROVIDER_STATUS = {"accepted": "queued", "scheduled": "queued", "read": "delivered"}
BATCH = 10
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 300.0
LEASE_MARGIN_SECONDS = 30.0


# ---- claim ------------------------------------------------------------------------------------

def claim_due(session: Session, holder: str, now: datetime, limit: int, lease_seconds: float) -> list[int]:
    """Lease up to ``limit`` due SMS notifications for ``holder``; return their ids.

    A row still carrying another holder's lease when it is claimed was left by
    a worker that died: its outcome is unknown, so it is marked so.
    """
    due = (select(Notification.id)
           .where(Notification.channel == "sms", Notification.status.in_(DUE),
                  or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
                  or_(Notification.lease_until.is_(None), Notification.lease_until < now))
           .order_by(Notification.next_attempt_at, Notification.id).limit(limit).with_for_update(skip_locked=True))
    rows = session.execute(
        update(Notification).where(Notification.id.in_(due.scalar_subquery()))
        .values(lease_holder=holder, lease_until=now + timedelta(seconds=lease_seconds), updated_at=now,
                status=case((Notification.lease_holder.is_not(None), "unknown"), else_=Notification.status))
        .returning(Notification.id), execution_options={"synchronize_session": False}).all()
    return sorted(row.id for row in rows)


# ---- one round --------------------------------------------------------------------------------

def run_once(runtime: Runtime, holder: str, now: datetime | None = None, *, sender: Sender | None = None,
             limit: int = BATCH, rng: random.Random | None = None) -> int:
    """Claim and deliver due SMS; publish what changed; return how many the provider took.

    Rows are stamped with ``now`` (the round's time, maybe a test's clock); only
    leases follow the time that really passes during provider calls.
    """
    now = now or utcnow()
    settings = runtime.settings
    sender = sender or sender_for(settings)
    started = time.monotonic()

    def lease_clock() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    with runtime.unit_of_work() as session:
        ids = claim_due(session, holder, now, limit, settings["ESCALATION_LEASE_SECONDS"])
    delivered = 0
    for notification_id in ids:
        try:
            delivered += deliver(runtime, sender, notification_id, holder, now, lease_clock, rng or random)
        except Exception:  # one broken row must not hold up the others; its lease runs out
            log.exception("notification %s: delivery failed; it will be retried", notification_id)
    return delivered


@dataclass(frozen=True)
class _Job:
    to: str
    body: str
    unknown: bool
    since: datetime
    exclude: set[str]


def deliver(runtime: Runtime, sender: Sender, notification_id: int, holder: str, now: datetime, lease_clock,
            rng) -> int:
    """Send one claimed notification: check it (transaction), call the provider (none), record (transaction).

    Returns 1 when the provider took the message, else 0.
    """
    settings = runtime.settings
    with runtime.unit_of_work() as session:
        job = _prepare(session, notification_id, holder, now, lease_clock() + timedelta(
            seconds=2 * float(settings["SMS_TIMEOUT_SECONDS"]) + LEASE_MARGIN_SECONDS))
    if job is None:
        return 0
    result: SendResult | None = None
    error: SendError | None = None
    try:
        if job.unknown:
            result = sender.lookup(job.to, job.body, job.since, job.exclude)
            if result is not None:
                log.info("notification %s: found at the provider as %s; not sent again",
                         notification_id, result.provider_id)
        found = result is not None
        if result is None:
            result = sender.send(job.to, job.body, callback_url(settings, sender, notification_id))
    except SendError as exc:
        error = exc
    with runtime.unit_of_work() as session:
        if error is None:
            _record_sent(session, notification_id, holder, result, found, now)
            return 1
        _record_error(session, notification_id, holder, error, now, int(settings["SMS_MAX_ATTEMPTS"]), job.unknown,
                      rng)
        return 0


def callback_url(settings: Mapping[str, Any], sender: Sender, notification_id: int) -> str | None:
    """Where the provider reports delivery: PUBLIC_URL + the sender's route, naming the notification."""
    if not settings["PUBLIC_URL"] or not sender.callback_path:
        return None
    return f"{settings['PUBLIC_URL'].rstrip('/')}{sender.callback_path}?n={notification_id}"


@functools.lru_cache(maxsize=8)
def _cached_sender(key: tuple) -> Sender:
    return build_sender(dict(key))


def sender_for(settings: Mapping[str, Any]) -> Sender:
    """The sender for these settings, built once (a Twilio client keeps its connections)."""
    names = ("SMS_BACKEND", "SMS_TIMEOUT_SECONDS", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM",
             "TWILIO_API_BASE", "SMS_HTTP_URL", "SMS_HTTP_TOKEN")
    return _cached_sender(tuple((name, settings[name]) for name in names))


def backoff(attempts: int, rng=random) -> timedelta:
    """Exponential backoff with jitter: between half and all of base·2^(attempts-1), capped."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=ceiling / 2 + rng.uniform(0, ceiling / 2))


# ---- the three steps of one delivery ----------------------------------------------------------

def _prepare(session: Session, notification_id: int, holder: str, now: datetime, lease_until: datetime) -> _Job | None:
    row = _locked(session, notification_id)
    if row is None or row.lease_holder != holder:
        return None  # our lease ran out and another worker has it
    if row.status not in DUE:  # a delivery report settled it meanwhile
        row.lease_holder, row.lease_until = None, None
        return None
    if _drill_to_leader(session, row, now):
        row.status, row.lease_holder, row.lease_until, row.updated_at = "cancelled", None, None, now
        row.last_error = "exercise: no SMS to a leader"
        _log(session, row, now, "sms_failed", message("sms.exercise_leader", who=_who(session, row)),
             {"reason": "exercise_leader"})
        _changed(session, row)
        return None
    if not row.address:
        _fail(session, row, now, "no-address", "no address to send to")
        return None
    row.lease_until = max(row.lease_until, lease_until)  # cover the provider calls about to happen
    exclude = set()
    if row.status == "unknown":
        exclude = set(session.scalars(select(Notification.provider_id).where(  # messages other rows own
            Notification.address == row.address, Notification.provider_id.is_not(None),
            Notification.updated_at >= row.created_at - timedelta(hours=1))))
    return _Job(row.address, row.body, row.status == "unknown", row.created_at, exclude)


def _record_sent(session: Session, notification_id: int, holder: str, result: SendResult, found: bool,
                 now: datetime) -> None:
    row = _locked(session, notification_id)
    if row.provider_id is None:
        row.provider_id = result.provider_id
    elif row.provider_id != result.provider_id:  # a callback already tied another message to this row
        log.warning("notification %s: the provider has both %s and %s (a duplicate)", row.id, row.provider_id,
                    result.provider_id)
    status = PROVIDER_STATUS.get(result.status, result.status)
    status = status if status in RANK and status not in DUE else "queued"
    if row.status in DUE or (row.status in RANK and RANK[status] > RANK[row.status]):
        row.status = status  # a callback may have moved it further already: never back
    row.attempts = max(row.attempts, 1) if found else row.attempts + 1
    if row.lease_holder == holder:
        row.lease_holder, row.lease_until = None, None
    row.next_attempt_at, row.last_error, row.updated_at = None, None, now
    _log(session, row, now, "sms_sent", message("sms.sent", who=_who(session, row)),
         {"notification_id": row.id, "provider_id": result.provider_id, "status": row.status,
          "attempts": row.attempts, "found_after_unknown": found})
    _changed(session, row)


def _record_error(session: Session, notification_id: int, holder: str, error: SendError, now: datetime,
                  max_attempts: int, was_unknown: bool, rng) -> None:
    row = _locked(session, notification_id)
    if row.lease_holder != holder:
        return  # our lease ran out during the call: the worker that took over decides
    row.lease_holder, row.lease_until = None, None
    if row.status not in DUE:  # a delivery report proved it went out after all
        return
    row.attempts += 1
    row.last_error = str(error)[:2000]
    if not error.retryable or row.attempts >= max_attempts:
        why = "refused" if not error.retryable else f"gave up after {row.attempts} attempts"
        # Giving up on an unknown outcome: the provider may hold the message after all. Said so, and
        # treated as failed all the same (the next contact is tried: a duplicate beats silence).
        maybe_sent = bool(error.unknown or was_unknown)
        if maybe_sent:
            why += " (the provider may have taken it: its answers were errors)"
        _fail(session, row, now, error.code, f"{why}: {error.message}", maybe_sent=maybe_sent)
        return
    # Once an attempt may have reached the provider, every later one checks first.
    row.status = "unknown" if error.unknown or was_unknown else "pending"
    row.next_attempt_at = now + backoff(row.attempts, rng)
    row.updated_at = now
    log.info("notification %s: attempt %d failed (%s); next at %s", row.id, row.attempts, error,
             row.next_attempt_at.isoformat())
    _changed(session, row)


# ---- status callbacks -------------------------------------------------------------------------

def apply_status(session: Session, provider_id: str, status: str, error_code: str | int | None = None,
                 at: datetime | None = None, notification_id: int | None = None) -> bool:
    """Apply a provider's delivery report; forward moves only. False when it changed nothing (a repeat).

    ``notification_id`` (from the callback URL) finds a row whose provider id
    is not recorded yet: the callback can outrun the sender's own record.
    """
    at = at or utcnow()
    status = PROVIDER_STATUS.get((status or "").lower(), (status or "").lower())
    if status not in RANK and status not in FAILED:
        log.info("status %r for %s ignored", status, provider_id)
        return False
    row = session.scalars(select(Notification).where(Notification.provider_id == provider_id)
                          .with_for_update().execution_options(populate_existing=True)).first()
    if row is None and notification_id is not None:
        row = _locked(session, notification_id)
        if row is not None and row.provider_id not in (None, provider_id):
            log.warning("status for %s names notification %s, which is %s", provider_id, row.id, row.provider_id)
            return False
    if row is None:
        log.info("status %s for unknown message %s ignored", status, provider_id)
        return False
    if row.status in FINAL or (status in RANK and RANK[status] <= RANK.get(row.status, 0)):
        return False  # a repeat, or an older report arriving late
    row.provider_id = provider_id
    row.status, row.updated_at = status, at
    if status in FAILED:
        _fail(session, row, at, error_code, f"the provider reports {status}", status=status)
        return True
    if status == "delivered":
        _log(session, row, at, "sms_delivered", message("sms.delivered", who=_who(session, row)),
             {"notification_id": row.id, "provider_id": provider_id})
    _changed(session, row)
    return True


# ---- failure and fallback ---------------------------------------------------------------------

def _fail(session: Session, row: Notification, now: datetime, code, reason: str,
          status: str = "failed", maybe_sent: bool = False) -> None:
    """Mark ``row`` failed, tell the duty room, and queue the person's next SMS contact."""
    row.status, row.updated_at, row.next_attempt_at = status, now, None
    row.lease_holder, row.lease_until = None, None
    if code is not None:
        row.last_error = f"{code}: {reason}"[:2000]
    who = _who(session, row)
    nxt = _next_contact(session, row)
    said = (message("sms.failed_trying", who=who, address=nxt.address, reason=reason) if nxt
            else message("sms.failed", who=who, reason=reason))
    _log(session, row, now, "sms_failed", said,
         {"notification_id": row.id, "provider_id": row.provider_id, "code": code, "reason": reason,
          "next_address": nxt.address if nxt else None, "maybe_sent": maybe_sent})
    _changed(session, row)
    if nxt is not None:
        fallback = Notification(
            escalation_id=row.escalation_id, incident_id=row.incident_id, person_id=row.person_id, step=row.step,
            channel="sms", address=nxt.address, contact_position=nxt.position, body=row.body, status="pending",
            attempts=0, next_attempt_at=now, created_at=now, updated_at=now)
        session.add(fallback)
        session.flush()
        _changed(session, fallback)
        return
    voice = _voice_numbers(session, row)
    said = (message("sms.unreachable_call", who=who, numbers=", ".join(voice)) if voice
            else message("sms.unreachable", who=who))
    _log(session, row, now, "escalation_failed" if row.escalation_id else "sms_failed", said,
         {"notification_id": row.id, "person_id": row.person_id, "voice": voice}, significant=True)


def _next_contact(session: Session, row: Notification) -> Contact | None:
    if row.person_id is None:
        return None
    contacts = session.scalars(select(Contact).where(Contact.person_id == row.person_id, Contact.channel == "sms")
                               .order_by(Contact.position)).all()
    position = row.contact_position
    if position is None:
        position = next((c.position for c in contacts if c.address == row.address), None)
    if position is None:
        return next((c for c in contacts if c.address != row.address), None)
    return next((c for c in contacts if c.position > position and c.address != row.address), None)


def _voice_numbers(session: Session, row: Notification) -> list[str]:
    if row.person_id is None:
        return []
    return list(session.scalars(select(Contact.address).where(Contact.person_id == row.person_id,
                                                              Contact.channel == "voice")
                                .order_by(Contact.position)))


# ---- helpers ----------------------------------------------------------------------------------

def _drill_to_leader(session: Session, row: Notification, now: datetime) -> bool:
    """The engine never writes these; this guard makes sure a drill never reaches a leader anyway."""
    escalation = session.get(Escalation, row.escalation_id) if row.escalation_id else None
    incident = session.get(Incident, row.incident_id or (escalation.incident_id if escalation else None) or -1)
    drill = bool(escalation and escalation.exercise) or bool(incident and incident.cap_status in DRILL_STATUSES)
    if not drill or row.person_id is None:
        return False
    person = session.get(Person, row.person_id)
    if person is not None and person.role == "leader":
        return True
    return any(p.id == row.person_id for p in roster.on_duty_people(session, now, "leader"))


def _locked(session: Session, notification_id: int) -> Notification | None:
    return session.scalars(select(Notification).where(Notification.id == notification_id)
                           .with_for_update().execution_options(populate_existing=True)).first()


def _who(session: Session, row: Notification) -> str:
    person = session.get(Person, row.person_id) if row.person_id else None
    return f"{person.display_name} ({row.address})" if person else str(row.address)


def _log(session: Session, row: Notification, at: datetime, kind: str, said: dict, data: dict,
         significant: bool = False) -> None:
    dutylog.append(session, kind=kind, message=said, author=AUTHOR, occurred_at=at, at=at,
                   incident_id=row.incident_id, escalation_id=row.escalation_id, data=data, significant=significant)


def _changed(session: Session, row: Notification) -> None:
    announce(session, NotificationChanged(notification_dict(session, row)))


def notification_dict(session: Session, row: Notification) -> dict:
    """The notification as the console and the API show it."""
    person = session.get(Person, row.person_id) if row.person_id else None
    return {
        "id": row.id, "escalation_id": row.escalation_id, "incident_id": row.incident_id,
        "person_id": row.person_id, "person": person.display_name if person else None, "step": row.step,
        "channel": row.channel, "address": row.address, "contact_position": row.contact_position,
        "body": row.body, "status": row.status, "provider_id": row.provider_id, "attempts": row.attempts,
        "next_attempt_at": iso(row.next_attempt_at), "last_error": row.last_error,
        "created_at": iso(row.created_at), "updated_at": iso(row.updated_at),
    }

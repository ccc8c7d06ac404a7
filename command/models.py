"""SQLAlchemy models on Vigil's own DeclarativeBase (no Flask)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, LargeBinary,
                        MetaData, String, Text, TypeDecorator, UniqueConstraint, false)
from sqlalchemy import true as sa_true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints let Alembic's batch mode drop them on SQLite (STACK.md 6).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and always returns them aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    """Base of every Vigil table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class FeedToken(Base):
    """A feed's ingest bearer token, stored only as its SHA-256."""

    __tablename__ = "feed_tokens"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Payload(Base):
    """A raw body as a feed sent it, kept so every event can be traced to its bytes."""

    __tablename__ = "payloads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(128), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Incident(Base):
    """Something happening that the duty room must see; fed by one or more events."""

    __tablename__ = "incidents"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_incidents_status_updated", "status", "updated_at"),
        Index("ix_incidents_lat_lon", "lat", "lon"),  # correlation's bounding-box search on every opened incident
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(256))
    headline: Mapped[str] = mapped_column(String(512))
    event: Mapped[str] = mapped_column(String(256), default="")
    category: Mapped[str] = mapped_column(String(16), default="other")
    severity: Mapped[str] = mapped_column(String(16), default="unknown")
    status: Mapped[str] = mapped_column(String(16), default="new")
    cap_status: Mapped[str] = mapped_column(String(16), default="actual")
    last_msg_type: Mapped[str] = mapped_column(String(16), default="alert")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    area: Mapped[dict | None] = mapped_column(JSON)
    address: Mapped[str | None] = mapped_column(String(512))
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(128))
    version: Mapped[int] = mapped_column(Integer, default=1)
    grade: Mapped[str | None] = mapped_column(String(4))
    grade_proposed: Mapped[str | None] = mapped_column(String(4))
    grade_reason: Mapped[str | None] = mapped_column(String(256))
    deaths: Mapped[int | None] = mapped_column(Integer)
    serious_injuries: Mapped[int | None] = mapped_column(Integer)
    direct_loss_yuan: Mapped[int | None] = mapped_column(BigInteger)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    lease_holder: Mapped[str | None] = mapped_column(String(128))  # "being edited by", advisory
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    region_code: Mapped[str | None] = mapped_column(String(32))  # GB/T 2260 or the feed's own area code
    departments: Mapped[list | None] = mapped_column(JSON)  # department codes concerned (command/data/departments.yaml)
    # Set when the incident opens or gets worse; the escalation worker matches playbooks and clears it.
    triage_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class FeedEventRecord(Base):
    """One stored FeedEvent; (source, external_id, version) is stored once."""

    __tablename__ = "feed_events"
    __table_args__ = (UniqueConstraint("source", "external_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(256))
    version: Mapped[str] = mapped_column(String(128))
    msg_type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(16))
    headline: Mapped[str] = mapped_column(String(512))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict] = mapped_column(JSON)
    payload_id: Mapped[int | None] = mapped_column(ForeignKey("payloads.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)


class DeadLetter(Base):
    """A body (or one item of it) that was refused, with the reason, kept for inspection."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(String(256))
    content_type: Mapped[str] = mapped_column(String(128), default="")
    size: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    remote_addr: Mapped[str | None] = mapped_column(String(64))


class FeedHealth(Base):
    """How each feed is doing: last contact, counts, lag, silence, and the poller's state."""

    __tablename__ = "feed_health"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    format: Mapped[str | None] = mapped_column(String(64))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_heard_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    accepted_total: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_total: Mapped[int] = mapped_column(Integer, default=0)
    rejected_total: Mapped[int] = mapped_column(Integer, default=0)
    lag_seconds: Mapped[float | None] = mapped_column(Float)
    silent_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    etag: Mapped[str | None] = mapped_column(String(256))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    seen_ids: Mapped[list | None] = mapped_column(JSON)


class IncidentLog(Base):
    """One change to an incident, in order: who, when, what, the rule and the reason."""

    __tablename__ = "incident_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))  # opened | updated | status | grade | harm | sensitive
    rule_id: Mapped[str | None] = mapped_column(String(32))
    before: Mapped[str | None] = mapped_column(String(256))
    after: Mapped[str | None] = mapped_column(String(256))
    reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)  # the incident's version after this change


class CorrelationProposal(Base):
    """Two incidents correlation thinks are one; the operator merges or dismisses."""

    __tablename__ = "correlation_proposals"
    __table_args__ = (UniqueConstraint("incident_a", "incident_b"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_a: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    incident_b: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    rule: Mapped[str] = mapped_column(String(64))
    distance_km: Mapped[float] = mapped_column(Float)
    minutes_apart: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))  # proposed | merged | dismissed | split
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Department(Base):
    """A department the duty room coordinates (公安, 消防, 水利 …); data, not code."""

    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(128))
    name_zh: Mapped[str] = mapped_column(String(128))


class Person(Base):
    """Someone Vigil may notify or who may act: duty officer, liaison, leader, administrator."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))  # administrator | operator | shift_leader | liaison | leader | feed
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    language: Mapped[str] = mapped_column(String(8), default="zh", server_default="zh")  # zh | en: SMS and pages
    password_hash: Mapped[str | None] = mapped_column(String(256))  # argon2id; None = cannot log in
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)  # personal API token, SHA-256
    # Sessions carry the epoch they began in; logging out or a password reset moves it on, so a
    # copied session cookie stops working everywhere at once (the cookie itself cannot be revoked).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    page_language: Mapped[str | None] = mapped_column(String(8))  # en | zh picked on a page; None = the browser's
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Membership(Base):
    """A person's post in a department: liaison (联络员) or head (负责人)."""

    __tablename__ = "memberships"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), primary_key=True)
    post: Mapped[str] = mapped_column(String(16), primary_key=True)  # liaison | head


class Contact(Base):
    """One way to reach a person; tried in ``position`` order when a channel fails for good."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("person_id", "position"),
                      Index("ix_contacts_address", "address"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    position: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))  # sms | voice
    address: Mapped[str] = mapped_column(String(64))  # E.164 for sms and voice


class Shift(Base):
    """A stretch of the roster: who is duty officer (值班员) and leader on duty (带班领导)."""

    __tablename__ = "shifts"
    __table_args__ = (Index("ix_shifts_starts_ends", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duty_officer_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DutyLogEntry(Base):
    """One line of the duty log (值班日志): append-only and hash-chained to the line before."""

    __tablename__ = "duty_log"
    __table_args__ = (Index("ix_duty_log_incident", "incident_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the entry number the chain is checked in
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    author: Mapped[str] = mapped_column(String(128))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    escalation_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)
    significant: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("duty_log.id"))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Escalation(Base):
    """A running playbook for one incident; the database is its clock (``due_at``)."""

    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("incident_id", "playbook"),
                      Index("ix_escalations_state_due", "state", "due_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    playbook: Mapped[str] = mapped_column(String(128))
    snapshot: Mapped[dict] = mapped_column(JSON)  # the playbook as it was when the escalation started
    state: Mapped[str] = mapped_column(String(16))  # active | acknowledged | finished | cancelled
    step: Mapped[int] = mapped_column(Integer, default=0)  # index of the next step to perform
    repeats: Mapped[dict] = mapped_column(JSON, default=dict)  # step index -> times repeated
    token: Mapped[int] = mapped_column(Integer, default=0)  # bumped by every run: a stale run is a no-op
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_holder: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_code: Mapped[str] = mapped_column(String(8), unique=True)
    required_acks: Mapped[int] = mapped_column(Integer, default=1)
    exercise: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Acknowledgement(Base):
    """Someone answered an escalation: acknowledge, we are going, or not ours. Idempotent per person and answer."""

    __tablename__ = "acknowledgements"
    __table_args__ = (UniqueConstraint("escalation_id", "actor", "answer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    actor: Mapped[str] = mapped_column(String(128))
    answer: Mapped[str] = mapped_column(String(16))  # acknowledge | going | not_ours
    via: Mapped[str] = mapped_column(String(16))  # web | sms | api
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class Notification(Base):
    """The outbox: one message to one person, written in the step's transaction, delivered by a sender."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_status_next", "status", "next_attempt_at"),
                      Index("ix_notifications_escalation", "escalation_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    escalation_id: Mapped[int | None] = mapped_column(ForeignKey("escalations.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    step: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))  # sms | web
    address: Mapped[str | None] = mapped_column(String(64))
    contact_position: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # pending | sending | unknown | queued | sent | delivered | undelivered | failed | cancelled
    provider_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_holder: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InboundMessage(Base):
    """An SMS that arrived, kept by provider id so the same one is processed once."""

    __tablename__ = "inbound_messages"

    provider_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    from_address: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(32))


class RosterSwap(Base):
    """A request to hand one post of one shift to someone else; approved or refused, and logged."""

    __tablename__ = "roster_swaps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id"))
    post: Mapped[str] = mapped_column(String(16))  # duty_officer | leader
    from_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    to_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    requested_by: Mapped[str] = mapped_column(String(128))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # requested | approved | refused
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Handover(Base):
    """The shift handover (交接班): drafted by Vigil, signed by the outgoing and the incoming officer."""

    __tablename__ = "handovers"
    __table_args__ = (UniqueConstraint("shift_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id"))  # the outgoing shift
    incoming_shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id"))
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    draft: Mapped[dict] = mapped_column(JSON)  # open incidents, unanswered escalations, reports due, open items, notes
    outgoing_signed_by: Mapped[str | None] = mapped_column(String(128))
    outgoing_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    incoming_signed_by: Mapped[str | None] = mapped_column(String(128))
    incoming_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReportObligation(Base):
    """A report the duty room owes on an incident (信息报送), due from a named base clock."""

    __tablename__ = "report_obligations"
    __table_args__ = (UniqueConstraint("incident_id", "rule", "trigger"),
                      Index("ix_report_obligations_status_due", "status", "due_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    profile: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(64))  # e.g. phone-30min
    trigger: Mapped[str] = mapped_column(String(32))  # what created it: grade:II | sensitive
    channel: Mapped[str] = mapped_column(String(16))  # phone | written
    base_clock: Mapped[str] = mapped_column(String(16))  # occurred_at | received_at | triggered_at
    base_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))  # open | filed | late | missed
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late_minutes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Report(Base):
    """One report in an incident's series: 首报 (first), 续报 N (follow-up), 终报 (final)."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("incident_id", "kind", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    kind: Mapped[str] = mapped_column(String(16))  # first | follow_up | final
    number: Mapped[int] = mapped_column(Integer, default=0)  # 0 for first and final, 1.. for follow-ups
    channel: Mapped[str] = mapped_column(String(16))  # phone | written
    fields: Mapped[dict] = mapped_column(JSON)  # time, place, source, nature, casualties, losses, measures, contact …
    to_verify: Mapped[list | None] = mapped_column(JSON)  # fields marked 待核实
    filed_by: Mapped[str] = mapped_column(String(128))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DocumentJob(Base):
    """A document rendered in the background (report, handover, daily duty report), with progress."""

    __tablename__ = "document_jobs"
    __table_args__ = (Index("ix_document_jobs_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # report | handover | daily | dutylog_export | monthly
    params: Mapped[dict] = mapped_column(JSON)
    format: Mapped[str] = mapped_column(String(8))  # pdf | html | csv
    language: Mapped[str] = mapped_column(String(8))  # zh | en
    status: Mapped[str] = mapped_column(String(16))  # queued | running | done | failed
    progress: Mapped[int] = mapped_column(Integer, default=0)  # 0..100
    requested_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_holder: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    content_type: Mapped[str | None] = mapped_column(String(64))
    result: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str | None] = mapped_column(Text)

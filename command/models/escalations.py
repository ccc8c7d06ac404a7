"""Escalations, the answers they get, the SMS outbox and inbound replies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from command.models.base import Base, UTCDateTime


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

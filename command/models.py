"""SQLAlchemy models on Vigil's own DeclarativeBase (no Flask)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, LargeBinary,
                        MetaData, String, Text, TypeDecorator, UniqueConstraint, false)
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

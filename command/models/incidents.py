"""Incidents, their timeline and correlation proposals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from command.models.base import Base, UTCDateTime


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
    grade_basis: Mapped[dict | None] = mapped_column(JSON)  # why grade_proposed: a message (command.i18n)
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
    reason: Mapped[str | None] = mapped_column(Text)  # a person's own words (or the feed's headline), kept as given
    reason_message: Mapped[dict | None] = mapped_column(JSON)  # the system's reason as a message (command.i18n)
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

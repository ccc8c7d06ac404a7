"""The duty log, reporting obligations and reports, and rendered documents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from command.models.base import Base, UTCDateTime


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

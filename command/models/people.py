"""Departments, people, their contacts, the roster and its swaps, handovers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column

from command.models.base import Base, UTCDateTime, utcnow


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

"""The duty log (值班日志): append-only, hash-chained, checkable by an inspector.

Each entry carries the SHA-256 of its own content and the hash of the entry
before it, so editing or deleting any row behind the application's back breaks
the chain at that row, and ``verify`` names it. The database refuses UPDATE and
DELETE on the table (triggers in migration 0005); a correction or a change of
the significant flag is a new entry pointing at the old one (``corrects_id``).

Appending reads the last entry and writes the next one, so writers are
serialised: on SQLite every transaction is BEGIN IMMEDIATE (command/db.py), on
PostgreSQL a transaction-level advisory lock is taken first. Either way two
processes cannot both chain onto the same entry. The lock is held until the
caller's transaction ends, so keep transactions that append short.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from command import roster
from command.errors import Invalid, NotFound
from command.events import DutyLogAppended
from command.i18n import bilingual, message as make_message, render
from command.models import DutyLogEntry, utcnow
from command.unit_of_work import announce

KINDS = (
    "incident_opened", "incident_updated", "incident_graded",
    "escalation_step", "escalation_failed", "escalation_overdue", "acknowledgement",
    "sms_sent", "sms_delivered", "sms_failed", "phone_call", "note", "handover",
    "report_filed", "report_late", "report_missed", "roster_swap",
    "correction", "significant_flag", "feed_silent", "audit",
)
GENESIS_HASH = "0" * 64
# pg_advisory_xact_lock key for the chain's head: b"vigildlg" as a signed 64-bit integer.
ADVISORY_LOCK_KEY = int.from_bytes(b"vigildlg", "big", signed=True)
VERIFY_BATCH = 5000
HASHED_FIELDS = ("id", "occurred_at", "written_at", "author", "shift_id", "incident_id", "escalation_id",
                 "kind", "summary", "data", "significant", "corrects_id", "prev_hash")


class EntryNotFound(NotFound):
    """No duty log entry has this id."""

    def __init__(self, entry_id: int):
        super().__init__("entry", entry_id)


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of walking the chain: ``first_broken_id`` and ``reason`` are set when not ok."""

    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None
    last_hash: str = GENESIS_HASH  # the head of the chain: note it down to detect a cut-off tail later


def append(session: Session, *, kind: str, author: str, summary: str | None = None, message: dict | None = None,
           occurred_at: datetime | None = None, incident_id: int | None = None, escalation_id: int | None = None,
           data: dict | None = None, significant: bool = False, corrects_id: int | None = None,
           at: datetime | None = None) -> DutyLogEntry:
    """Append one entry in the caller's transaction, announce it, and return it (flushed, id and hash set).

    What the system says is a ``message`` (command.i18n): kept in ``data["message"]`` and shown in
    the reader's language; the summary then holds it in Chinese and English, for search and export.
    A person's own words are a ``summary``, kept as given. ``at`` is when it is written (default
    now), ``occurred_at`` when the thing happened (default ``at``); the shift is the one on duty then.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown duty log kind {kind!r}")
    if not author:
        raise ValueError("a duty log entry needs an author")
    if (summary is None) == (message is None):
        raise ValueError("a duty log entry needs a summary or a message, not both")
    if message is not None:
        summary, data = bilingual(message), {**(data or {}), "message": message}
    written_at = _utc(at or utcnow(), "at")
    occurred_at = _utc(occurred_at, "occurred_at") if occurred_at else written_at
    data = json.loads(_canonical(data)) if data is not None else None  # hash exactly what the JSON column returns
    _lock_chain(session)
    last = session.execute(select(DutyLogEntry.id, DutyLogEntry.hash)
                           .order_by(DutyLogEntry.id.desc()).limit(1)).first()
    shift = roster.on_duty(session, occurred_at)
    entry = DutyLogEntry(
        id=(last.id + 1) if last else 1, occurred_at=occurred_at, written_at=written_at, author=author,
        shift_id=shift.id if shift else None, incident_id=incident_id, escalation_id=escalation_id, kind=kind,
        summary=summary, data=data, significant=bool(significant), corrects_id=corrects_id,
        prev_hash=last.hash if last else GENESIS_HASH)
    entry.hash = entry_hash({name: getattr(entry, name) for name in HASHED_FIELDS})
    announce(session, DutyLogAppended(entry_dict(entry)))  # first: outside a unit of work nothing is written
    session.add(entry)
    session.flush()
    return entry


def set_significant(session: Session, entry_id: int, significant: bool, author: str, reason: str,
                    at: datetime | None = None) -> DutyLogEntry:
    """Flag (or unflag) an entry as significant: a new ``significant_flag`` entry, never an update.

    The flag entry is not itself significant; the new value is in its data (see ``significance``).
    """
    target = _entry(session, entry_id)
    said = make_message("log.flagged" if significant else "log.unflagged", id=entry_id, reason=reason or "")
    return append(session, kind="significant_flag", author=author, at=at, incident_id=target.incident_id,
                  corrects_id=entry_id, message=said,
                  data={"entry_id": entry_id, "significant": bool(significant), "reason": reason})


def correct(session: Session, entry_id: int, summary: str, author: str, at: datetime | None = None) -> DutyLogEntry:
    """Correct an entry: a new ``correction`` entry carrying the corrected text, never an update."""
    if not summary.strip():
        raise Invalid("summary_required", "summary")
    target = _entry(session, entry_id)
    return append(session, kind="correction", author=author, at=at, incident_id=target.incident_id,
                  escalation_id=target.escalation_id, corrects_id=entry_id, summary=summary,
                  data={"entry_id": entry_id, "previous_summary": target.summary})


def significance(session: Session, entry_ids: list[int]) -> dict[int, bool]:
    """Return each entry's current significant flag: the latest ``significant_flag`` on it, else its own."""
    result = {entry_id: significant for entry_id, significant in session.execute(
        select(DutyLogEntry.id, DutyLogEntry.significant).where(DutyLogEntry.id.in_(entry_ids)))}
    for target, data in session.execute(
            select(DutyLogEntry.corrects_id, DutyLogEntry.data)
            .where(DutyLogEntry.kind == "significant_flag", DutyLogEntry.corrects_id.in_(entry_ids))
            .order_by(DutyLogEntry.id)):
        result[target] = bool(data["significant"])
    return result


def verify(session: Session, batch_size: int = VERIFY_BATCH) -> VerifyResult:
    """Walk the whole chain in id order, a batch at a time, and report the first broken link."""
    columns = [getattr(DutyLogEntry, name) for name in HASHED_FIELDS] + [DutyLogEntry.hash]
    expected_id, previous_hash, checked = 1, GENESIS_HASH, 0
    while True:
        rows = session.execute(select(*columns).where(DutyLogEntry.id >= expected_id)
                               .order_by(DutyLogEntry.id).limit(batch_size)).all()
        for row in rows:
            fields = row._mapping
            if row.id != expected_id:
                missing = (f"entry {expected_id} is missing" if row.id == expected_id + 1 else
                           f"entries {expected_id}-{row.id - 1} are missing")
                return VerifyResult(False, checked, expected_id, missing, previous_hash)
            if row.prev_hash != previous_hash:
                return VerifyResult(False, checked, row.id,
                                    f"its previous hash does not match entry {row.id - 1}", previous_hash)
            if entry_hash({name: fields[name] for name in HASHED_FIELDS}) != row.hash:
                return VerifyResult(False, checked, row.id, "its content does not match its hash", previous_hash)
            expected_id, previous_hash, checked = row.id + 1, row.hash, checked + 1
        if len(rows) < batch_size:
            return VerifyResult(True, checked, last_hash=previous_hash)


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of an entry's hashed fields."""
    return hashlib.sha256(_canonical({name: fields[name] for name in HASHED_FIELDS}).encode("utf-8")).hexdigest()


def entry_dict(entry: DutyLogEntry) -> dict:
    """An entry as JSON for the API and the live log page (``message``: what to render, when the system wrote it)."""
    return {"id": entry.id, "occurred_at": entry.occurred_at.isoformat(), "written_at": entry.written_at.isoformat(),
            "author": entry.author, "shift_id": entry.shift_id, "incident_id": entry.incident_id,
            "escalation_id": entry.escalation_id, "kind": entry.kind, "summary": entry.summary, "data": entry.data,
            "message": (entry.data or {}).get("message"), "significant": entry.significant,
            "corrects_id": entry.corrects_id, "prev_hash": entry.prev_hash, "hash": entry.hash}


def entry_text(entry: DutyLogEntry, language: str | None = None, translations=None) -> str:
    """What an entry says, for one reader: its message rendered in their language, else its summary as written."""
    stored = (entry.data or {}).get("message") if isinstance(entry.data, dict) else None
    return render(stored, language, translations) if stored else entry.summary


def _canonical(value: Any) -> str:
    # Sorted keys, no spaces, UTF-8 kept as is, datetimes as fixed-width UTC: one text per content.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                      default=_json_default)


def _json_default(value: Any) -> str:
    if isinstance(value, datetime):
        return _utc(value, "datetime").replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    raise TypeError(f"duty log data cannot hold {type(value).__name__}: {value!r}")


def _utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"{name} must be an aware datetime")
    return value.astimezone(timezone.utc)


def _lock_chain(session: Session) -> None:
    # SQLite: BEGIN IMMEDIATE already holds the database's one write lock.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})


def _entry(session: Session, entry_id: int) -> DutyLogEntry:
    entry = session.get(DutyLogEntry, entry_id)
    if entry is None:
        raise EntryNotFound(entry_id)
    return entry

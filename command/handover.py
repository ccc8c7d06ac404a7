"""The shift handover (交接班): Vigil drafts it, the outgoing then the incoming officer sign, the shift closes.

The draft lists what the incoming officer takes over: open incidents, escalations
nobody has acknowledged, reports due, and the open items from the log (phone
calls of the shift with no incident, entries flagged significant during the
shift, and items handed over to this shift and not yet settled). The outgoing
officer may add notes and settle items with a remark until signing; the
outgoing signature freezes the draft (and names the digest it signed, so a draft
refreshed in another window is not signed unseen). The incoming signature closes
the shift and moves ownership of the open items to the incoming officer, which
the duty log records (kind ``handover``). A shift is never closed otherwise.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from command import dutylog, reporting, roster
from command.errors import Conflict, Forbidden, Invalid, NotFound
from command.i18n import message
from command.incidents import OPEN_STATUSES
from command.models import DutyLogEntry, Escalation, Handover, Incident, Person, ReportObligation, Shift
from feeds.event import iso

ROLES = ("outgoing", "incoming")
MAX_LISTED = 1000  # per section; the draft says how many more there are
NOTES_LIMIT, REMARK_LIMIT, ACTOR_LIMIT = 4000, 500, 128
TICK = timedelta(microseconds=1)


class HandoverRequired(Conflict):
    """A shift cannot be closed before both officers have signed its handover."""

    def __init__(self, shift_id: int):
        super().__init__("handover_required", id=shift_id)


class ShiftNotFound(NotFound):
    """No shift with that id (or none on duty)."""

    def __init__(self, shift_id: int | None, field: str = "shift_id"):
        super().__init__("shift" if shift_id is not None else "shift_on_duty", shift_id, field, code="no_shift")


class HandoverNotFound(NotFound):
    """No handover with that id."""

    def __init__(self, handover_id: int):
        super().__init__("handover", handover_id)


def current_shift(session: Session, at: datetime) -> Shift | None:
    """The shift whose handover is due at ``at``: the one on duty, or the one before it if not yet handed over."""
    on = roster.on_duty(session, at)
    if on is None:
        return None
    before = roster.on_duty(session, on.starts_at - TICK)
    if before is not None and before.id != on.id and before.closed_at is None and before.ends_at <= on.starts_at:
        return before  # the change-over is under way: the outgoing shift still owes its handover
    return on


def draft_handover(session: Session, shift_id: int, at: datetime) -> Handover:
    """Build (or rebuild) the draft for ``shift_id`` and return the handover row.

    Notes and settled items survive a rebuild; once the outgoing officer has
    signed, the draft is frozen and returned as signed.
    """
    shift = _shift(session, shift_id)
    handover = session.scalar(select(Handover).where(Handover.shift_id == shift_id))
    if handover is not None and handover.outgoing_signed_at is not None:
        return handover
    incoming = incoming_shift(session, shift)
    previous = dict(handover.draft) if handover is not None else {}
    items = _open_items(session, shift)
    keys = {item["key"] for item in items}
    draft = {
        "shift": _shift_dict(session, shift),
        "incoming_shift": _shift_dict(session, incoming) if incoming else None,
        **_listed("open_incidents", _open_incidents(session)),
        **_listed("unacknowledged_escalations", _unacknowledged(session)),
        **_listed("reports_due", _reports_due(session, at)),
        "open_items": items,
        "notes": previous.get("notes", ""),
        "notes_by": previous.get("notes_by"),
        "settled": {key: value for key, value in (previous.get("settled") or {}).items() if key in keys},
    }
    if handover is None:
        handover = Handover(shift_id=shift_id, drafted_at=at, draft=draft,
                            incoming_shift_id=incoming.id if incoming else None)
        session.add(handover)
    else:
        handover.draft, handover.drafted_at = draft, at
        handover.incoming_shift_id = incoming.id if incoming else None
    session.flush()
    return handover


def edit(session: Session, handover_id: int, *, actor: str, at: datetime, notes: str | None = None,
         settled: dict[str, str | None] | None = None) -> Handover:
    """Set the free-text notes and settle (remark) or unsettle (None) open items, before the outgoing signature."""
    handover = _handover(session, handover_id)
    actor = _actor(actor)
    if handover.outgoing_signed_at is not None:
        raise Conflict("draft_signed")
    draft = dict(handover.draft)
    if notes is not None:
        if not isinstance(notes, str) or len(notes) > NOTES_LIMIT:
            raise Invalid("bad_notes", "notes", limit=NOTES_LIMIT)
        draft["notes"], draft["notes_by"] = notes.strip(), actor
    if settled is not None:
        if not isinstance(settled, dict):
            raise Invalid("bad_settled", "settled")
        keys = {item["key"] for item in draft["open_items"]}
        marks = dict(draft.get("settled") or {})
        for key, remark in settled.items():
            if key not in keys:
                raise Invalid("unknown_item", "settled", key=str(key)[:64])
            if remark is None:
                marks.pop(key, None)
                continue
            if not isinstance(remark, str) or not remark.strip() or len(remark) > REMARK_LIMIT:
                raise Invalid("remark_required", "settled", key=key, limit=REMARK_LIMIT)
            marks[key] = {"remark": remark.strip(), "by": actor, "at": at.isoformat()}
        draft["settled"] = marks
    handover.draft = draft
    session.flush()
    return handover


def sign(session: Session, handover_id: int, role: str, actor: str, at: datetime,
         digest: str | None = None) -> Handover:
    """Sign as the ``outgoing`` officer (first) or the ``incoming`` one; the second signature closes the shift.

    The outgoing officer must be the shift's duty officer or leader on duty, the
    incoming one the incoming shift's duty officer, whenever the roster names
    them; when it does not, the signature is taken and the log says why it was
    not checked. ``digest`` (optional) is the draft the signer saw.
    """
    handover = _handover(session, handover_id)
    actor = _actor(actor)
    if role not in ROLES:
        raise Invalid("bad_role", "role", choices=", ".join(ROLES))
    shift = _shift(session, handover.shift_id)
    if role == "outgoing":
        return _sign_outgoing(session, handover, shift, actor, at, digest)
    return _sign_incoming(session, handover, shift, actor, at)


def close_shift(session: Session, shift_id: int, at: datetime) -> Shift:
    """Close the shift; refused (HandoverRequired) unless its handover carries both signatures."""
    shift = _shift(session, shift_id)
    if shift.closed_at is not None:
        raise Conflict("already_closed", id=shift_id)
    handover = session.scalar(select(Handover).where(Handover.shift_id == shift_id))
    if handover is None or handover.outgoing_signed_at is None or handover.incoming_signed_at is None:
        raise HandoverRequired(shift_id)
    shift.closed_at = at
    session.flush()
    return shift


def incoming_shift(session: Session, shift: Shift) -> Shift | None:
    """The shift on the roster when ``shift`` ends, if any."""
    following = roster.on_duty(session, shift.ends_at)
    return following if following is not None and following.id != shift.id else None


def digest_of(draft: dict) -> str:
    """SHA-256 of the draft's canonical JSON: what a signer saw."""
    text = json.dumps(draft, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def handover_dict(handover: Handover) -> dict:
    """The handover as the API and the page show it."""
    closed = handover.incoming_signed_at is not None
    return {"id": handover.id, "shift_id": handover.shift_id, "incoming_shift_id": handover.incoming_shift_id,
            "state": "closed" if closed else ("outgoing_signed" if handover.outgoing_signed_at else "draft"),
            "drafted_at": iso(handover.drafted_at), "draft": handover.draft, "digest": digest_of(handover.draft),
            "outgoing_signed_by": handover.outgoing_signed_by, "outgoing_signed_at": iso(handover.outgoing_signed_at),
            "incoming_signed_by": handover.incoming_signed_by, "incoming_signed_at": iso(handover.incoming_signed_at)}


def shift_dict(session: Session, shift: Shift | None) -> dict | None:
    """A shift with its people's usernames and names."""
    return _shift_dict(session, shift) if shift is not None else None


def handed_over(draft: dict) -> list[dict]:
    """The open items that move to the incoming officer: those not settled."""
    settled = draft.get("settled") or {}
    return [item for item in draft["open_items"] if item["key"] not in settled]


# --- signing -------------------------------------------------------------------------------------------------------

def _sign_outgoing(session: Session, handover: Handover, shift: Shift, actor: str, at: datetime,
                   digest: str | None) -> Handover:
    if handover.outgoing_signed_at is not None:
        raise Conflict("already_signed", "role", who=handover.outgoing_signed_by)
    if digest is not None and digest != digest_of(handover.draft):
        raise Conflict("stale_draft", "digest")
    allowed = [p for p in (_person(session, shift.duty_officer_id), _person(session, shift.leader_id)) if p]
    check = _roster_check(actor, allowed, "outgoing",
                          f"shift {shift.id} names no duty officer or leader on duty")
    handover.outgoing_signed_by, handover.outgoing_signed_at = actor, at
    session.flush()
    dutylog.append(session, kind="handover", author=actor, at=at,
                   message=message("handover.outgoing_signed", shift=shift.id, actor=actor),
                   data={"handover_id": handover.id, "shift_id": shift.id, "role": "outgoing", "actor": actor,
                         "digest": digest_of(handover.draft), "roster_check": check})
    return handover


def _sign_incoming(session: Session, handover: Handover, shift: Shift, actor: str, at: datetime) -> Handover:
    if handover.outgoing_signed_at is None:
        raise Conflict("outgoing_first", "role")
    if handover.incoming_signed_at is not None:
        raise Conflict("already_signed", "role", who=handover.incoming_signed_by)
    if actor == handover.outgoing_signed_by:
        raise Conflict("same_person", "actor")
    incoming = incoming_shift(session, shift)  # the roster now: a swap approved since the draft counts
    officer = _person(session, incoming.duty_officer_id) if incoming else None
    if incoming is None:
        why = f"no shift is on the roster when shift {shift.id} ends"
    else:
        why = f"the incoming shift {incoming.id} names no duty officer"
    check = _roster_check(actor, [officer] if officer else [], "incoming", why)
    handover.incoming_shift_id = incoming.id if incoming else None
    handover.incoming_signed_by, handover.incoming_signed_at = actor, at
    session.flush()
    close_shift(session, shift.id, at)
    _log_ownership(session, handover, shift, incoming, actor, at, check)
    return handover


def _roster_check(actor: str, allowed: list[Person], role: str, why_unchecked: str) -> str:
    """Refuse a signer the roster does not name; return what the check found, for the log."""
    if not allowed:
        return f"not checked: {why_unchecked}"
    if actor not in {p.username for p in allowed}:
        names = " or ".join(f"{p.display_name} ({p.username})" for p in allowed)
        raise Forbidden("not_on_roster", "actor", names=names, role=role, actor=actor,
                        expected=[p.username for p in allowed])
    return "matches the roster"


def _log_ownership(session: Session, handover: Handover, shift: Shift, incoming: Shift | None, owner: str,
                   at: datetime, check: str) -> None:
    draft = handover.draft
    moved = {"incidents": [i["id"] for i in draft["open_incidents"]],
             "escalations": [e["id"] for e in draft["unacknowledged_escalations"]],
             "reports": [r["id"] for r in draft["reports_due"]],
             "log_entries": [item["entry_id"] for item in handed_over(draft)]}
    settled = sorted(int(key.split(":")[1]) for key in draft.get("settled") or {})
    lists = [message(f"handover.moved_{name}", ids=_ids(moved[name])) for name in moved if moved[name]]
    to = message("handover.to_shift", id=incoming.id) if incoming else message("handover.to_next_shift")
    said = message("handover.done_items" if lists else "handover.done", shift=shift.id, to=to,
                   outgoing=handover.outgoing_signed_by, incoming=owner, items=lists)
    dutylog.append(session, kind="handover", author=owner, at=at, message=said,
                   data={"handover_id": handover.id, "shift_id": shift.id,
                         "incoming_shift_id": incoming.id if incoming else None, "role": "incoming",
                         "outgoing": handover.outgoing_signed_by, "incoming": owner, "new_owner": owner,
                         "items": moved, "settled_entries": settled, "notes": draft.get("notes", ""),
                         "roster_check": check})


def _ids(ids: list[int], limit: int = 20) -> str:
    shown = ", ".join(f"#{i}" for i in ids[:limit])
    return shown + (f" … (+{len(ids) - limit})" if len(ids) > limit else "")


# --- the draft's sections ------------------------------------------------------------------------------------------

def _listed(name: str, rows: list[dict]) -> dict:
    return {name: rows[:MAX_LISTED], f"{name}_total": len(rows)}


def _open_incidents(session: Session) -> list[dict]:
    rows = session.scalars(select(Incident).where(Incident.status.in_(OPEN_STATUSES),
                                                  Incident.merged_into_id.is_(None))
                           .order_by(Incident.received_at, Incident.id))
    return [{"id": i.id, "headline": i.headline, "status": i.status, "severity": i.severity,
             "grade": i.grade or i.grade_proposed, "cap_status": i.cap_status, "sensitive": bool(i.sensitive),
             "received_at": iso(i.received_at), "updated_at": iso(i.updated_at)} for i in rows]


def _unacknowledged(session: Session) -> list[dict]:
    rows = session.execute(select(Escalation, Incident.headline).join(Incident, Incident.id == Escalation.incident_id)
                           .where(Escalation.state == "active", Escalation.acknowledged_at.is_(None))
                           .order_by(Escalation.created_at, Escalation.id))
    return [{"id": e.id, "incident_id": e.incident_id, "headline": headline, "playbook": e.playbook, "step": e.step,
             "due_at": iso(e.due_at), "exercise": bool(e.exercise), "created_at": iso(e.created_at)}
            for e, headline in rows]


def _reports_due(session: Session, at: datetime) -> list[dict]:
    rows = session.execute(select(ReportObligation, Incident.headline)
                           .join(Incident, Incident.id == ReportObligation.incident_id)
                           .where(ReportObligation.status.in_(reporting.SATISFIABLE))  # a missed one is still owed
                           .order_by(ReportObligation.due_at, ReportObligation.id))
    return [{"id": r.id, "incident_id": r.incident_id, "headline": headline, "rule": r.rule, "channel": r.channel,
             "status": r.status, "due_at": iso(r.due_at), "overdue": r.due_at < at} for r, headline in rows]


def _open_items(session: Session, shift: Shift) -> list[dict]:
    """Unfinished items from the log, carried-over ones first, each once with every reason it is open."""
    reasons: dict[int, list[str]] = {}
    owners: dict[int, str] = {}
    previous = session.scalar(select(Handover).where(Handover.incoming_shift_id == shift.id,
                                                     Handover.incoming_signed_at.is_not(None))
                              .order_by(Handover.incoming_signed_at.desc(), Handover.id.desc()).limit(1))
    if previous is not None:
        for item in handed_over(previous.draft):
            reasons.setdefault(item["entry_id"], []).append("carried_over")
            owners[item["entry_id"]] = previous.incoming_signed_by
    calls = session.scalars(select(DutyLogEntry.id).where(DutyLogEntry.shift_id == shift.id,
                                                          DutyLogEntry.kind == "phone_call",
                                                          DutyLogEntry.incident_id.is_(None)))
    for entry_id in calls:
        reasons.setdefault(entry_id, []).append("phone_call_without_incident")
    # Significant now, and made so during this shift: flagged in it, or written in it already significant.
    flagged = [data["entry_id"] for data in session.scalars(
        select(DutyLogEntry.data).where(DutyLogEntry.shift_id == shift.id, DutyLogEntry.kind == "significant_flag"))
        if data and data.get("significant")]
    born = session.scalars(select(DutyLogEntry.id).where(DutyLogEntry.shift_id == shift.id,
                                                         DutyLogEntry.significant.is_(True)))
    candidates = list(dict.fromkeys([*flagged, *born]))
    current = dutylog.significance(session, candidates) if candidates else {}
    for entry_id in candidates:
        if current.get(entry_id):
            reasons.setdefault(entry_id, []).append("significant")
    entries = {e.id: e for e in session.scalars(select(DutyLogEntry).where(DutyLogEntry.id.in_(list(reasons))))}
    items = []
    for entry_id, why in reasons.items():
        entry = entries.get(entry_id)
        if entry is None:
            continue
        items.append({"key": f"log:{entry_id}", "entry_id": entry_id, "kind": entry.kind, "summary": entry.summary,
                      "author": entry.author, "occurred_at": iso(entry.occurred_at),
                      "incident_id": entry.incident_id, "reasons": why, "owner": owners.get(entry_id)})
    items.sort(key=lambda item: ("carried_over" not in item["reasons"], item["entry_id"]))
    return items


# --- helpers -------------------------------------------------------------------------------------------------------

def _shift_dict(session: Session, shift: Shift) -> dict:
    def who(person_id: int | None) -> dict | None:
        person = _person(session, person_id)
        return {"id": person.id, "username": person.username, "display_name": person.display_name} if person else None
    return {"id": shift.id, "starts_at": iso(shift.starts_at), "ends_at": iso(shift.ends_at),
            "duty_officer": who(shift.duty_officer_id), "leader": who(shift.leader_id),
            "closed_at": iso(shift.closed_at)}


def _person(session: Session, person_id: int | None) -> Person | None:
    return session.get(Person, person_id) if person_id is not None else None


def _shift(session: Session, shift_id: int) -> Shift:
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise ShiftNotFound(shift_id)
    return shift


def _handover(session: Session, handover_id: int) -> Handover:
    handover = session.get(Handover, handover_id)
    if handover is None:
        raise HandoverNotFound(handover_id)
    return handover


def _actor(actor: Any) -> str:
    if not isinstance(actor, str) or not actor.strip() or len(actor.strip()) > ACTOR_LIMIT:
        raise Invalid("actor_required", "actor", limit=ACTOR_LIMIT)
    return actor.strip()

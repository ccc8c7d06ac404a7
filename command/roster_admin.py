"""Roster administration (值班表管理): the week ahead with its gaps, and swaps requested, decided and logged.

A swap hands one post (duty officer 值班员 or leader on duty 带班领导) of one shift
to someone else. It is requested by anyone, then approved or refused by an
administrator or a shift leader (there are no logins yet: the decider is named,
and must be such a person in the directory; web/access.py gives the same roles). Only an approval changes
the Shift row. Every step is a ``roster_swap`` duty-log entry in the same
transaction, so the log shows who asked, who decided and what changed.

A decision is taken once: the status moves from ``requested`` with a
conditional UPDATE, so two deciders racing (or one clicking twice) cannot both
win. An approval is refused when the post changed hands since the request
(another swap was approved first): the request describes a roster that is gone.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from command import dutylog, roster
from command.errors import Conflict, Forbidden, Invalid, NotFound
from command.i18n import message
from command.models import Person, RosterSwap, Shift

POSTS = tuple(roster.POSTS)  # duty_officer | leader
DECIDER_ROLES = ("administrator", "shift_leader")
WINDOW_DAYS = 7
REASON_MAX = 1000
NAME_MAX = 128


class SwapNotFound(NotFound):
    """No such swap, or no such shift."""

    def __init__(self, what: str, ident: int):
        super().__init__(what, ident)


# ---- the week ahead ------------------------------------------------------------------------------

def week(session: Session, now: datetime, days: int = WINDOW_DAYS) -> dict:
    """The shifts touching [now, now + days) and the gaps in it, per post (times are UTC datetimes)."""
    start, end = now, now + timedelta(days=days)
    shifts = session.scalars(select(Shift).where(Shift.ends_at > start, Shift.starts_at < end)
                             .order_by(Shift.starts_at, Shift.id)).all()
    people = _people(session, {pid for s in shifts for pid in (s.duty_officer_id, s.leader_id) if pid})
    gaps = sorted(({"post": post, "starts_at": a, "ends_at": b}
                   for post in POSTS for a, b in roster.gaps(session, start, end, post)),
                  key=lambda gap: (gap["starts_at"], gap["post"]))
    return {"from": start, "until": end, "gaps": gaps,
            "shifts": [shift_dict(shift, people, gaps) for shift in shifts]}


def shift_dict(shift: Shift, people: dict[int, Person], gaps: list[dict] = ()) -> dict:
    """A shift with its post holders by name; ``gap_posts`` names the posts uncovered somewhere in it."""
    def holder(person_id):
        person = people.get(person_id)
        if person is None:
            return None
        return {"id": person.id, "username": person.username, "display_name": person.display_name,
                "active": person.active}
    return {"id": shift.id, "starts_at": shift.starts_at, "ends_at": shift.ends_at, "closed_at": shift.closed_at,
            "duty_officer": holder(shift.duty_officer_id), "leader": holder(shift.leader_id),
            "gap_posts": sorted({gap["post"] for gap in gaps
                                 if gap["starts_at"] < shift.ends_at and gap["ends_at"] > shift.starts_at})}


# ---- swaps -----------------------------------------------------------------------------------------

def request_swap(session: Session, shift_id: int, post: str, to_person: int | str, requested_by: str,
                 reason: str | None, at: datetime, *, time_zone: str = "UTC") -> RosterSwap:
    """Ask for ``post`` of shift ``shift_id`` to go to ``to_person`` (an id or a username); logged."""
    requested_by = _name(requested_by, "requested_by")
    if post not in POSTS:
        raise Invalid("bad_post", "post", choices=", ".join(POSTS))
    reason = (reason or "").strip() or None
    if reason and len(reason) > REASON_MAX:
        raise Invalid("reason_too_long", "reason", limit=REASON_MAX)
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise SwapNotFound("shift", shift_id)
    _check_open(shift, at)
    person = _person(session, to_person)
    current = getattr(shift, f"{post}_id")
    if person.id == current:
        raise Invalid("same_person", "to_person", person=person.username)
    pending = session.scalar(select(RosterSwap.id).where(RosterSwap.shift_id == shift.id, RosterSwap.post == post,
                                                         RosterSwap.status == "requested"))
    if pending is not None:
        raise Conflict("already_pending", id=pending)
    swap = RosterSwap(shift_id=shift.id, post=post, from_person_id=current, to_person_id=person.id,
                      requested_by=requested_by, requested_at=at, reason=reason, status="requested")
    session.add(swap)
    session.flush()
    _log(session, swap, shift, "requested", requested_by, at, time_zone)
    return swap


def approve(session: Session, swap_id: int, decided_by: str, at: datetime, *, time_zone: str = "UTC") -> RosterSwap:
    """Approve a requested swap: the shift's post goes to the new holder; logged. Refused if decided before."""
    swap, shift = _for_decision(session, swap_id, decided_by)
    if decided_by.strip() == swap.requested_by:
        raise Forbidden("own_request", "actor")
    _check_open(shift, at)
    if getattr(shift, f"{swap.post}_id") != swap.from_person_id:
        raise Conflict("stale")
    _decide(session, swap, "approved", decided_by, at)
    setattr(shift, f"{swap.post}_id", swap.to_person_id)
    session.flush()
    _log(session, swap, shift, "approved", swap.decided_by, at, time_zone)
    return swap


def refuse(session: Session, swap_id: int, decided_by: str, at: datetime, reason: str | None = None, *,
           time_zone: str = "UTC") -> RosterSwap:
    """Refuse a requested swap: the roster stays as it is; logged (with the reason, if given)."""
    swap, shift = _for_decision(session, swap_id, decided_by)
    _decide(session, swap, "refused", decided_by, at)
    _log(session, swap, shift, "refused", swap.decided_by, at, time_zone, (reason or "").strip() or None)
    return swap


def swaps(session: Session, status: str | None = None, limit: int = 200) -> list[dict]:
    """Swaps, newest first (``status`` narrows: requested | approved | refused)."""
    query = select(RosterSwap).order_by(RosterSwap.requested_at.desc(), RosterSwap.id.desc()).limit(limit)
    if status:
        query = query.where(RosterSwap.status == status)
    rows = session.scalars(query).all()
    shifts = {s.id: s for s in session.scalars(select(Shift).where(Shift.id.in_({r.shift_id for r in rows})))}
    people = _people(session, {pid for r in rows for pid in (r.from_person_id, r.to_person_id) if pid})
    return [swap_dict(row, shifts.get(row.shift_id), people) for row in rows]


def describe(session: Session, swap: RosterSwap) -> dict:
    """One swap as ``swap_dict`` gives it, with its shift and people looked up."""
    people = _people(session, {pid for pid in (swap.from_person_id, swap.to_person_id) if pid})
    return swap_dict(swap, session.get(Shift, swap.shift_id), people)


def swap_dict(swap: RosterSwap, shift: Shift | None, people: dict[int, Person]) -> dict:
    """A swap for the API and the page (times are UTC datetimes)."""
    def name(person_id):
        person = people.get(person_id)
        return {"id": person.id, "username": person.username, "display_name": person.display_name} if person else None
    return {"id": swap.id, "shift_id": swap.shift_id, "post": swap.post, "status": swap.status,
            "shift_starts_at": shift.starts_at if shift else None, "shift_ends_at": shift.ends_at if shift else None,
            "from_person": name(swap.from_person_id), "to_person": name(swap.to_person_id),
            "requested_by": swap.requested_by, "requested_at": swap.requested_at, "reason": swap.reason,
            "decided_by": swap.decided_by, "decided_at": swap.decided_at}


# ---- helpers ---------------------------------------------------------------------------------------

def _for_decision(session: Session, swap_id: int, decided_by: str) -> tuple[RosterSwap, Shift]:
    decided_by = _name(decided_by, "actor")
    swap = session.get(RosterSwap, swap_id)
    if swap is None:
        raise SwapNotFound("swap", swap_id)
    decider = session.scalar(select(Person).where(Person.username == decided_by))
    if decider is None or not decider.active or decider.role not in DECIDER_ROLES:
        raise Forbidden("not_allowed", "actor", message="not_a_decider", actor=decided_by,
                        roles=", ".join(DECIDER_ROLES))
    if swap.status != "requested":
        raise Conflict("already_decided", id=swap_id, status=swap.status)
    # Lock the shift: two approvals of different swaps of one post are decided one after the other.
    return swap, session.get(Shift, swap.shift_id, with_for_update=True)


def _decide(session: Session, swap: RosterSwap, status: str, decided_by: str, at: datetime) -> None:
    # Conditional on the status still being "requested": of two racing decisions only one changes a row.
    changed = session.execute(
        update(RosterSwap).where(RosterSwap.id == swap.id, RosterSwap.status == "requested")
        .values(status=status, decided_by=decided_by.strip(), decided_at=at)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise Conflict("already_decided", id=swap.id, status="decided")
    session.refresh(swap)


def _check_open(shift: Shift, at: datetime) -> None:
    if shift.closed_at is not None:
        raise Conflict("shift_closed", id=shift.id)
    if shift.ends_at <= at:
        raise Conflict("shift_over", id=shift.id)


def _person(session: Session, who: int | str) -> Person:
    if isinstance(who, int) and not isinstance(who, bool):
        person = session.get(Person, who)
    elif isinstance(who, str) and who.strip():
        person = session.scalar(select(Person).where(Person.username == who.strip()))
    else:
        raise Invalid("unknown_person", "to_person", who="")
    if person is None or not person.active:
        raise Invalid("unknown_person", "to_person", who=str(who)[:64])
    return person


def _name(value, field: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > NAME_MAX:
        raise Invalid("actor_required", field, limit=NAME_MAX)
    return value.strip()


def _people(session: Session, ids: set[int]) -> dict[int, Person]:
    return {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))} if ids else {}


def _log(session: Session, swap: RosterSwap, shift: Shift, action: str, author: str, at: datetime,
         time_zone: str, refusal: str | None = None) -> None:
    people = _people(session, {pid for pid in (swap.from_person_id, swap.to_person_id) if pid})
    before = people[swap.from_person_id].display_name if swap.from_person_id in people else "—"
    after = people[swap.to_person_id].display_name
    zone = ZoneInfo(time_zone)
    span = f"{_local(shift.starts_at, zone)}–{_local(shift.ends_at, zone)}"
    why = refusal if action == "refused" else swap.reason if action == "requested" else None
    said = message("swap.line_reason" if why else "swap.line", action=message(f"swap.{action}"), id=swap.id,
                   shift=shift.id, span=span, post=message(f"post.{swap.post}"), before=before, after=after,
                   reason=why or "")
    dutylog.append(session, kind="roster_swap", author=author, at=at, message=said,
                   data={"swap_id": swap.id, "action": action, "shift_id": shift.id, "post": swap.post,
                         "from_person_id": swap.from_person_id, "to_person_id": swap.to_person_id,
                         "requested_by": swap.requested_by, "reason": why})


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(timezone.utc).astimezone(zone).strftime("%Y-%m-%d %H:%M")

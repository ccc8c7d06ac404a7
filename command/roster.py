"""The roster (值班表): who is duty officer (值班员) and leader on duty (带班领导) at a given moment.

A shift holds the half-open interval [starts_at, ends_at): at the exact change-over
minute the incoming shift is on duty, never both and never neither. When shifts
overlap (a swap laid over a standing rotation), the one that started latest wins.
Inactive people are treated as absent, so a gap is wherever a page would find nobody.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from command.models import Person, Shift

POSTS = {"duty_officer": Shift.duty_officer_id, "leader": Shift.leader_id}


def on_duty(session: Session, at: datetime) -> Shift | None:
    """Return the shift on duty at ``at`` (the latest-starting one if several hold it), or None."""
    return session.scalars(
        select(Shift).where(Shift.starts_at <= at, Shift.ends_at > at)
        .order_by(Shift.starts_at.desc(), Shift.id.desc()).limit(1)).first()


def on_duty_people(session: Session, at: datetime, post: str) -> list[Person]:
    """Return who holds ``post`` ("duty_officer" or "leader") at ``at``: at most one person, active.

    The post is taken from the latest-starting shift holding ``at`` that fills it
    with an active person, so a shift laid over another for one post alone does
    not leave the other post empty.
    """
    column = _post_column(post)
    person = session.scalars(
        select(Person).join(Shift, column == Person.id)
        .where(Shift.starts_at <= at, Shift.ends_at > at, Person.active.is_(True))
        .order_by(Shift.starts_at.desc(), Shift.id.desc()).limit(1)).first()
    return [person] if person is not None else []


def gaps(session: Session, start: datetime, end: datetime, post: str | None = None
         ) -> list[tuple[datetime, datetime]]:
    """Return the stretches of [start, end) where nobody active holds ``post`` (both posts when None).

    A sweep over the shifts' boundaries: a post is covered while at least one
    shift holding it with an active person is running. Adjacent gaps are merged.
    """
    if end <= start:
        return []
    posts = [post] if post is not None else list(POSTS)
    for name in posts:
        _post_column(name)
    changes: dict[datetime, dict[str, int]] = {}
    for name in posts:
        person = aliased(Person)
        rows = session.execute(
            select(Shift.starts_at, Shift.ends_at).join(person, _post_column(name) == person.id)
            .where(Shift.starts_at < end, Shift.ends_at > start, Shift.ends_at > Shift.starts_at,
                   person.active.is_(True)))
        for starts_at, ends_at in rows:
            for moment, step in ((max(starts_at, start), 1), (min(ends_at, end), -1)):
                counts = changes.setdefault(moment, dict.fromkeys(posts, 0))
                counts[name] += step
    found: list[tuple[datetime, datetime]] = []
    running = dict.fromkeys(posts, 0)
    cursor = start
    for moment in sorted(changes) + [end]:
        if moment > cursor and not all(running.values()):
            if found and found[-1][1] == cursor:
                found[-1] = (found[-1][0], moment)
            else:
                found.append((cursor, moment))
        cursor = max(cursor, moment)
        for name, step in changes.get(moment, {}).items():
            running[name] += step
    return found


def _post_column(post: str):
    try:
        return POSTS[post]
    except KeyError:
        raise ValueError(f"unknown post {post!r}; allowed: {' | '.join(POSTS)}") from None

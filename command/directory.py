"""The directory: departments, people, their posts and contacts, and the roster, loaded from YAML.

Two files. command/data/departments.yaml ships with Vigil: the department codes
and which incident categories and words concern each (``departments_for`` fills
Incident.departments from it). A directory file, written by the administrator,
lists people and shifts; ``load_directory`` upserts it (people by username,
shifts by their start and end), so loading the same file again changes nothing.

A ``rotation:`` block describes a repeating roster (start, hours, duty officers,
leaders); it is expanded into shifts from a day ago to eight days ahead, so
reloading it daily keeps the next seven days covered.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from command import dutylog
from command.i18n import message
from command.db import insert_for
from command.models import Contact, Department, Membership, Person, RosterSwap, Shift, utcnow

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "departments.yaml"
ROLES = ("administrator", "operator", "shift_leader", "liaison", "leader", "feed")
POSTS = ("liaison", "head")
CHANNELS = ("sms", "voice")
LANGUAGES = ("zh", "en")
E164 = re.compile(r"\+[1-9][0-9]{7,14}")  # + then 8-15 digits; no country code starts with 0
CODE = re.compile(r"[a-z][a-z0-9_-]{0,31}")
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
ROTATION_BEHIND, ROTATION_AHEAD = timedelta(days=1), timedelta(days=8)
LOAD_LOCK_KEY = int.from_bytes(b"vigildir", "big", signed=True)  # pg_advisory_xact_lock: one load at a time


class DirectoryError(ValueError):
    """A directory or departments file is wrong; the message names the file, the entry and the field."""


@dataclass(frozen=True)
class DepartmentSpec:
    """One department and what concerns it."""

    code: str
    name_en: str
    name_zh: str
    categories: frozenset[str] = frozenset()
    words: tuple[str, ...] = ()
    pattern: re.Pattern | None = None  # compiled from ``words``


@dataclass
class LoadResult:
    """What a directory load changed; nothing when the same file is loaded again."""

    departments: int = 0
    people_created: int = 0
    people_updated: int = 0
    shifts_created: int = 0
    shifts_updated: int = 0
    swaps_kept: int = 0  # posts the file would have changed back, held by an approved swap instead

    @property
    def changed(self) -> bool:
        return any((self.departments, self.people_created, self.people_updated,
                    self.shifts_created, self.shifts_updated))

    def __str__(self) -> str:
        return (f"{self.people_created} people added, {self.people_updated} changed; "
                f"{self.shifts_created} shifts added, {self.shifts_updated} changed; "
                f"{self.departments} departments added or changed"
                + (f"; {self.swaps_kept} approved swaps kept" if self.swaps_kept else ""))


@dataclass
class _PersonEntry:
    username: str
    display_name: str
    role: str
    active: bool
    language: str | None
    posts: list[tuple[str, str]] = field(default_factory=list)  # (department code, post)
    contacts: list[tuple[str, str]] = field(default_factory=list)  # (channel, address) in order


@dataclass
class _ShiftEntry:
    starts_at: datetime
    ends_at: datetime
    duty_officer: str | None
    leader: str | None


# --- departments ------------------------------------------------------------------------------------------------

@cache
def load_departments(path: str | Path = DEFAULT_FILE) -> tuple[DepartmentSpec, ...]:
    """Read and check a departments file (once per path)."""
    document = _read_yaml(path)
    entries = document.get("departments") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise DirectoryError(f"{path}: a non-empty `departments:` list is required")
    specs, seen = [], set()
    for number, entry in enumerate(entries, 1):
        where = f"{path}: departments #{number}"
        spec = _department(entry, where, with_matching=True)
        if spec.code in seen:
            raise DirectoryError(f"{where}: code {spec.code!r} is listed twice")
        seen.add(spec.code)
        specs.append(spec)
    return tuple(specs)


def department_codes(path: str | Path = DEFAULT_FILE) -> frozenset[str]:
    """Return the codes of the departments in a departments file (the shipped one by default)."""
    return frozenset(spec.code for spec in load_departments(path))


def departments_for(category: str | None, event: str | None = "", headline: str | None = "",
                    departments: tuple[DepartmentSpec, ...] | None = None) -> list[str]:
    """Return the codes of the departments an incident concerns, in the departments file's order."""
    text = f"{event or ''}\n{headline or ''}".casefold()
    category = (category or "").lower()
    return [spec.code for spec in (load_departments() if departments is None else departments)
            if category in spec.categories or (spec.pattern is not None and spec.pattern.search(text))]


def sync_departments(session: Session, departments: tuple[DepartmentSpec, ...] | None = None) -> int:
    """Upsert the departments table from the departments file; return how many rows were added or changed."""
    changed = 0
    for spec in load_departments() if departments is None else departments:
        # Insert-or-nothing: processes starting together on a fresh database must not collide.
        added = session.scalar(insert_for(session, Department)
                               .values(code=spec.code, name_en=spec.name_en, name_zh=spec.name_zh)
                               .on_conflict_do_nothing(index_elements=["code"]).returning(Department.code))
        if added is not None:
            changed += 1
            continue
        row = session.get(Department, spec.code)
        if (row.name_en, row.name_zh) != (spec.name_en, spec.name_zh):
            row.name_en, row.name_zh = spec.name_en, spec.name_zh
            changed += 1
    session.flush()
    return changed


# --- the directory file -----------------------------------------------------------------------------------------

def load_directory(session: Session, path: str | Path, *, now: datetime | None = None,
                   author: str = "directory") -> LoadResult:
    """Check a directory file, then upsert its departments, people and shifts in the caller's transaction.

    Nothing is written when the file has an error. When something changed, an
    ``audit`` entry in the duty log says what, since the roster decides who is paged.
    Concurrent loads (web and worker processes starting together) take turns.
    """
    now = now or utcnow()
    if session.get_bind().dialect.name == "postgresql":  # SQLite: BEGIN IMMEDIATE already serialises writers
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOAD_LOCK_KEY})
    document = _read_yaml(path)
    if not isinstance(document, dict):
        raise DirectoryError(f"{path}: expected a mapping with departments, people, shifts and rotation")
    unknown = set(document) - {"departments", "people", "shifts", "rotation"}
    if unknown:
        raise DirectoryError(f"{path}: unknown section(s) {', '.join(sorted(map(str, unknown)))}; "
                             "allowed: departments, people, shifts, rotation")
    built_in = {spec.code for spec in load_departments()}
    extra = [_department(entry, f"{path}: departments #{number}", with_matching=False)
             for number, entry in enumerate(_list(document, "departments", path), 1)]
    for spec in extra:
        if spec.code in built_in:
            raise DirectoryError(f"{path}: departments: {spec.code!r} is already a built-in department "
                                 f"({DEFAULT_FILE.name}); list only extra ones")
    codes = (built_in | {spec.code for spec in extra}
             | set(session.scalars(select(Department.code))))
    people = _people(_list(document, "people", path), path, codes)
    usernames = {person.username for person in people} | set(session.scalars(select(Person.username)))
    shifts = {}
    if document.get("rotation") is not None:
        for shift in _rotation(document["rotation"], f"{path}: rotation", usernames, now):
            shifts[(shift.starts_at, shift.ends_at)] = shift
    explicit = set()
    for number, entry in enumerate(_list(document, "shifts", path), 1):
        shift = _shift(entry, f"{path}: shifts #{number}", usernames)
        key = (shift.starts_at, shift.ends_at)
        if key in explicit:
            raise DirectoryError(f"{path}: shifts #{number}: a shift from {key[0].isoformat()} "
                                 f"to {key[1].isoformat()} is listed twice")
        explicit.add(key)
        shifts[key] = shift  # an explicit shift overrides the rotation's for the same times

    result = LoadResult()
    result.departments = sync_departments(session) + sync_departments(session, tuple(extra))
    for entry in people:
        _upsert_person(session, entry, result)
    session.flush()
    ids = {username: id_ for username, id_ in session.execute(select(Person.username, Person.id))}
    for shift in sorted(shifts.values(), key=lambda s: (s.starts_at, s.ends_at)):
        _upsert_shift(session, shift, ids, result)
    session.flush()
    if result.changed:
        dutylog.append(session, kind="audit", author=author, at=now,
                       message=message("directory.loaded", file=Path(path).name, result=str(result)),
                       data={"file": str(path), "departments": result.departments,
                             "people_created": result.people_created, "people_updated": result.people_updated,
                             "shifts_created": result.shifts_created, "shifts_updated": result.shifts_updated})
    return result


def _upsert_person(session: Session, entry: _PersonEntry, result: LoadResult) -> None:
    person = session.scalars(select(Person).where(Person.username == entry.username)).first()
    created = person is None
    if created:
        person = Person(username=entry.username, display_name=entry.display_name, role=entry.role,
                        active=entry.active, language=entry.language or "zh", created_at=utcnow())
        session.add(person)
        session.flush()
    changed = False
    wanted = {"display_name": entry.display_name, "role": entry.role, "active": entry.active}
    if entry.language:
        wanted["language"] = entry.language
    for name, value in wanted.items():
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed = True
    changed |= _sync_posts(session, person, entry.posts)
    changed |= _sync_contacts(session, person, entry.contacts)
    if created:
        result.people_created += 1
    elif changed:
        result.people_updated += 1


def _sync_posts(session: Session, person: Person, posts: list[tuple[str, str]]) -> bool:
    existing = {(m.department_code, m.post): m for m in
                session.scalars(select(Membership).where(Membership.person_id == person.id))}
    wanted = set(posts)
    for key, membership in existing.items():
        if key not in wanted:
            session.delete(membership)
    for code, post in wanted - set(existing):
        session.add(Membership(person_id=person.id, department_code=code, post=post))
    return wanted != set(existing)


def _sync_contacts(session: Session, person: Person, contacts: list[tuple[str, str]]) -> bool:
    existing = {c.position: c for c in session.scalars(select(Contact).where(Contact.person_id == person.id))}
    changed = False
    for position, (channel, address) in enumerate(contacts, 1):
        contact = existing.pop(position, None)
        if contact is None:
            session.add(Contact(person_id=person.id, position=position, channel=channel, address=address))
            changed = True
        elif (contact.channel, contact.address) != (channel, address):
            contact.channel, contact.address = channel, address
            changed = True
    for contact in existing.values():  # positions the file no longer lists
        session.delete(contact)
        changed = True
    return changed


def _upsert_shift(session: Session, entry: _ShiftEntry, ids: dict[str, int], result: LoadResult) -> None:
    officer = ids[entry.duty_officer] if entry.duty_officer else None
    leader = ids[entry.leader] if entry.leader else None
    shift = session.scalars(select(Shift).where(Shift.starts_at == entry.starts_at, Shift.ends_at == entry.ends_at)
                            .order_by(Shift.id).limit(1)).first()
    if shift is None:
        session.add(Shift(starts_at=entry.starts_at, ends_at=entry.ends_at, duty_officer_id=officer,
                          leader_id=leader))
        result.shifts_created += 1
        return
    swapped = _approved_swaps(session, shift.id)
    wanted = {"duty_officer": officer, "leader": leader}
    for post, holder in wanted.items():
        if post in swapped and holder != swapped[post]:
            wanted[post] = swapped[post]  # a swap approved in Vigil outranks the roster file it amended
            result.swaps_kept += 1
    if (shift.duty_officer_id, shift.leader_id) != (wanted["duty_officer"], wanted["leader"]):
        shift.duty_officer_id, shift.leader_id = wanted["duty_officer"], wanted["leader"]
        result.shifts_updated += 1


def _approved_swaps(session: Session, shift_id: int) -> dict[str, int]:
    """Each post of the shift given away by an approved swap, to its latest holder."""
    rows = session.execute(select(RosterSwap.post, RosterSwap.to_person_id)
                           .where(RosterSwap.shift_id == shift_id, RosterSwap.status == "approved")
                           .order_by(RosterSwap.decided_at, RosterSwap.id))
    return dict(rows.all())


# --- checking entries -------------------------------------------------------------------------------------------

def _read_yaml(path: str | Path) -> Any:
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise DirectoryError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise DirectoryError(f"{path}: not valid YAML: {exc}") from None


def _list(document: dict, key: str, path) -> list:
    value = document.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise DirectoryError(f"{path}: `{key}:` must be a list")
    return value


def _department(entry: Any, where: str, with_matching: bool) -> DepartmentSpec:
    if not isinstance(entry, dict):
        raise DirectoryError(f"{where}: expected a mapping with code, name_en, name_zh")
    code = _text(entry, "code", where)
    if not CODE.fullmatch(code):
        raise DirectoryError(f"{where}: code {code!r} must be lower-case letters, digits, _ or - (at most 32)")
    where = f"{where} ({code})"
    name_en, name_zh = _text(entry, "name_en", where), _text(entry, "name_zh", where)
    if not with_matching:
        return DepartmentSpec(code, name_en, name_zh)
    categories = entry.get("categories") or []
    words = entry.get("words") or []
    if not all(isinstance(c, str) for c in categories) or not all(isinstance(w, str) and w.strip() for w in words):
        raise DirectoryError(f"{where}: categories and words must be lists of text")
    return DepartmentSpec(code, name_en, name_zh, frozenset(c.lower() for c in categories), tuple(words),
                          _words_pattern(words))


def _words_pattern(words: list[str]) -> re.Pattern | None:
    # Latin words match as whole words (with plural and -ing/-ed forms): "dam" must not match "damage".
    parts = []
    for word in sorted({w.strip().casefold() for w in words}, key=len, reverse=True):
        escaped = re.escape(word)
        parts.append(rf"(?<![a-z]){escaped}(?:s|es|ed|ing)?(?![a-z])" if word.isascii() else escaped)
    return re.compile("|".join(parts)) if parts else None


def _people(entries: list, path, codes: set[str]) -> list[_PersonEntry]:
    people, seen = [], set()
    for number, entry in enumerate(entries, 1):
        where = f"{path}: people #{number}"
        if not isinstance(entry, dict):
            raise DirectoryError(f"{where}: expected a mapping with username, display_name, role")
        username = _text(entry, "username", where)
        if not USERNAME.fullmatch(username):
            raise DirectoryError(f"{where}: username {username!r} must be 1-64 letters, digits, . _ or -")
        where = f"{where} ({username})"
        if username in seen:
            raise DirectoryError(f"{where}: username listed twice")
        seen.add(username)
        role = _choice(entry, "role", ROLES, where)
        active = entry.get("active", True)
        if not isinstance(active, bool):
            raise DirectoryError(f"{where}: active must be true or false")
        language = _choice(entry, "language", LANGUAGES, where) if entry.get("language") is not None else None
        person = _PersonEntry(username, _text(entry, "display_name", where), role, active, language)
        for index, post in enumerate(entry.get("departments") or [], 1):
            there = f"{where}: departments #{index}"
            if not isinstance(post, dict):
                raise DirectoryError(f"{there}: expected a mapping with code and post")
            code = _text(post, "code", there)
            if code not in codes:
                raise DirectoryError(f"{there}: unknown department {code!r}; known: {', '.join(sorted(codes))}")
            person.posts.append((code, _choice(post, "post", POSTS, there)))
        for index, contact in enumerate(entry.get("contacts") or [], 1):
            there = f"{where}: contacts #{index}"
            if not isinstance(contact, dict):
                raise DirectoryError(f"{there}: expected a mapping with channel and address")
            channel = _choice(contact, "channel", CHANNELS, there)
            address = str(contact.get("address") or "").strip()
            if not E164.fullmatch(address):
                raise DirectoryError(f"{there}: address {address!r} is not an E.164 number "
                                     "(+ then 8-15 digits, no spaces, e.g. +8613800138000)")
            person.contacts.append((channel, address))
        people.append(person)
    return people


def _shift(entry: Any, where: str, usernames: set[str]) -> _ShiftEntry:
    if not isinstance(entry, dict):
        raise DirectoryError(f"{where}: expected a mapping with starts, ends, duty_officer, leader")
    starts, ends = _instant(entry, "starts", where), _instant(entry, "ends", where)
    if ends <= starts:
        raise DirectoryError(f"{where}: ends ({ends.isoformat()}) must be after starts ({starts.isoformat()})")
    people = {}
    for post in ("duty_officer", "leader"):
        username = entry.get(post)
        if username is not None and str(username) not in usernames:
            raise DirectoryError(f"{where}: {post} {username!r} is not a known username")
        people[post] = str(username) if username is not None else None
    return _ShiftEntry(starts, ends, people["duty_officer"], people["leader"])


def _rotation(block: Any, where: str, usernames: set[str], now: datetime) -> list[_ShiftEntry]:
    if not isinstance(block, dict):
        raise DirectoryError(f"{where}: expected a mapping with start, hours, duty_officers, leaders")
    start = _instant(block, "start", where)
    hours = block.get("hours")
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 1 <= hours <= 168:
        raise DirectoryError(f"{where}: hours must be a number from 1 to 168, not {hours!r}")
    zone = None
    if block.get("time_zone") is not None:
        try:
            zone = ZoneInfo(str(block["time_zone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise DirectoryError(f"{where}: unknown time_zone {block['time_zone']!r}") from None
    crews = {}
    for post in ("duty_officers", "leaders"):
        names = block.get(post)
        if not isinstance(names, list) or not names:
            raise DirectoryError(f"{where}: {post} must be a non-empty list of usernames")
        for name in names:
            if str(name) not in usernames:
                raise DirectoryError(f"{where}: {post}: {name!r} is not a known username")
        crews[post] = [str(name) for name in names]
    period = timedelta(hours=hours)
    # With a time zone, shifts change at the same local time every day across DST; without, every `hours` exactly.
    local_start = start.astimezone(zone).replace(tzinfo=None) if zone else None

    def boundary(k: int) -> datetime:
        if zone is None:
            return (start + k * period).astimezone(timezone.utc)
        return (local_start + k * period).replace(tzinfo=zone).astimezone(timezone.utc)

    window_start, window_end = now - ROTATION_BEHIND, now + ROTATION_AHEAD
    k = max(0, math.floor((window_start - start) / period) - 2)
    shifts = []
    while (starts := boundary(k)) < window_end:
        ends = boundary(k + 1)
        if ends > window_start:
            shifts.append(_ShiftEntry(starts, ends, crews["duty_officers"][k % len(crews["duty_officers"])],
                                      crews["leaders"][k % len(crews["leaders"])]))
        k += 1
    return shifts


def _instant(entry: dict, key: str, where: str) -> datetime:
    value = entry.get(key)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise DirectoryError(f"{where}: {key} {value!r} is not an ISO 8601 time") from None
    if not isinstance(value, datetime):
        raise DirectoryError(f"{where}: {key} is required (ISO 8601 with an offset, e.g. 2026-01-01T08:00:00+08:00)")
    if value.tzinfo is None:
        raise DirectoryError(f"{where}: {key} {value.isoformat()} has no UTC offset (add e.g. +08:00)")
    return value.astimezone(timezone.utc)


def _text(entry: dict, key: str, where: str) -> str:
    value = entry.get(key)
    if value is None or not str(value).strip():
        raise DirectoryError(f"{where}: {key} is required")
    return str(value).strip()


def _choice(entry: dict, key: str, allowed: tuple[str, ...], where: str) -> str:
    value = entry.get(key)
    if value not in allowed:
        raise DirectoryError(f"{where}: {key} {value!r} is not one of {' | '.join(allowed)}")
    return value

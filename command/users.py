"""People who log in: roles, argon2id passwords, lockout, personal API tokens, and the audit trail.

Every security-relevant act (login, failed login, lockout, role change, token issued or used by a
script, disable, password reset) is written to the duty log as kind ``audit``, so it is
hash-chained with everything else and visible to administrators.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from command import dutylog
from command.errors import Invalid
from command.i18n import message
from command.models import Department, Membership, Person, utcnow

ROLES = ("administrator", "operator", "shift_leader", "liaison", "leader", "feed")
MIN_PASSWORD = 12
MAX_FAILURES = 5  # then locked for LOCKOUT
LOCKOUT = timedelta(minutes=15)
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
_hasher = PasswordHasher()  # argon2id with the library's current defaults
_DUMMY_HASH = _hasher.hash("not a password of anyone")  # equal work for unknown names


class UserError(Invalid):
    """A user command or form field is wrong; ``field`` names it and ``code`` says how."""

    def __init__(self, field: str, code: str, **values):
        super().__init__(code, field, **values)


class LoginRefused(Exception):
    """Wrong name or password, a disabled account, or a lockout (the page says no more than that)."""

    def __init__(self, code: str, locked_until: datetime | None = None):
        super().__init__(code)
        self.code, self.locked_until = code, locked_until


@dataclass(frozen=True)
class Principal:
    """Who is acting, as the web layer needs it: name, role and departments."""

    id: int
    username: str
    display_name: str
    role: str
    departments: tuple[str, ...]
    language: str
    page_language: str | None = None  # chosen on a page; None = follow the browser


def principal(session: Session, person: Person) -> Principal:
    departments = tuple(sorted(set(session.scalars(
        select(Membership.department_code).where(Membership.person_id == person.id)))))
    return Principal(person.id, person.username, person.display_name, person.role, departments, person.language,
                     person.page_language)


def choose_page_language(session: Session, person_id: int, language: str) -> None:
    """Remember the language a person chose on a page, for every browser they log in from."""
    session.get(Person, person_id).page_language = language


def new_password() -> str:
    """A random password for a new or reset account, given to its owner once."""
    return secrets.token_urlsafe(12)


def create(session: Session, username: str, role: str, *, departments: list[str] = (), display_name: str | None = None,
           password: str | None = None, actor: str = "cli", at: datetime | None = None) -> tuple[Person, str | None]:
    """Create a user; return it and the initial password (generated unless given; None for a feed)."""
    at = at or utcnow()
    username = _username(username)
    if role not in ROLES:
        raise UserError("role", "bad_role", choices=", ".join(ROLES))
    if session.scalar(select(Person.id).where(Person.username == username)):
        raise UserError("username", "username_taken", username=username)
    _check_departments(session, departments)
    if role == "liaison" and not departments:
        raise UserError("department", "department_required")
    password = None if role == "feed" else (password or new_password())
    person = Person(username=username, display_name=display_name or username, role=role,
                    password_hash=_hash_password(password) if password else None, created_at=at)
    session.add(person)
    session.flush()
    for code in departments:
        session.add(Membership(person_id=person.id, department_code=code, post="liaison"))
    _audit(session, actor, at, message("audit.user_created_for" if departments else "audit.user_created",
                                       user=username, role=role, departments=", ".join(departments)),
           {"user": username, "role": role})
    return person, password


def set_role(session: Session, username: str, role: str, *, actor: str, at: datetime | None = None) -> Person:
    at = at or utcnow()
    if role not in ROLES:
        raise UserError("role", "bad_role", choices=", ".join(ROLES))
    person = _get(session, username)
    before, person.role = person.role, role
    _audit(session, actor, at, message("audit.role_changed", user=username, before=before, after=role),
           {"user": username, "role": role})
    return person


def disable(session: Session, username: str, *, actor: str, at: datetime | None = None) -> Person:
    """Disable an account: no login, no token, no notifications; sessions end at their next request."""
    at = at or utcnow()
    person = _get(session, username)
    person.active, person.token_hash = False, None
    _audit(session, actor, at, message("audit.user_disabled", user=username), {"user": username})
    return person


def reset_password(session: Session, username: str, *, actor: str, password: str | None = None,
                   at: datetime | None = None) -> str:
    """Set a new password (generated unless given), lift a lockout, and return it."""
    at = at or utcnow()
    person = _get(session, username)
    password = password or new_password()
    person.password_hash, person.failed_logins, person.locked_until = _hash_password(password), 0, None
    end_sessions(person)  # whoever knew the old password is logged out too
    _audit(session, actor, at, message("audit.password_reset", user=username), {"user": username})
    return password


def end_sessions(person: Person) -> None:
    """End every session of ``person`` (logout, password reset): their next request asks to log in."""
    person.session_epoch = (person.session_epoch or 0) + 1


def issue_token(session: Session, username: str, *, actor: str, at: datetime | None = None) -> str:
    """Create or rotate the user's personal API bearer token; the old one stops working at once."""
    at = at or utcnow()
    person = _get(session, username)
    if not person.active:
        raise UserError("username", "user_disabled", username=username)
    token = "vgu_" + secrets.token_urlsafe(32)
    person.token_hash = _token_hash(token)
    _audit(session, actor, at, message("audit.token_issued", user=username), {"user": username})
    return token


def authenticate(session: Session, username: str, password: str, *, at: datetime | None = None,
                 remote: str | None = None) -> Person:
    """Check a login; count failures, lock after MAX_FAILURES, and audit either way."""
    at = at or utcnow()
    person = session.scalar(select(Person).where(Person.username == (username or "").strip().lower()))
    if person is None or not person.password_hash:
        _verify(_DUMMY_HASH, password or "")  # the same work as a real check: no timing hint
        _audit(session, "login", at, message("audit.login_unknown_user", user=username[:64], remote=remote or ""),
               {"user": username[:64], "remote": remote, "outcome": "unknown_user"})
        raise LoginRefused("bad_credentials")
    if person.locked_until and person.locked_until > at:
        _audit(session, person.username, at, message("audit.login_locked_out", user=person.username,
                                                     remote=remote or ""),
               {"user": person.username, "remote": remote, "outcome": "locked"})
        raise LoginRefused("locked", person.locked_until)
    if not _verify(person.password_hash, password or ""):
        person.failed_logins = (person.failed_logins or 0) + 1
        locked = person.failed_logins >= MAX_FAILURES
        if locked:
            person.locked_until, person.failed_logins = at + LOCKOUT, 0
        _audit(session, person.username, at,
               message("audit.login_failed_locked", user=person.username, remote=remote or "",
                       until=person.locked_until.isoformat()) if locked
               else message("audit.login_failed", user=person.username, remote=remote or ""),
               {"user": person.username, "remote": remote, "outcome": "locked_now" if locked else "bad_password"})
        raise LoginRefused("locked" if locked else "bad_credentials", person.locked_until if locked else None)
    if not person.active:
        _audit(session, person.username, at, message("audit.login_disabled", user=person.username),
               {"user": person.username, "remote": remote, "outcome": "disabled"})
        raise LoginRefused("bad_credentials")
    person.failed_logins, person.locked_until, person.last_login_at = 0, None, at
    if _hasher.check_needs_rehash(person.password_hash):
        person.password_hash = _hash_password(password)
    _audit(session, person.username, at, message("audit.logged_in", user=person.username, remote=remote or ""),
           {"user": person.username, "remote": remote, "outcome": "ok"})
    return person


def person_for_token(session: Session, token: str) -> Person | None:
    """The active person whose personal token this is."""
    if not token or not token.startswith("vgu_"):
        return None
    return session.scalar(select(Person).where(Person.token_hash == _token_hash(token), Person.active.is_(True)))


def audit(session: Session, actor: str, said: dict, data: dict | None = None, at: datetime | None = None) -> None:
    """Write one audit entry (an export, a token used from a script, a refused request …); ``said`` is a message."""
    _audit(session, actor, at or utcnow(), said, data)


def _audit(session: Session, actor: str, at: datetime, said: dict, data: dict | None) -> None:
    dutylog.append(session, kind="audit", message=said, author=actor, occurred_at=at, at=at, data=data)


def _get(session: Session, username: str) -> Person:
    person = session.scalar(select(Person).where(Person.username == (username or "").strip().lower()))
    if person is None:
        raise UserError("username", "no_user", username=str(username)[:64])
    return person


def _username(username: str) -> str:
    name = (username or "").strip().lower()
    if not 2 <= len(name) <= 64 or not set(name) <= USERNAME_CHARS:
        raise UserError("username", "bad_username")
    return name


def _check_departments(session: Session, departments) -> None:
    known = set(session.scalars(select(Department.code)))
    unknown = sorted(set(departments) - known)
    if unknown:
        raise UserError("department", "unknown_department", departments=", ".join(unknown))


def _hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError("password", "password_short", count=MIN_PASSWORD)
    return _hasher.hash(password)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def set_departments(session: Session, username: str, departments: list[str], *, actor: str,
                    at: datetime | None = None) -> Person:
    """Replace a liaison's departments (their scope)."""
    at = at or utcnow()
    person = _get(session, username)
    _check_departments(session, departments)
    session.execute(delete(Membership).where(Membership.person_id == person.id, Membership.post == "liaison"))
    for code in departments:
        session.add(Membership(person_id=person.id, department_code=code, post="liaison"))
    _audit(session, actor, at, message("audit.departments_set", user=username, departments=", ".join(departments))
           if departments else message("audit.departments_cleared", user=username),
           {"user": username, "departments": list(departments)})
    return person

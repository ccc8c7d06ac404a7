"""The administrator's page: people, roles, departments, passwords, tokens, and the audit trail.

Plain HTML forms (each with the session's CSRF token); a new password or token is shown once,
on the page that answers the form, and never stored in clear.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, request
from flask_babel import get_translations, gettext as _
from sqlalchemy import select

from command import users
from command.dutylog import entry_text
from command.errors import DomainError
from command.i18n import render
from command.models import Department, DutyLogEntry, Membership, Person
from web.auth import current_user, role_names
from web.context import runtime

bp = Blueprint("admin", __name__, url_prefix="/admin")
AUDIT_SHOWN = 200


@bp.get("")
def index():
    return _page()


@bp.post("/users")
def create_user():
    form = request.form
    return _act(lambda db: _("User %(name)s created. Initial password (shown once): %(password)s",
                             name=form.get("username", ""), password=users.create(
                                 db, form.get("username", ""), form.get("role", ""),
                                 departments=form.getlist("departments"),
                                 display_name=form.get("display_name") or None, actor=current_user().username)[1]
                             or _("none (a feed logs in with a token)")))


@bp.post("/users/<username>/role")
def set_role(username: str):
    return _act(lambda db: users.set_role(db, username, request.form.get("role", ""), actor=current_user().username)
                and _("Role of %(name)s changed.", name=username))


@bp.post("/users/<username>/departments")
def set_departments(username: str):
    return _act(lambda db: users.set_departments(db, username, request.form.getlist("departments"),
                                                 actor=current_user().username)
                and _("Departments of %(name)s changed.", name=username))


@bp.post("/users/<username>/disable")
def disable(username: str):
    return _act(lambda db: users.disable(db, username, actor=current_user().username)
                and _("%(name)s is disabled.", name=username))


@bp.post("/users/<username>/password")
def reset_password(username: str):
    return _act(lambda db: _("New password for %(name)s (shown once): %(password)s", name=username,
                             password=users.reset_password(db, username, actor=current_user().username)))


@bp.post("/users/<username>/token")
def token(username: str):
    return _act(lambda db: _("API token for %(name)s (shown once): %(token)s", name=username,
                             token=users.issue_token(db, username, actor=current_user().username)))


def _act(change):
    try:
        with runtime().unit_of_work() as db:
            notice = change(db)
    except DomainError as exc:  # the form's page again, saying what was wrong in the reader's language
        return _page(error=render(exc.stored(), translations=get_translations())), 422
    return _page(notice=notice)


def _page(notice: str | None = None, error: str | None = None):
    settings = runtime().settings
    with runtime().sessions() as db:
        people = db.scalars(select(Person).order_by(Person.username)).all()
        posts: dict[int, list[str]] = {}
        for membership in db.scalars(select(Membership)):
            posts.setdefault(membership.person_id, []).append(f"{membership.department_code} ({membership.post})")
        departments = db.scalars(select(Department).order_by(Department.code)).all()
        audit = db.scalars(select(DutyLogEntry).where(DutyLogEntry.kind == "audit")
                           .order_by(DutyLogEntry.id.desc()).limit(AUDIT_SHOWN)).all()
        zone = ZoneInfo(settings["TIME_ZONE"])
        audit = [(e.occurred_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"), e.author, entry_text(e, translations=get_translations()))
                 for e in audit]
        return render_template("admin/index.html", people=people, posts=posts, departments=departments,
                               audit=audit, roles=users.ROLES, role_names=role_names(), notice=notice, error=error,
                               time_zone=settings["TIME_ZONE"])

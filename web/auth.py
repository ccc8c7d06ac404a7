"""Who is asking, and may they: sessions for people, bearer tokens for scripts, CSRF, timeouts.

Every request passes ``before_request``: public endpoints (health, login, static files, the
provider webhooks that carry their own signature or token, feed ingest with its feed token)
go through; everything else needs a logged-in session or a personal bearer token, and the
person's role must be allowed the endpoint in ``web.access.ACCESS``. State-changing requests
from a session must carry the session's CSRF token (header X-CSRF-Token or form field
csrf_token); bearer-token requests carry no cookie, so they cannot be forged cross-site.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit
import secrets
import time
from collections import defaultdict, deque
from datetime import timedelta

from flask import (Blueprint, Flask, g, redirect, render_template, request, session, url_for)
from flask_babel import get_locale, gettext as _

from command import users
from command.i18n import message
from command.models import Person
from web.access import PUBLIC, allowed
from web.context import runtime
from web.errors import json_error

bp = Blueprint("auth", __name__)

IDLE_TIMEOUT = timedelta(hours=1)  # a console left alone this long asks for the password again
ABSOLUTE_TIMEOUT = timedelta(hours=14)  # longer than a 12-hour shift and its handover
LOGIN_WINDOW_SECONDS, LOGIN_ATTEMPTS_PER_WINDOW = 300, 20  # per address, on top of the per-account lockout
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
TOKEN_AUDIT_SECONDS = 3600
_attempts: dict[str, deque] = defaultdict(deque)
_token_audited: dict[int, float] = {}


def current_user() -> users.Principal | None:
    """The person acting in this request (None on public endpoints)."""
    return g.get("user")


def audit_export(what: str) -> None:
    """Record that the current person exported something (a security-relevant act)."""
    user = current_user()
    with runtime().unit_of_work() as db:
        users.audit(db, user.username if user else "?", message("audit.exported", user=user.username if user else "?",
                                                                what=what),
                    {"export": what, "remote": request.remote_addr})


def role_names() -> dict[str, str]:
    """Each role's name as the page's reader says it."""
    return {"administrator": _("Administrator"), "operator": _("Duty officer"), "shift_leader": _("Shift leader"),
            "liaison": _("Department liaison"), "leader": _("Leader"), "feed": _("Feed (token only)")}


def csrf_token() -> str:
    """The session's CSRF token, created on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def load_user(token: str | None = None) -> users.Principal | None:
    """The person behind this request: a personal bearer token (header, or ``token``), else the session."""
    header = request.headers.get("Authorization", "")
    token = token or (header.removeprefix("Bearer ").strip() if header.startswith("Bearer vgu_") else None)
    if token:
        g.via_token = True
        with runtime().unit_of_work() as db:
            person = users.person_for_token(db, token)
            if person is None:
                return None
            if time.monotonic() - _token_audited.get(person.id, -TOKEN_AUDIT_SECONDS) >= TOKEN_AUDIT_SECONDS:
                _token_audited[person.id] = time.monotonic()  # once an hour per script, not once per request
                users.audit(db, person.username, message("audit.token_used", user=person.username,
                                                         remote=request.remote_addr or ""),
                            {"user": person.username, "remote": request.remote_addr})
            return users.principal(db, person)
    if "uid" not in session:
        return None
    now = time.time()
    if now - session.get("seen", 0) > IDLE_TIMEOUT.total_seconds() or \
            now - session.get("since", 0) > ABSOLUTE_TIMEOUT.total_seconds():
        session.clear()
        return None
    with runtime().sessions() as db:
        person = db.get(Person, session["uid"])
        if person is None or not person.active or person.session_epoch != session.get("epoch", 0):
            session.clear()  # disabled, logged out elsewhere, or the password was reset: the session ends now
            return None
        session["seen"] = now
        return users.principal(db, person)


def check_request():
    """The gate every request passes."""
    endpoint = request.endpoint or ""
    if endpoint in PUBLIC or endpoint.split(".")[0] in PUBLIC:
        return None
    g.user = load_user()
    if g.user is None:
        if _wants_html():
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return json_error(401, "log in or send a personal bearer token", code="login_required")
    if request.method not in SAFE_METHODS and not g.get("via_token"):
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
        if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
            return json_error(403, "missing or wrong CSRF token; reload the page", code="csrf")
    if not allowed(g.user.role, endpoint, request.method):
        if _wants_html():  # a person who typed the address: a page that says so, in their language
            return render_template("auth/forbidden.html", role_name=role_names()[g.user.role],
                                   home=_home(g.user.role)), 403
        return json_error(403, f"a {g.user.role} may not do this", code="forbidden")
    body = request.get_json(silent=True) if request.method not in SAFE_METHODS and request.is_json else None
    if isinstance(body, dict):
        body["actor"] = g.user.username  # who acts is who logged in, whatever the client wrote
    return None


def _wants_html() -> bool:
    return request.method == "GET" and not request.path.startswith("/api/") and \
        request.accept_mimetypes.accept_html


def _throttled(remote: str) -> bool:
    window = _attempts[remote]
    now = time.monotonic()
    while window and now - window[0] > LOGIN_WINDOW_SECONDS:
        window.popleft()
    window.append(now)
    return len(window) > LOGIN_ATTEMPTS_PER_WINDOW


@bp.get("/login")
def login():
    return render_template("auth/login.html", error=None, next=_safe_next(request.args.get("next")))


@bp.post("/login")
def login_post():
    remote = request.remote_addr or "?"
    next_url = _safe_next(request.form.get("next"))
    sent = request.form.get("csrf_token", "")
    if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):  # no logging a victim in as someone else
        return render_template("auth/login.html", error=_("The form expired. Please try again."), next=next_url), 400
    if _throttled(remote):
        return render_template("auth/login.html", error=_("Too many attempts from this address. Wait a few "
                                                           "minutes."), next=next_url), 429
    refused = None
    with runtime().unit_of_work() as db:  # a refusal commits too: the failure count and its audit entry stay
        try:
            person = users.authenticate(db, request.form.get("username", ""), request.form.get("password", ""),
                                        remote=remote)
            uid, epoch = person.id, person.session_epoch
        except users.LoginRefused as exc:
            refused = exc
    if refused is not None:
        error = _("This account is locked for a while after too many failed attempts.") \
            if refused.code == "locked" else _("Wrong name or password.")
        return render_template("auth/login.html", error=error, next=next_url), 401
    session.clear()  # a new session id: no fixation
    now = time.time()
    session.update(uid=uid, epoch=epoch, since=now, seen=now, csrf=secrets.token_urlsafe(32))
    session.permanent = True
    return redirect(next_url or url_for(_home(person_role(uid))))


def person_role(uid: int) -> str:
    with runtime().sessions() as db:
        return db.get(Person, uid).role


def _home(role: str) -> str:
    """Where a person lands after logging in: a liaison on their queue, the others on the console."""
    return "queue_page.index" if role == "liaison" else "console.index"


@bp.post("/logout")
def logout():
    """End this person's sessions everywhere: a copied cookie must not outlive the logout."""
    with runtime().unit_of_work() as db:
        person = db.get(Person, current_user().id)
        users.end_sessions(person)
        users.audit(db, person.username, message("audit.logged_out", user=person.username), {"user": person.username})
    session.clear()
    return redirect(url_for("auth.login"))


@bp.get("/api/v1/me")
def me():
    user = current_user()
    return {"username": user.username, "display_name": user.display_name, "role": user.role,
            "departments": list(user.departments), "csrf_token": csrf_token()}


def _safe_next(target: str | None) -> str | None:
    # only a plain path on this site: never an open redirect (browsers drop tabs and newlines, so refuse them)
    if not target or not target.startswith("/") or any(c.isspace() or ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//") or "\\" in target:
        return None
    return target


def init_app(app: Flask) -> None:
    """Install the gate, the session cookie settings and the csrf_token template helper."""
    secure = app.extensions["vigil"].settings["PUBLIC_URL"].startswith("https://")
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure,
                      SESSION_COOKIE_NAME="vigil_session", PERMANENT_SESSION_LIFETIME=ABSOLUTE_TIMEOUT)
    app.before_request(check_request)
    app.jinja_env.globals.update(csrf_token=csrf_token, current_user=current_user, get_locale=get_locale)
    app.register_blueprint(bp)

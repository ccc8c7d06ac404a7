"""Logging in and out as a person would: the real form, lockout, CSRF, bearer tokens, timeouts, safe redirects."""

from __future__ import annotations

import html as markup
import itertools
import re
import time
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from command import users
from command.directory import sync_departments
from command.models import DutyLogEntry, Incident, utcnow
from tests.conftest import PASSWORD, make_user

_addresses = itertools.count(1)
TOKEN = "vgu_test-script-token"


@pytest.fixture
def browser(app):
    """A client nobody logged in to, from an address of its own (the login throttle counts per address)."""
    client = app.test_client()
    n = next(_addresses)
    client.environ_base["REMOTE_ADDR"] = f"127.0.{n // 250}.{n % 250 + 1}"
    return client


@pytest.fixture
def people(runtime):
    """An operator with a script token, and a water liaison."""
    with runtime.unit_of_work() as session:
        sync_departments(session)
    make_user(runtime, "chen", "operator", token=TOKEN)
    make_user(runtime, "liu", "liaison", departments=["water"])


@pytest.fixture
def incident(runtime) -> int:
    now = utcnow()
    with runtime.unit_of_work() as session:
        row = Incident(source="cad", external_id="i-1", headline="内涝 Waterlogging", received_at=now, updated_at=now)
        session.add(row)
        session.flush()
        return row.id


def _hidden(html: str, name: str) -> str | None:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    return markup.unescape(found.group(1)) if found else None


def _log_in(client, username: str, password: str = PASSWORD, query: str = "", **extra):
    """Fill in and send the login form as a browser would: GET the page, POST it with its hidden fields."""
    page = client.get(f"/login{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    form = {"username": username, "password": password, "csrf_token": _hidden(html, "csrf_token")}
    if _hidden(html, "next") is not None:
        form["next"] = _hidden(html, "next")
    form.update(extra)
    return client.post("/login", data={k: v for k, v in form.items() if v is not None})


def _path(response) -> str:
    location = urlparse(response.headers["Location"])
    assert location.netloc == "", f"redirected off the site: {response.headers['Location']}"
    return location.path + (f"?{location.query}" if location.query else "")


def _me(client):
    return client.get("/api/v1/me")


def test_logging_in_through_the_form_lands_on_the_console(browser, people):
    answer = _log_in(browser, "chen")
    assert answer.status_code == 302 and _path(answer) == "/"
    me = _me(browser).get_json()
    assert (me["username"], me["role"], me["departments"]) == ("chen", "operator", [])
    assert browser.get("/").status_code == 200


def test_a_liaison_lands_on_the_queue_of_their_departments(browser, people):
    answer = _log_in(browser, "liu")
    assert answer.status_code == 302 and _path(answer) == "/queue"
    me = _me(browser).get_json()
    assert (me["username"], me["display_name"], me["role"], me["departments"]) == ("liu", "liu", "liaison", ["water"])
    assert isinstance(me["csrf_token"], str) and len(me["csrf_token"]) >= 20


@pytest.mark.parametrize("username, password", [("chen", "wrong password"), ("nobody", PASSWORD)])
def test_a_wrong_name_or_password_is_refused_with_a_message_and_no_session(browser, people, username, password):
    answer = _log_in(browser, username, password)
    assert answer.status_code == 401
    assert "Wrong name or password." in answer.get_data(as_text=True)  # the same words: no guessing who exists
    assert _me(browser).status_code == 401


def test_five_failures_lock_the_account_even_against_the_right_password(browser, people):
    for attempt in range(1, 6):
        answer = _log_in(browser, "chen", "guess %d" % attempt)
        assert answer.status_code == 401
    assert "locked" in answer.get_data(as_text=True)
    sixth = _log_in(browser, "chen", PASSWORD)
    assert sixth.status_code == 401 and "locked" in sixth.get_data(as_text=True)
    assert _me(browser).status_code == 401


def test_failed_and_good_logins_are_in_the_audit_trail(browser, client, people):
    assert _log_in(browser, "chen", "wrong password").status_code == 401
    assert _log_in(browser, "chen").status_code == 302
    audit = client.get("/api/v1/dutylog?kind=audit&author=chen").get_json()["entries"]
    outcomes = [entry["data"]["outcome"] for entry in reversed(audit)]
    assert outcomes == ["bad_password", "ok"]
    assert all(entry["data"]["remote"] == browser.environ_base["REMOTE_ADDR"] for entry in audit)


def test_four_failures_then_the_right_password_still_logs_in(browser, people):
    for attempt in range(4):
        assert _log_in(browser, "chen", "guess %d" % attempt).status_code == 401
    assert _log_in(browser, "chen").status_code == 302
    assert _me(browser).get_json()["username"] == "chen"


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_a_login_without_the_forms_csrf_token_is_refused(browser, people, token):
    answer = _log_in(browser, "chen", csrf_token=token)
    assert answer.status_code == 400 and "The form expired" in answer.get_data(as_text=True)
    assert _me(browser).status_code == 401


def test_without_a_login_the_api_says_401_and_a_page_sends_you_to_log_in(anonymous):
    api = anonymous.get("/api/v1/incidents")
    assert api.status_code == 401 and api.is_json and api.get_json()["code"] == "login_required"
    page = anonymous.get("/dutylog?lang=zh", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 302
    location = urlparse(page.headers["Location"])
    assert location.path == "/login" and parse_qs(location.query)["next"] == ["/dutylog?lang=zh"]


def test_after_logging_in_you_come_back_to_the_page_you_asked_for(browser, people):
    sent_away = browser.get("/dutylog?kind=note", headers={"Accept": "text/html"})
    answer = _log_in(browser, "chen", query="?" + urlparse(sent_away.headers["Location"]).query)
    assert answer.status_code == 302 and _path(answer) == "/dutylog?kind=note"
    assert browser.get("/dutylog?kind=note").status_code == 200


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "https://evil.example/login",
                                    "/\\evil.example", "javascript:alert(1)", "evil.example",
                                    "/\t/evil.example", "/\n/evil.example"])
def test_next_only_ever_leads_to_a_page_of_this_site(browser, people, target):
    link = browser.get("/login", query_string={"next": target}).get_data(as_text=True)
    assert _hidden(link, "next") is None, "the form does not carry the foreign target"
    answer = _log_in(browser, "chen", next=target)  # nor does a hand-made form reach it
    assert answer.status_code == 302 and _path(answer) == "/"


def _note(client, incident_id, **headers):
    return client.post(f"/api/v1/incidents/{incident_id}/notes", json={"text": "区水务局已回电"}, headers=headers)


def _timeline(client, incident_id) -> list[tuple[str, str]]:
    timeline = client.get(f"/api/v1/incidents/{incident_id}").get_json()["timeline"]
    return [(entry["kind"], entry["actor"]) for entry in timeline]


def test_a_session_write_needs_the_csrf_header(browser, people, incident):
    form_token = _hidden(browser.get("/login").get_data(as_text=True), "csrf_token")
    _log_in(browser, "chen")
    refused = _note(browser, incident)
    assert refused.status_code == 403 and refused.get_json()["code"] == "csrf"
    stale = _note(browser, incident, **{"X-CSRF-Token": form_token})  # the token from before the login is gone
    assert stale.status_code == 403 and stale.get_json()["code"] == "csrf"
    assert _timeline(browser, incident) == [], "nothing was written"
    accepted = _note(browser, incident, **{"X-CSRF-Token": _me(browser).get_json()["csrf_token"]})
    assert accepted.status_code == 201
    assert _timeline(browser, incident) == [("note", "chen")]


def test_a_bearer_token_needs_no_csrf_and_acts_as_its_owner(anonymous, people, incident):
    script = {"Authorization": f"Bearer {TOKEN}"}
    assert anonymous.post(f"/api/v1/incidents/{incident}/notes", json={"text": "脚本记录", "actor": "admin"},
                          headers=script).status_code == 201
    detail = anonymous.get(f"/api/v1/incidents/{incident}", headers=script).get_json()
    assert [(e["kind"], e["actor"], e["reason"]) for e in detail["timeline"]] == [("note", "chen", "脚本记录")]
    assert anonymous.get("/api/v1/me", headers={"Authorization": "Bearer vgu_not-a-token"}).status_code == 401
    assert anonymous.get("/api/v1/me").status_code == 401, "a token request leaves no session behind"


def test_logging_out_ends_the_session(browser, people):
    _log_in(browser, "liu")
    page = browser.get("/queue?lang=en").get_data(as_text=True)
    assert "Log out" in page
    answer = browser.post("/logout", data={"csrf_token": _hidden(page, "csrf_token")})
    assert answer.status_code == 302 and _path(answer) == "/login"
    assert _me(browser).status_code == 401
    assert browser.get("/queue", headers={"Accept": "text/html"}).status_code == 302


def test_a_copied_session_cookie_dies_with_the_logout(browser, app, people):
    _log_in(browser, "liu")
    page = browser.get("/queue?lang=en").get_data(as_text=True)
    thief = app.test_client()  # someone who copied the cookie off the shared duty-room PC
    thief.set_cookie("vigil_session", browser.get_cookie("vigil_session").value)
    assert _me(thief).status_code == 200
    browser.post("/logout", data={"csrf_token": _hidden(page, "csrf_token")})
    assert _me(thief).status_code == 401, "the old cookie no longer opens anything"
    _log_in(browser, "liu")
    assert _me(browser).status_code == 200, "logging in again works"


def test_a_password_reset_ends_the_sessions_that_knew_the_old_one(browser, people, runtime):
    _log_in(browser, "chen")
    with runtime.unit_of_work() as session:
        users.reset_password(session, "chen", actor="admin", password=PASSWORD + "!")
    assert _me(browser).status_code == 401


def test_a_disabled_persons_session_stops_at_its_next_request(browser, people, runtime):
    _log_in(browser, "chen")
    assert _me(browser).status_code == 200
    with runtime.unit_of_work() as session:
        users.disable(session, "chen", actor="admin")
    assert _me(browser).status_code == 401
    with browser.session_transaction() as state:
        assert "uid" not in state, "the session is cleared, not just refused once"
    assert _log_in(browser, "chen").status_code == 401, "and no new login"


def _age_session(client, **ago):
    now = time.time()
    with client.session_transaction() as state:
        for key, seconds in ago.items():
            state[key] = now - seconds


def test_a_console_left_alone_for_an_hour_asks_for_the_password_again(browser, people):
    _log_in(browser, "chen")
    _age_session(browser, seen=59 * 60)
    assert _me(browser).status_code == 200, "59 minutes idle is still within the hour"
    assert _me(browser).status_code == 200, "and that request counted as activity"
    _age_session(browser, seen=61 * 60)
    assert _me(browser).status_code == 401
    assert browser.get("/", headers={"Accept": "text/html"}).status_code == 302


def test_a_session_ends_after_fourteen_hours_even_when_busy(browser, people):
    _log_in(browser, "chen")
    _age_session(browser, since=13 * 3600, seen=60)
    assert _me(browser).status_code == 200
    _age_session(browser, since=14 * 3600 + 60, seen=60)
    assert _me(browser).status_code == 401



@pytest.mark.parametrize("trusted, expected", [(0, "127.0.0.1"), (1, "10.20.30.40")])
def test_behind_nginx_the_audit_names_the_client_not_the_proxy(sqlite_url, trusted, expected):
    from command.migrate import upgrade
    from command.runtime import build_runtime
    from web import create_app

    runtime = build_runtime({"DATABASE_URL": sqlite_url, "SECRET_KEY": "test", "TRUSTED_PROXIES": trusted})
    upgrade(runtime.engine)
    make_user(runtime, "chen", "operator")
    browser = create_app(runtime=runtime).test_client()
    browser.environ_base.update(REMOTE_ADDR="127.0.0.1",  # nginx on the same host
                                HTTP_X_FORWARDED_FOR="10.20.30.40")  # the duty-room PC, as nginx says
    assert _log_in(browser, "chen", "wrong password").status_code == 401
    with runtime.sessions() as session:
        [entry] = session.scalars(select(DutyLogEntry).where(DutyLogEntry.kind == "audit")).all()
    assert entry.data["remote"] == expected  # with no proxy trusted, a client cannot forge its address
    runtime.engine.dispose()

"""Users: argon2 passwords, lockout, personal tokens, and an audit entry for each."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from command import users
from command.directory import sync_departments
from command.dutylog import entry_text
from command.models import DutyLogEntry, Person, utcnow
from tests.conftest import ROOT

NOW = utcnow()


@pytest.fixture
def departments(runtime):
    with runtime.unit_of_work() as session:
        sync_departments(session)
    return runtime


def _audits(runtime, language: str = "en") -> list[str]:
    """The audit trail as a reader of ``language`` sees it."""
    with runtime.sessions() as session:
        return [entry_text(entry, language) for entry in session.scalars(
            select(DutyLogEntry).where(DutyLogEntry.kind == "audit").order_by(DutyLogEntry.id))]


def test_a_created_user_logs_in_with_the_printed_password_and_it_is_audited(departments):
    runtime = departments
    with runtime.unit_of_work() as session:
        person, password = users.create(session, "Liu.Yang", "liaison", departments=["water"], at=NOW)
    with runtime.unit_of_work() as session:
        who = users.principal(session, users.authenticate(session, "liu.yang", password, at=NOW, remote="10.0.0.5"))
    assert (who.username, who.role, who.departments) == ("liu.yang", "liaison", ("water",))
    with runtime.sessions() as session:
        stored = session.scalar(select(Person.password_hash).where(Person.username == "liu.yang"))
    assert stored.startswith("$argon2id$") and password not in stored
    assert _audits(runtime) == ["user liu.yang created with role liaison for water", "liu.yang logged in from 10.0.0.5"]


def test_bad_user_fields_are_refused_with_a_code(departments):
    cases = [("x", "operator", [], "bad_username"), ("has space", "operator", [], "bad_username"),
             ("ok.name", "king", [], "bad_role"), ("ok.name", "liaison", [], "department_required"),
             ("ok.name", "liaison", ["atlantis"], "unknown_department")]
    for name, role, codes, expected in cases:
        with departments.unit_of_work() as session, pytest.raises(users.UserError) as refused:
            users.create(session, name, role, departments=codes)
        assert refused.value.code == expected
    with departments.unit_of_work() as session, pytest.raises(users.UserError) as short:
        users.create(session, "short.pw", "operator", password="short")
    assert short.value.code == "password_short"


def test_five_failures_lock_the_account_for_fifteen_minutes(departments):
    runtime = departments
    with runtime.unit_of_work() as session:
        _, password = users.create(session, "chen", "operator", at=NOW)
    for attempt in range(5):
        with runtime.unit_of_work() as session, pytest.raises(users.LoginRefused) as refused:
            users.authenticate(session, "chen", "wrong password!", at=NOW + timedelta(seconds=attempt))
    assert refused.value.code == "locked"
    with runtime.unit_of_work() as session, pytest.raises(users.LoginRefused) as still:
        users.authenticate(session, "chen", password, at=NOW + timedelta(minutes=14))
    assert still.value.code == "locked"  # even the right password, while locked
    with runtime.unit_of_work() as session:
        users.authenticate(session, "chen", password, at=NOW + timedelta(minutes=16))
    assert sum("failed login for chen" in line for line in _audits(runtime)) == 5
    assert any("locked until" in line for line in _audits(runtime))


def test_unknown_and_disabled_users_get_the_same_refusal(departments):
    runtime = departments
    with runtime.unit_of_work() as session:
        _, password = users.create(session, "gone", "operator", at=NOW)
        users.disable(session, "gone", actor="admin", at=NOW)
    for name, secret in (("gone", password), ("nobody", "whatever at all")):
        with runtime.unit_of_work() as session, pytest.raises(users.LoginRefused) as refused:
            users.authenticate(session, name, secret, at=NOW)
        assert refused.value.code == "bad_credentials"


def test_a_rotated_token_replaces_the_old_one_and_disabling_revokes_it(departments):
    runtime = departments
    with runtime.unit_of_work() as session:
        users.create(session, "script", "operator", at=NOW)
        first = users.issue_token(session, "script", actor="admin")
        second = users.issue_token(session, "script", actor="admin")
    with runtime.sessions() as session:
        assert users.person_for_token(session, first) is None
        assert users.person_for_token(session, second).username == "script"
    with runtime.unit_of_work() as session:
        users.disable(session, "script", actor="admin")
    with runtime.sessions() as session:
        assert users.person_for_token(session, second) is None


def test_the_cli_prints_the_password_once_and_the_token_alone(departments, sqlite_url):
    env = {"VIGIL_DATABASE_URL": sqlite_url, "PATH": "/usr/bin:/bin"}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "command", "users", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
    created = run("create", "wang.fang", "--role", "liaison", "--department", "fire")
    assert created.returncode == 0 and "initial password: " in created.stdout
    password = created.stdout.split("initial password: ")[1].strip()
    with departments.unit_of_work() as session:
        assert users.authenticate(session, "wang.fang", password).role == "liaison"
    token = run("token", "wang.fang")
    assert token.returncode == 0 and token.stdout.startswith("vgu_") and len(token.stdout.split()) == 1
    refused = run("create", "wang.fang", "--role", "operator")
    assert refused.returncode == 2 and "That name is taken" in refused.stderr

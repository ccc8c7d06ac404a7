"""The duty log: a hash chain that verifies, breaks where a row was tampered with, and stays append-only."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from command import dutylog
from command.migrate import upgrade
from command.models import DutyLogEntry, Shift
from command.runtime import build_runtime
from tests.conftest import ROOT

T0 = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)


def _fill(runtime, count: int) -> None:
    with runtime.unit_of_work() as session:
        for n in range(count):
            dutylog.append(session, kind="note", summary=f"第 {n + 1} 条 note {n + 1}", author="zhao.min",
                           at=T0 + timedelta(minutes=n), data={"n": n + 1, "when": T0})


def _verify(runtime) -> dutylog.VerifyResult:
    with runtime.sessions() as session:
        return dutylog.verify(session)


def _tamper(runtime, statement: str) -> None:
    """Run SQL on duty_log behind the application's back, with the append-only guard removed first."""
    if runtime.engine.dialect.name == "sqlite":
        connection = sqlite3.connect(make_url(str(runtime.engine.url)).database)
        with connection:
            connection.execute("DROP TRIGGER duty_log_no_update")
            connection.execute("DROP TRIGGER duty_log_no_delete")
            connection.execute(statement)
        connection.close()
    else:
        with runtime.engine.begin() as connection:
            connection.execute(text("ALTER TABLE duty_log DISABLE TRIGGER duty_log_no_update_delete"))
            connection.execute(text(statement))


def test_entries_chain_to_each_other_and_verify(any_runtime):
    with any_runtime.unit_of_work() as session:
        session.add(Shift(starts_at=T0 - timedelta(hours=1), ends_at=T0 + timedelta(hours=23)))
    _fill(any_runtime, 3)
    with any_runtime.sessions() as session:
        entries = session.scalars(select(DutyLogEntry).order_by(DutyLogEntry.id)).all()
    assert [e.id for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == "0" * 64
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert entries[0].shift_id is not None and entries[0].occurred_at == T0 and entries[0].written_at == T0
    assert entries[1].data == {"n": 2, "when": "2026-11-24T03:00:00.000000Z"}
    assert _verify(any_runtime) == dutylog.VerifyResult(True, 3, last_hash=entries[-1].hash)


def test_an_entry_records_when_it_happened_apart_from_when_it_was_written(runtime):
    with runtime.unit_of_work() as session:
        early = Shift(starts_at=T0 - timedelta(hours=12), ends_at=T0)
        late = Shift(starts_at=T0, ends_at=T0 + timedelta(hours=12))
        session.add_all([early, late])
        session.flush()
        entry = dutylog.append(session, kind="phone_call", summary="来电 / call from the water bureau",
                               author="zhao.min", occurred_at=T0 - timedelta(minutes=5), at=T0 + timedelta(minutes=2))
        assert entry.shift_id == early.id != late.id  # the shift on duty when the call came in
        assert entry.written_at - entry.occurred_at == timedelta(minutes=7)


def test_an_unknown_kind_or_a_naive_time_is_refused(runtime):
    with runtime.unit_of_work() as session:
        with pytest.raises(ValueError, match="unknown duty log kind 'gossip'"):
            dutylog.append(session, kind="gossip", summary="x", author="a")
        with pytest.raises(ValueError, match="aware"):
            dutylog.append(session, kind="note", summary="x", author="a", at=datetime(2026, 1, 1))
    assert set(dutylog.KINDS) >= {"incident_opened", "escalation_step", "sms_failed", "handover", "correction",
                                  "significant_flag", "audit", "feed_silent"}


def test_a_summary_edited_behind_the_applications_back_breaks_the_chain_at_that_entry(any_runtime):
    _fill(any_runtime, 5)
    _tamper(any_runtime, "UPDATE duty_log SET summary = 'nothing happened' WHERE id = 3")
    result = _verify(any_runtime)
    assert (result.ok, result.first_broken_id, result.checked) == (False, 3, 2)
    assert result.reason == "its content does not match its hash"


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(runtime):
    _fill(runtime, 4)
    with runtime.sessions() as session:
        row = session.get(DutyLogEntry, 2)
        fields = {name: getattr(row, name) for name in dutylog.HASHED_FIELDS} | {"summary": "rewritten"}
    _tamper(runtime, f"UPDATE duty_log SET summary = 'rewritten', hash = '{dutylog.entry_hash(fields)}' WHERE id = 2")
    result = _verify(runtime)
    assert (result.ok, result.first_broken_id) == (False, 3)
    assert result.reason == "its previous hash does not match entry 2"


def test_a_deleted_middle_row_is_found(any_runtime):
    _fill(any_runtime, 5)
    _tamper(any_runtime, "DELETE FROM duty_log WHERE id = 3")
    result = _verify(any_runtime)
    assert (result.ok, result.first_broken_id, result.reason) == (False, 3, "entry 3 is missing")


def test_verify_walks_in_batches_and_finds_a_gap_at_a_batch_boundary(runtime):
    _fill(runtime, 7)
    with runtime.sessions() as session:
        assert dutylog.verify(session, batch_size=2) == dutylog.verify(session, batch_size=1000)
        assert dutylog.verify(session, batch_size=2).checked == 7
    _tamper(runtime, "DELETE FROM duty_log WHERE id IN (5, 6)")
    with runtime.sessions() as session:
        result = dutylog.verify(session, batch_size=2)
    assert (result.first_broken_id, result.reason, result.checked) == (5, "entries 5-6 are missing", 4)


def test_a_cut_off_head_of_the_log_is_found(runtime):
    _fill(runtime, 3)
    _tamper(runtime, "DELETE FROM duty_log WHERE id = 1")
    assert _verify(runtime).reason == "entry 1 is missing"


def test_the_database_refuses_update_and_delete(any_runtime):
    _fill(any_runtime, 2)
    statements = [update(DutyLogEntry).where(DutyLogEntry.id == 1).values(summary="edited"),
                  delete(DutyLogEntry).where(DutyLogEntry.id == 2)]
    for statement in statements:
        with pytest.raises(DBAPIError, match="duty_log is append-only"):
            with any_runtime.unit_of_work() as session:
                session.execute(statement)
    with pytest.raises(DBAPIError, match="duty_log is append-only"):
        with any_runtime.unit_of_work() as session:
            session.get(DutyLogEntry, 1).summary = "edited through the ORM"
    with pytest.raises(DBAPIError, match="duty_log is append-only"):
        with any_runtime.unit_of_work() as session:
            session.delete(session.get(DutyLogEntry, 2))
    assert _verify(any_runtime).checked == 2


@pytest.mark.postgres
def test_postgresql_refuses_truncate(pg_url):
    rt = build_runtime({"DATABASE_URL": pg_url, "SECRET_KEY": "test"})
    upgrade(rt.engine)
    _fill(rt, 1)
    with pytest.raises(DBAPIError, match="duty_log is append-only"):
        with rt.engine.begin() as connection:
            connection.execute(text("TRUNCATE duty_log"))
    assert _verify(rt).checked == 1
    rt.engine.dispose()


def test_flag_and_correction_are_new_entries_pointing_at_the_old_one(runtime):
    with runtime.unit_of_work() as session:
        original = dutylog.append(session, kind="note", summary="秦淮河水位 9.8 m", author="zhao.min",
                                  incident_id=None, at=T0)
        fix = dutylog.correct(session, original.id, "秦淮河水位 8.9 m（更正）", author="zhao.min",
                              at=T0 + timedelta(minutes=1))
        flag = dutylog.set_significant(session, original.id, True, author="li.jianguo", reason="levee at risk",
                                       at=T0 + timedelta(minutes=2))
        assert dutylog.significance(session, [original.id, fix.id]) == {original.id: True, fix.id: False}
        dutylog.set_significant(session, original.id, False, author="li.jianguo", reason="water receding",
                                at=T0 + timedelta(minutes=3))
        assert dutylog.significance(session, [original.id]) == {original.id: False}
    assert (fix.kind, fix.corrects_id, fix.data["previous_summary"]) == ("correction", 1, "秦淮河水位 9.8 m")
    assert (flag.kind, flag.corrects_id, flag.author) == ("significant_flag", 1, "li.jianguo")
    assert "levee at risk" in flag.summary and "Entry 1 marked significant" in flag.summary
    with runtime.sessions() as session:
        assert session.get(DutyLogEntry, 1).summary == "秦淮河水位 9.8 m"  # the original stands
        with pytest.raises(dutylog.EntryNotFound):
            dutylog.correct(session, 99, "x", author="a")
    assert _verify(runtime).checked == 4


APPENDER = """
import sys
from command import dutylog
from command.runtime import build_runtime
rt = build_runtime({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "test"})
print("ready", flush=True)
sys.stdin.readline()
for n in range(int(sys.argv[3])):
    with rt.unit_of_work() as session:
        dutylog.append(session, kind="note", summary=f"{sys.argv[2]} {n}", author=sys.argv[2])
"""


def test_two_processes_appending_at_once_leave_one_chain(any_runtime):
    url = any_runtime.engine.url.render_as_string(hide_password=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    processes = [subprocess.Popen([sys.executable, "-c", APPENDER, url, name, "200"], cwd=ROOT, env=env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for name in ("writer-a", "writer-b")]
    try:
        for process in processes:
            assert process.stdout.readline() == "ready\n", process.stderr.read()
        for process in processes:  # both are loaded and waiting: start them together
            process.stdin.write("go\n")
            process.stdin.flush()
        outcomes = [(process.communicate(timeout=240)[1], process.returncode) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.communicate()
    for errors, returncode in outcomes:
        assert returncode == 0, errors
    result = _verify(any_runtime)
    assert (result.ok, result.checked) == (True, 400)
    with any_runtime.sessions() as session:
        authors = session.scalars(select(DutyLogEntry.author)).all()
    assert sorted(set(authors)) == ["writer-a", "writer-b"] and authors.count("writer-a") == 200


def _cli(args, url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env.update(VIGIL_DATABASE_URL=url)
    return subprocess.run([sys.executable, "-m", "command", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_the_verify_command_reports_ok_then_the_broken_entry(runtime, sqlite_url):
    _fill(runtime, 4)
    result = _cli(["dutylog", "verify"], sqlite_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "duty log OK: 4 entries"
    _tamper(runtime, "UPDATE duty_log SET author = 'someone else' WHERE id = 2")
    result = _cli(["dutylog", "verify"], sqlite_url)
    assert result.returncode == 1
    assert result.stdout == "duty log BROKEN at entry 2: its content does not match its hash\n"


def test_the_verify_command_refuses_an_unmigrated_database(sqlite_url):
    result = _cli(["dutylog", "verify"], sqlite_url)
    assert result.returncode == 1 and "python -m command migrate" in result.stderr

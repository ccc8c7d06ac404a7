"""Departments and the directory file: which departments an incident concerns, loading people and the roster."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from command import dutylog, roster
from command.directory import (DEFAULT_FILE, DirectoryError, department_codes, departments_for, load_departments,
                               load_directory, sync_departments)
from command.models import Contact, Department, DutyLogEntry, Membership, Person, Shift
from tests.conftest import ROOT

DEMO = ROOT / "command" / "data" / "demo_directory.yaml"
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)
CODES = ["police", "fire", "water", "weather", "quake", "health", "emergency"]


@pytest.fixture
def session(runtime):
    with runtime.unit_of_work() as session:
        yield session


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "directory.yaml"
    path.write_text(text, encoding="utf-8")
    return path


PEOPLE = """
people:
  - username: zhang.san
    display_name: 张三
    role: operator
    contacts: [{channel: sms, address: "+8613800138000"}, {channel: voice, address: "+8613800138009"}]
  - username: li.si
    display_name: 李四
    role: leader
    contacts: [{channel: sms, address: "+8613900139000"}]
  - username: wang.wu
    display_name: 王五
    role: liaison
    departments: [{code: water, post: liaison}, {code: emergency, post: head}]
"""


@pytest.mark.parametrize("category, event, headline, expected", [
    ("fire", "", "", ["fire"]),
    ("geo", "Earthquake", "M5.1 near Luding", ["quake", "emergency"]),
    ("met", "Flood", "River Qinhuai over warning level", ["water", "weather", "emergency"]),
    ("other", "", "秦淮河水位超警戒 0.5 米", ["water", "emergency"]),
    ("met", "暴雨预警", "南京市发布暴雨橙色预警", ["weather"]),
    ("security", "", "", ["police"]),
    ("health", "", "", ["health"]),
    ("rescue", "", "", ["fire", "emergency"]),
    ("other", "Flooding", "Roads flooded downtown", ["water", "emergency"]),
    ("infra", "Power", "Storm damage to substations", ["emergency"]),  # "dam" must not match "damage"
    ("transport", "火车晚点", "", ["police"]),  # 火车 (a train) is not a fire
    ("other", "", "", []),
    (None, None, None, []),
])
def test_departments_for_an_incident(category, event, headline, expected):
    assert departments_for(category, event, headline) == [code for code in CODES if code in expected]


def test_the_shipped_departments_file_lists_the_seven_departments_in_both_languages():
    specs = load_departments()
    assert [s.code for s in specs] == CODES
    assert {s.code: s.name_zh for s in specs}["emergency"] == "应急管理"
    assert all(s.name_en and s.name_zh for s in specs)
    assert load_departments() is specs  # read once


def test_sync_departments_upserts_the_table(session):
    assert sync_departments(session) == 7
    session.get(Department, "water").name_zh = "水务"
    session.flush()
    assert sync_departments(session) == 1
    assert session.get(Department, "water").name_zh == "水利"
    assert sync_departments(session) == 0


def test_a_broken_departments_file_names_the_entry(tmp_path):
    path = tmp_path / "departments.yaml"
    path.write_text("departments:\n  - {code: fire, name_en: Fire, name_zh: 消防}\n  - {code: Bad Code}\n")
    with pytest.raises(DirectoryError, match=r"departments #2: code 'Bad Code' must be lower-case"):
        load_departments(path)


def test_department_codes_are_the_codes_of_a_departments_file_for_the_playbooks(tmp_path):
    assert department_codes() == set(CODES)
    path = tmp_path / "departments.yaml"
    path.write_text("departments:\n  - {code: water, name_en: Water, name_zh: 水利}\n"
                    "  - {code: dam, name_en: Dams, name_zh: 水库}\n")
    assert department_codes(path) == {"water", "dam"}


def test_people_with_posts_and_contacts_are_loaded(session, tmp_path):
    result = load_directory(session, _write(tmp_path, PEOPLE), now=NOW)
    assert (result.people_created, result.people_updated, result.departments) == (3, 0, 7)
    wang = session.scalars(select(Person).where(Person.username == "wang.wu")).one()
    posts = session.execute(select(Membership.department_code, Membership.post)
                            .where(Membership.person_id == wang.id)).all()
    assert sorted(posts) == [("emergency", "head"), ("water", "liaison")]
    zhang = session.scalars(select(Person).where(Person.username == "zhang.san")).one()
    contacts = session.execute(select(Contact.position, Contact.channel, Contact.address)
                               .where(Contact.person_id == zhang.id).order_by(Contact.position)).all()
    assert contacts == [(1, "sms", "+8613800138000"), (2, "voice", "+8613800138009")]
    assert (zhang.display_name, zhang.role, zhang.active) == ("张三", "operator", True)


def test_loading_again_upserts_by_username_and_replaces_posts_and_contacts(session, tmp_path):
    load_directory(session, _write(tmp_path, PEOPLE), now=NOW)
    again = load_directory(session, _write(tmp_path, PEOPLE), now=NOW)
    assert not again.changed
    changed = PEOPLE.replace("display_name: 张三", "display_name: 张叁").replace(
        ', {channel: voice, address: "+8613800138009"}', "").replace(
        "[{code: water, post: liaison}, {code: emergency, post: head}]", "[{code: water, post: head}]")
    result = load_directory(session, _write(tmp_path, changed), now=NOW)
    assert (result.people_created, result.people_updated) == (0, 2)
    assert session.scalar(select(func.count()).select_from(Person)) == 3
    zhang = session.scalars(select(Person).where(Person.username == "zhang.san")).one()
    assert zhang.display_name == "张叁"
    assert session.scalars(select(Contact.address).where(Contact.person_id == zhang.id)).all() == ["+8613800138000"]
    wang_id = session.scalar(select(Person.id).where(Person.username == "wang.wu"))
    assert session.execute(select(Membership.department_code, Membership.post)
                           .where(Membership.person_id == wang_id)).all() == [("water", "head")]


@pytest.mark.parametrize("address", ["+86 138 0013 8000", "13800138000", "+0861380013800", "+8612",
                                     "+86138001380001234"])
def test_a_number_that_is_not_e164_is_refused_naming_the_entry(session, tmp_path, address):
    text = PEOPLE.replace('"+8613900139000"', f'"{address}"')
    with pytest.raises(DirectoryError) as error:
        load_directory(session, _write(tmp_path, text), now=NOW)
    assert f"people #2 (li.si): contacts #1: address '{address}' is not an E.164 number" in str(error.value)
    assert session.scalar(select(func.count()).select_from(Person)) == 0  # nothing written


@pytest.mark.parametrize("change, message", [
    (("role: leader", "role: boss"), "people #2 (li.si): role 'boss' is not one of administrator"),
    (("code: water", "code: sewers"), "people #3 (wang.wu): departments #1: unknown department 'sewers'"),
    (("post: head", "post: chief"), "people #3 (wang.wu): departments #2: post 'chief' is not one of liaison | head"),
    (("username: li.si", "username: zhang.san"), "people #2 (zhang.san): username listed twice"),
    (("display_name: 王五", "display_name: ''"), "people #3 (wang.wu): display_name is required"),
    (("people:", "persons:"), "unknown section(s) persons"),
])
def test_mistakes_in_people_are_named(session, tmp_path, change, message):
    with pytest.raises(DirectoryError) as error:
        load_directory(session, _write(tmp_path, PEOPLE.replace(*change)), now=NOW)
    assert message in str(error.value)


SHIFTS = PEOPLE + """
shifts:
  - {starts: "2026-11-24T08:00:00+08:00", ends: "2026-11-25T08:00:00+08:00", duty_officer: zhang.san, leader: li.si}
  - {starts: 2026-11-25T08:00:00+08:00, ends: 2026-11-26T08:00:00+08:00, duty_officer: zhang.san}
"""


def test_shifts_are_upserted_by_their_start_and_end(session, tmp_path):
    result = load_directory(session, _write(tmp_path, SHIFTS), now=NOW)
    assert result.shifts_created == 2
    first = roster.on_duty(session, datetime(2026, 11, 24, 0, 0, tzinfo=timezone.utc))
    assert first.starts_at == datetime(2026, 11, 24, 0, 0, tzinfo=timezone.utc)
    assert [p.username for p in roster.on_duty_people(session, first.starts_at, "leader")] == ["li.si"]
    gap_start = datetime(2026, 11, 25, 0, 0, tzinfo=timezone.utc)
    assert roster.gaps(session, first.starts_at, gap_start + timedelta(days=1)) == [
        (gap_start, gap_start + timedelta(days=1))]  # the second shift has no leader
    fixed = SHIFTS.replace("duty_officer: zhang.san}", "duty_officer: zhang.san, leader: li.si}")
    result = load_directory(session, _write(tmp_path, fixed), now=NOW)
    assert (result.shifts_created, result.shifts_updated) == (0, 1)
    assert session.scalar(select(func.count()).select_from(Shift)) == 2
    assert roster.gaps(session, first.starts_at, gap_start + timedelta(days=1)) == []


def test_reloading_the_roster_file_keeps_a_swap_approved_in_vigil(session, tmp_path):
    from command import roster_admin
    with_zhao = SHIFTS.replace("people:\n", "people:\n  - {username: zhao.liu, display_name: 赵六, role: operator}\n"
                                  "  - {username: boss, display_name: 主任, role: shift_leader}\n", 1)
    load_directory(session, _write(tmp_path, with_zhao), now=NOW)
    shift = roster.on_duty(session, datetime(2026, 11, 24, 0, 0, tzinfo=timezone.utc))
    swap = roster_admin.request_swap(session, shift.id, "duty_officer", "zhao.liu", "zhang.san", "病假 sick", NOW)
    roster_admin.approve(session, swap.id, "boss", NOW)
    again = load_directory(session, _write(tmp_path, with_zhao), now=NOW)  # the nightly sync of the roster file
    assert (again.shifts_updated, again.swaps_kept) == (0, 1) and "1 approved swaps kept" in str(again)
    assert [p.username for p in roster.on_duty_people(session, NOW, "duty_officer")] == ["zhao.liu"]
    moved = with_zhao.replace("duty_officer: zhang.san, leader: li.si}", "duty_officer: zhang.san, leader: zhang.san}")
    load_directory(session, _write(tmp_path, moved), now=NOW)  # the file may still change the other post
    assert [p.username for p in roster.on_duty_people(session, NOW, "leader")] == ["zhang.san"]
    assert [p.username for p in roster.on_duty_people(session, NOW, "duty_officer")] == ["zhao.liu"]


START, END = 'starts: "2026-11-24T08:00:00+08:00"', 'ends: "2026-11-25T08:00:00+08:00"'


@pytest.mark.parametrize("change, message", [
    ((", leader: li.si}", ", leader: nobody}"), "shifts #1: leader 'nobody' is not a known username"),
    ((START, 'starts: "2026-11-24T08:00:00"'), "shifts #1: starts 2026-11-24T08:00:00 has no UTC offset"),
    ((START, 'starts: "tomorrow"'), "shifts #1: starts 'tomorrow' is not an ISO 8601 time"),
    ((END, 'ends: "2026-11-24T08:00:00+08:00"'), "shifts #1: ends (2026-11-24T00:00:00+00:00) must be after starts"),
])
def test_mistakes_in_shifts_are_named(session, tmp_path, change, message):
    with pytest.raises(DirectoryError) as error:
        load_directory(session, _write(tmp_path, SHIFTS.replace(*change)), now=NOW)
    assert message in str(error.value)


def test_the_demo_directory_covers_every_department_and_the_next_seven_days(session):
    result = load_directory(session, DEMO, now=NOW)
    assert result.people_created == 20 and result.shifts_created >= 9
    for code in CODES:
        posts = session.scalars(select(Membership.post).where(Membership.department_code == code)).all()
        assert sorted(posts) == ["head", "liaison"], code
    assert roster.gaps(session, NOW, NOW + timedelta(days=7)) == []
    assert roster.gaps(session, NOW - timedelta(days=1), NOW + timedelta(days=8)) == []
    officer, = roster.on_duty_people(session, NOW, "duty_officer")
    assert officer.role == "operator"
    leaders = {roster.on_duty_people(session, NOW + timedelta(days=n), "leader")[0].username for n in range(3)}
    assert leaders == {"li.jianguo", "zhou.hong", "wu.gang"}  # the rotation turns
    # Shifts change at 08:00 Beijing time.
    assert roster.on_duty(session, NOW).starts_at.astimezone(ZoneInfo("Asia/Shanghai")).hour == 8


def test_reloading_the_demo_is_idempotent_and_a_later_load_extends_the_rotation(session):
    load_directory(session, DEMO, now=NOW)
    shifts = session.scalar(select(func.count()).select_from(Shift))
    assert not load_directory(session, DEMO, now=NOW).changed
    assert session.scalar(select(func.count()).select_from(Shift)) == shifts
    later = load_directory(session, DEMO, now=NOW + timedelta(days=3))
    assert (later.shifts_created, later.shifts_updated, later.people_created) == (3, 0, 0)
    assert roster.gaps(session, NOW - timedelta(days=1), NOW + timedelta(days=11)) == []


def test_a_load_that_changes_something_is_in_the_duty_log(session, tmp_path):
    load_directory(session, _write(tmp_path, SHIFTS), now=NOW, author="admin")
    load_directory(session, _write(tmp_path, SHIFTS), now=NOW, author="admin")
    entries = session.scalars(select(DutyLogEntry)).all()
    assert len(entries) == 1
    assert (entries[0].kind, entries[0].author) == ("audit", "admin")
    assert "3 people added" in entries[0].summary and entries[0].data["shifts_created"] == 2
    assert dutylog.verify(session).ok


def test_a_rotation_with_a_time_zone_changes_at_the_same_local_hour_across_dst(session, tmp_path):
    text = PEOPLE + """
rotation:
  start: "2026-10-01T08:00:00-04:00"
  time_zone: America/New_York
  hours: 24
  duty_officers: [zhang.san]
  leaders: [li.si]
"""
    load_directory(session, _write(tmp_path, text), now=datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc))
    starts = session.scalars(select(Shift.starts_at).order_by(Shift.starts_at)).all()
    zone = ZoneInfo("America/New_York")
    assert {s.astimezone(zone).hour for s in starts} == {8}
    assert {s.astimezone(zone).utcoffset() for s in starts} == {timedelta(hours=-4), timedelta(hours=-5)}
    assert roster.gaps(session, starts[0], starts[-1]) == []


def test_a_rotation_that_has_not_started_yet_makes_no_earlier_shifts(session, tmp_path):
    text = PEOPLE + """
rotation: {start: "2026-11-26T08:00:00+08:00", hours: 12, duty_officers: [zhang.san], leaders: [li.si]}
"""
    load_directory(session, _write(tmp_path, text), now=NOW)
    first = session.scalar(select(func.min(Shift.starts_at)))
    assert first == datetime(2026, 11, 26, 0, 0, tzinfo=timezone.utc)


def test_extra_departments_can_be_added_but_not_redefine_a_built_in_one(session, tmp_path):
    extra = "departments:\n  - {code: transport, name_en: Transport, name_zh: 交通运输}\n" + PEOPLE.replace(
        "{code: emergency, post: head}", "{code: transport, post: head}")
    load_directory(session, _write(tmp_path, extra), now=NOW)
    assert session.get(Department, "transport").name_zh == "交通运输"
    clash = "departments:\n  - {code: fire, name_en: Fire, name_zh: 火}\n" + PEOPLE
    with pytest.raises(DirectoryError, match="'fire' is already a built-in department"):
        load_directory(session, _write(tmp_path, clash), now=NOW)


def test_processes_starting_together_load_the_directory_once(any_runtime):
    barrier, errors = threading.Barrier(4), []

    def load():
        barrier.wait()
        try:
            with any_runtime.unit_of_work() as session:
                load_directory(session, DEMO, now=NOW)
        except Exception as exc:  # reported below: any failure is the test's failure
            errors.append(exc)

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with any_runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 20
        starts = session.scalars(select(Shift.starts_at)).all()
        assert len(starts) == len(set(starts)) == 10
        assert roster.gaps(session, NOW, NOW + timedelta(days=7)) == []
        assert session.scalar(select(func.count()).select_from(DutyLogEntry)) == 1  # one load changed things


def test_processes_starting_together_on_a_fresh_database_add_the_departments_once(any_runtime):
    barrier, added, errors = threading.Barrier(4), [], []

    def start():
        barrier.wait()
        try:
            with any_runtime.unit_of_work() as session:
                added.append(sync_departments(session))
        except Exception as exc:  # a unique violation here once stopped a web process at start
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sum(added) == 7


def _cli(args, url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env.update(VIGIL_DATABASE_URL=url)
    return subprocess.run([sys.executable, "-m", "command", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_the_directory_load_command(runtime, sqlite_url, tmp_path):
    result = _cli(["directory", "load", str(DEMO)], sqlite_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("directory loaded: 20 people added, 0 changed;")
    again = _cli(["directory", "load", str(DEMO)], sqlite_url)
    assert again.stdout.startswith("directory loaded: 0 people added, 0 changed; 0 shifts added")
    bad = _cli(["directory", "load", str(_write(tmp_path, PEOPLE.replace("+8613800138000", "+86 138")))],
               sqlite_url)
    assert bad.returncode == 2 and bad.stdout == ""
    assert "people #1 (zhang.san): contacts #1: address '+86 138' is not an E.164 number" in bad.stderr
    missing = _cli(["directory", "load", str(tmp_path / "nope.yaml")], sqlite_url)
    assert missing.returncode == 2 and "nope.yaml: cannot read" in missing.stderr
    assert DEFAULT_FILE.exists()

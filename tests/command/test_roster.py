"""The roster: who is on duty at an instant, at the change-over, under overlaps, and where the gaps are."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from command import roster
from command.migrate import upgrade
from command.models import Person, Shift
from command.runtime import build_runtime

UTC = timezone.utc
T0 = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
H = timedelta(hours=1)
US = timedelta(microseconds=1)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def session(request, sqlite_url):
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("pg_url")
    rt = build_runtime({"DATABASE_URL": url, "SECRET_KEY": "test"})
    upgrade(rt.engine)
    with rt.unit_of_work() as session:
        yield session
    rt.engine.dispose()


@pytest.fixture
def people(session):
    crew = {name: Person(username=name, display_name=name, role=role)
            for name, role in (("officer-a", "operator"), ("officer-b", "operator"),
                               ("leader-a", "leader"), ("leader-b", "leader"))}
    session.add_all(crew.values())
    session.flush()
    return crew


def _shift(session, starts, ends, officer=None, leader=None) -> Shift:
    shift = Shift(starts_at=starts, ends_at=ends, duty_officer_id=officer.id if officer else None,
                  leader_id=leader.id if leader else None)
    session.add(shift)
    session.flush()
    return shift


def test_at_the_change_over_the_incoming_shift_is_on_duty(session, people):
    day = _shift(session, T0 + 8 * H, T0 + 20 * H, people["officer-a"], people["leader-a"])
    night = _shift(session, T0 + 20 * H, T0 + 32 * H, people["officer-b"], people["leader-b"])
    assert roster.on_duty(session, T0 + 8 * H) == day
    assert roster.on_duty(session, T0 + 20 * H - US) == day
    assert roster.on_duty(session, T0 + 20 * H) == night
    assert roster.on_duty(session, T0 + 32 * H - US) == night
    assert roster.on_duty(session, T0 + 32 * H) is None
    assert roster.on_duty(session, T0 + 8 * H - US) is None
    assert roster.on_duty_people(session, T0 + 20 * H, "leader") == [people["leader-b"]]
    assert roster.on_duty_people(session, T0 + 20 * H - US, "duty_officer") == [people["officer-a"]]
    assert roster.on_duty_people(session, T0 + 32 * H, "leader") == []


def test_when_shifts_overlap_the_latest_start_is_on_duty(session, people):
    standing = _shift(session, T0, T0 + 24 * H, people["officer-a"], people["leader-a"])
    swap = _shift(session, T0 + 10 * H, T0 + 12 * H, people["officer-b"], people["leader-b"])
    assert roster.on_duty(session, T0 + 11 * H) == swap
    assert roster.on_duty(session, T0 + 12 * H) == standing
    assert roster.on_duty_people(session, T0 + 11 * H, "duty_officer") == [people["officer-b"]]


def test_a_shift_laid_over_for_one_post_leaves_the_other_post_filled(session, people):
    _shift(session, T0, T0 + 24 * H, people["officer-a"], people["leader-a"])
    _shift(session, T0 + 10 * H, T0 + 12 * H, officer=people["officer-b"])  # the officer swapped, not the leader
    assert roster.on_duty_people(session, T0 + 11 * H, "duty_officer") == [people["officer-b"]]
    assert roster.on_duty_people(session, T0 + 11 * H, "leader") == [people["leader-a"]]
    assert roster.gaps(session, T0, T0 + 24 * H) == []


def test_an_inactive_person_is_not_on_duty_and_leaves_a_gap(session, people):
    _shift(session, T0, T0 + 24 * H, people["officer-a"], people["leader-a"])
    people["leader-a"].active = False
    session.flush()
    assert roster.on_duty_people(session, T0 + H, "leader") == []
    assert roster.gaps(session, T0, T0 + 24 * H) == [(T0, T0 + 24 * H)]
    assert roster.gaps(session, T0, T0 + 24 * H, post="duty_officer") == []


def test_an_unknown_post_is_refused(session, people):
    with pytest.raises(ValueError, match="unknown post 'cook'"):
        roster.on_duty_people(session, T0, "cook")
    with pytest.raises(ValueError, match="unknown post"):
        roster.gaps(session, T0, T0 + H, post="cook")


def test_gaps_are_found_between_shifts_and_where_a_post_is_empty(session, people):
    a, b = people["officer-a"], people["leader-a"]
    _shift(session, T0, T0 + 8 * H, a, b)
    _shift(session, T0 + 9 * H, T0 + 17 * H, a, None)  # no leader 09:00-17:00
    _shift(session, T0 + 17 * H, T0 + 24 * H, a, b)
    assert roster.gaps(session, T0, T0 + 24 * H) == [(T0 + 8 * H, T0 + 17 * H)]  # 08-09 nobody, 09-17 no leader
    assert roster.gaps(session, T0, T0 + 24 * H, post="duty_officer") == [(T0 + 8 * H, T0 + 9 * H)]
    assert roster.gaps(session, T0 + 2 * H, T0 + 10 * H) == [(T0 + 8 * H, T0 + 10 * H)]  # clipped to the window
    assert roster.gaps(session, T0 - 2 * H, T0 + H) == [(T0 - 2 * H, T0)]
    assert roster.gaps(session, T0 + 30 * H, T0 + 40 * H) == [(T0 + 30 * H, T0 + 40 * H)]
    assert roster.gaps(session, T0 + H, T0 + H) == []


def test_back_to_back_and_overlapping_shifts_leave_no_gap(session, people):
    a, b = people["officer-a"], people["leader-a"]
    _shift(session, T0, T0 + 12 * H, a, b)
    _shift(session, T0 + 12 * H, T0 + 24 * H, a, b)
    _shift(session, T0 + 23 * H, T0 + 48 * H, a, b)
    assert roster.gaps(session, T0, T0 + 48 * H) == []
    assert roster.gaps(session, T0, T0 + 49 * H) == [(T0 + 48 * H, T0 + 49 * H)]


def _local(zone: str, day: date, hour: int = 0) -> datetime:
    return datetime.combine(day, time(hour), ZoneInfo(zone)).astimezone(UTC)


FALL_BACK = date(2026, 11, 1)  # New York leaves DST at 02:00 that night
DAY = timedelta(days=1)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York"])
def test_shifts_by_the_local_clock_leave_no_gap_across_a_dst_change(session, people, zone):
    # 08:00 to 08:00 by the wall clock: the shift of 31 October is 25 hours long in New York.
    for n in range(-3, 4):
        day = FALL_BACK + n * DAY
        _shift(session, _local(zone, day, 8), _local(zone, day + DAY, 8), people["officer-a"], people["leader-a"])
    assert roster.gaps(session, _local(zone, FALL_BACK - 2 * DAY), _local(zone, FALL_BACK + 3 * DAY)) == []


@pytest.mark.parametrize("zone, missing", [("Asia/Shanghai", []), ("America/New_York", [(7, 8)])])
def test_fixed_24_hour_blocks_open_a_gap_where_the_clock_falls_back(session, people, zone, missing):
    # A roster written as "08:00 local plus 24 hours" ends at 07:00 on the day New York falls back,
    # while the next shift starts at 08:00: the administrator must see that hour. Beijing has no DST.
    for n in range(-2, 2):
        starts = _local(zone, FALL_BACK + n * DAY, 8)
        _shift(session, starts, starts + 24 * H, people["officer-a"], people["leader-a"])
    found = roster.gaps(session, _local(zone, FALL_BACK - 2 * DAY, 8), _local(zone, FALL_BACK + 2 * DAY, 8))
    assert found == [(_local(zone, FALL_BACK, start), _local(zone, FALL_BACK, end)) for start, end in missing]

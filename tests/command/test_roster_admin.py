"""Roster administration: the week's gaps; swaps requested, decided once, logged, and changing who is paged."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from command import dutylog, roster, roster_admin
from command.models import DutyLogEntry, Person, RosterSwap, Shift
from command.errors import DomainError as SwapError
from command.roster_admin import SwapNotFound

UTC = timezone.utc
NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
DAY = timedelta(days=1)
H = timedelta(hours=1)


def seed_roster(runtime, days: int = 6) -> dict[str, int]:
    """Officers and leaders on 24-hour shifts changing at 00:00 UTC (08:00 Beijing), from yesterday, ``days`` days."""
    with runtime.unit_of_work() as session:
        crew = {name: Person(username=name, display_name=display, role=role)
                for name, display, role in (("zhao.min", "赵敏", "operator"), ("qian.lei", "钱磊", "operator"),
                                            ("li.jianguo", "李建国", "leader"), ("zhou.hong", "周红", "leader"),
                                            ("admin", "管理员", "administrator"), ("sun.li", "孙丽", "shift_leader"))}
        session.add_all(crew.values())
        session.flush()
        ids = {name: person.id for name, person in crew.items()}
        start = datetime(2026, 11, 23, tzinfo=UTC)
        for number in range(days):
            session.add(Shift(starts_at=start + number * DAY, ends_at=start + (number + 1) * DAY,
                              duty_officer_id=ids["zhao.min" if number % 2 else "qian.lei"],
                              leader_id=ids["li.jianguo" if number % 2 else "zhou.hong"]))
        session.flush()
        ids["today"] = session.scalar(select(Shift.id).where(Shift.starts_at <= NOW, Shift.ends_at > NOW))
        ids["yesterday"] = session.scalar(select(Shift.id).where(Shift.ends_at == start + DAY))
        return ids


@pytest.fixture
def crew(runtime):
    return seed_roster(runtime)


def _roster_log(runtime) -> list[DutyLogEntry]:
    with runtime.sessions() as session:
        return session.scalars(select(DutyLogEntry).where(DutyLogEntry.kind == "roster_swap")
                               .order_by(DutyLogEntry.id)).all()


def _shift(runtime, shift_id) -> Shift:
    with runtime.sessions() as session:
        return session.get(Shift, shift_id)


def _request(runtime, crew, post="leader", to="li.jianguo", by="zhou.hong", reason="家中有事 family matter",
             shift="today", at=NOW):
    with runtime.unit_of_work() as session:
        return roster_admin.request_swap(session, crew[shift], post, to, by, reason, at,
                                         time_zone="Asia/Shanghai").id


def _decide(runtime, action, swap_id, by="admin", at=NOW + H, **kw):
    with runtime.unit_of_work() as session:
        return getattr(roster_admin, action)(session, swap_id, by, at, **kw)


# ---- the week ahead ----------------------------------------------------------------------------------

def test_the_week_shows_every_gap_per_post(runtime, crew):
    """Shifts run out five days ahead, and one night has no leader: both show as gaps, per post."""
    with runtime.unit_of_work() as session:
        tomorrow = session.scalar(select(Shift).where(Shift.starts_at == datetime(2026, 11, 25, tzinfo=UTC)))
        tomorrow.leader_id = None
    with runtime.sessions() as session:
        week = roster_admin.week(session, NOW)
    end_of_roster = datetime(2026, 11, 29, tzinfo=UTC)
    assert [(g["post"], g["starts_at"], g["ends_at"]) for g in week["gaps"]] == [
        ("leader", datetime(2026, 11, 25, tzinfo=UTC), datetime(2026, 11, 26, tzinfo=UTC)),
        ("duty_officer", end_of_roster, NOW + 7 * DAY),
        ("leader", end_of_roster, NOW + 7 * DAY),
    ]
    by_start = {s["starts_at"]: s for s in week["shifts"]}
    assert by_start[datetime(2026, 11, 25, tzinfo=UTC)]["gap_posts"] == ["leader"]
    assert by_start[datetime(2026, 11, 24, tzinfo=UTC)]["gap_posts"] == []
    assert by_start[datetime(2026, 11, 24, tzinfo=UTC)]["leader"]["display_name"] == "李建国"
    assert min(by_start) == datetime(2026, 11, 24, tzinfo=UTC)  # yesterday's shift, over, is not in the week


def test_an_inactive_holder_is_a_gap(runtime, crew):
    with runtime.unit_of_work() as session:
        session.get(Person, crew["li.jianguo"]).active = False
    with runtime.sessions() as session:
        week = roster_admin.week(session, NOW, days=1)
    assert [g["post"] for g in week["gaps"]] == ["leader"]
    assert week["shifts"][0]["leader"]["active"] is False


# ---- swaps ---------------------------------------------------------------------------------------------

def test_a_request_is_logged_and_changes_nothing_yet(runtime, crew):
    before = _shift(runtime, crew["today"]).leader_id
    swap_id = _request(runtime, crew, post="leader", to="zhou.hong", by="li.jianguo")
    assert _shift(runtime, crew["today"]).leader_id == before == crew["li.jianguo"]
    [entry] = _roster_log(runtime)
    assert entry.author == "li.jianguo" and entry.data["action"] == "requested" and entry.data["swap_id"] == swap_id
    assert "带班领导 李建国 → 周红" in entry.summary and "leader on duty 李建国 → 周红" in entry.summary
    assert "2026-11-24 08:00" in entry.summary  # the shift's times as the duty room reads them
    assert "family matter" in entry.summary


def test_an_approved_swap_changes_who_is_paged(runtime, crew):
    swap_id = _request(runtime, crew, post="leader", to="zhou.hong", by="li.jianguo")
    swap = _decide(runtime, "approve", swap_id, by="sun.li")
    assert (swap.status, swap.decided_by) == ("approved", "sun.li")
    assert _shift(runtime, crew["today"]).leader_id == crew["zhou.hong"]
    with runtime.sessions() as session:
        assert [p.username for p in roster.on_duty_people(session, NOW + 2 * H, "leader")] == ["zhou.hong"]
        assert dutylog.verify(session).ok
    assert [e.data["action"] for e in _roster_log(runtime)] == ["requested", "approved"]
    assert _roster_log(runtime)[-1].author == "sun.li"


def test_a_refused_swap_changes_nothing_but_is_logged(runtime, crew):
    swap_id = _request(runtime, crew, post="duty_officer", to="qian.lei", by="zhao.min")
    swap = _decide(runtime, "refuse", swap_id, reason="人手不足 short-handed")
    assert swap.status == "refused"
    assert _shift(runtime, crew["today"]).duty_officer_id == crew["zhao.min"]
    last = _roster_log(runtime)[-1]
    assert last.data["action"] == "refused" and "short-handed" in last.summary and last.author == "admin"


def test_a_swap_is_decided_once(runtime, crew):
    swap_id = _request(runtime, crew, post="leader", to="zhou.hong", by="li.jianguo")
    _decide(runtime, "approve", swap_id)
    for action in ("approve", "refuse"):
        with pytest.raises(SwapError) as refused:
            _decide(runtime, action, swap_id, by="sun.li")
        assert refused.value.code == "already_decided"
    assert len(_roster_log(runtime)) == 2


def test_two_deciders_at_once_only_one_wins(any_runtime):
    crew = seed_roster(any_runtime)
    swap_id = _request(any_runtime, crew, post="leader", to="zhou.hong", by="li.jianguo")
    start, outcomes = threading.Barrier(2), []

    def decide(action, by):
        start.wait()
        try:
            _decide(any_runtime, action, swap_id, by=by)
            outcomes.append(action)
        except SwapError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=decide, args=args) for args in (("approve", "admin"), ("refuse", "sun.li"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) in (["already_decided", "approve"], ["already_decided", "refuse"])
    expected_leader = crew["zhou.hong"] if "approve" in outcomes else crew["li.jianguo"]
    assert _shift(any_runtime, crew["today"]).leader_id == expected_leader
    assert len(_roster_log(any_runtime)) == 2
    with any_runtime.sessions() as session:
        assert dutylog.verify(session).ok


def test_only_an_administrator_or_a_shift_leader_decides(runtime, crew):
    swap_id = _request(runtime, crew, post="duty_officer", to="qian.lei", by="zhao.min")
    for who in ("qian.lei", "li.jianguo", "nobody"):  # an operator; a leader on duty; a name not in the directory
        with pytest.raises(SwapError) as refused:
            _decide(runtime, "approve", swap_id, by=who)
        assert refused.value.code == "not_allowed"
    with pytest.raises(SwapError) as refused:
        _decide(runtime, "approve", swap_id, by="zhao.min")
    assert refused.value.code == "not_allowed"
    assert _shift(runtime, crew["today"]).duty_officer_id == crew["zhao.min"]


def test_nobody_approves_their_own_request(runtime, crew):
    swap_id = _request(runtime, crew, post="leader", to="zhou.hong", by="sun.li")  # a shift leader asks for someone
    with pytest.raises(SwapError) as refused:
        _decide(runtime, "approve", swap_id, by="sun.li")
    assert refused.value.code == "own_request"


def test_requests_that_make_no_sense_are_refused(runtime, crew):
    cases = [({"post": "cook"}, "bad_post"), ({"to": "nobody"}, "unknown_person"),
             ({"post": "leader", "to": "li.jianguo"}, "same_person"), ({"shift": "yesterday"}, "shift_over"),
             ({"by": " "}, "actor_required")]
    for kwargs, code in cases:
        with pytest.raises(SwapError) as refused:
            _request(runtime, crew, **{"post": "leader", "to": "zhou.hong", **kwargs})
        assert refused.value.code == code, kwargs
    with pytest.raises(SwapNotFound):
        with runtime.unit_of_work() as session:
            roster_admin.request_swap(session, 999, "leader", "zhou.hong", "x", None, NOW)
    assert _roster_log(runtime) == []


def test_one_pending_request_per_post(runtime, crew):
    _request(runtime, crew, post="leader", to="zhou.hong")
    with pytest.raises(SwapError) as refused:
        _request(runtime, crew, post="leader", to="zhou.hong", by="someone else")
    assert refused.value.code == "already_pending"
    _request(runtime, crew, post="duty_officer", to="qian.lei")  # the other post is another matter


def test_an_approval_after_the_post_changed_hands_is_refused(runtime, crew):
    """Two requests on one post, the first approved: the second describes a roster that is gone."""
    first = _request(runtime, crew, post="leader", to="zhou.hong")
    _decide(runtime, "approve", first)
    second = _request(runtime, crew, post="leader", to="li.jianguo", by="zhou.hong")
    with runtime.unit_of_work() as session:  # the roster is changed behind the request (e.g. a reload)
        session.get(Shift, crew["today"]).leader_id = crew["sun.li"]
    with pytest.raises(SwapError) as refused:
        _decide(runtime, "approve", second)
    assert refused.value.code == "stale"
    assert _shift(runtime, crew["today"]).leader_id == crew["sun.li"]


def test_a_shift_over_by_the_decision_cannot_be_swapped(runtime, crew):
    swap_id = _request(runtime, crew, post="leader", to="zhou.hong")
    with pytest.raises(SwapError) as refused:
        _decide(runtime, "approve", swap_id, at=NOW + 2 * DAY)
    assert refused.value.code == "shift_over"


def test_swaps_are_listed_newest_first_with_names(runtime, crew):
    first = _request(runtime, crew, post="leader", to="zhou.hong")
    second = _request(runtime, crew, post="duty_officer", to="qian.lei", at=NOW + H)
    _decide(runtime, "refuse", first)
    with runtime.sessions() as session:
        listed = roster_admin.swaps(session)
        pending = roster_admin.swaps(session, "requested")
    assert [s["id"] for s in listed] == [second, first]
    assert [s["id"] for s in pending] == [second]
    assert listed[0]["from_person"]["display_name"] == "赵敏" and listed[0]["to_person"]["display_name"] == "钱磊"
    with runtime.sessions() as session:
        assert session.scalar(select(RosterSwap.status).where(RosterSwap.id == first)) == "refused"

"""The roster page and API: the week in the duty room's time zone with its gaps, swaps asked for and decided once."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from command.models import DutyLogEntry, Person, Shift, utcnow
from tests.conftest import log_in

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def week(runtime):
    """Two twelve-hour shifts from an hour ago, the second without a leader; nothing after them."""
    base = utcnow().replace(minute=17, second=0, microsecond=0) - timedelta(hours=1)
    with runtime.unit_of_work() as session:
        people = {name: Person(username=name, display_name=display, role=role)
                  for name, display, role in (("zhao.min", "赵敏", "operator"), ("qian.lei", "钱磊", "operator"),
                                              ("li.jianguo", "李建国", "leader"), ("zhou.hong", "周红", "leader"),
                                              ("sun.li", "孙丽", "shift_leader"))}
        session.add_all(people.values())
        session.flush()
        first = Shift(starts_at=base, ends_at=base + timedelta(hours=12), duty_officer_id=people["zhao.min"].id,
                      leader_id=people["li.jianguo"].id)
        second = Shift(starts_at=base + timedelta(hours=12), ends_at=base + timedelta(hours=24),
                       duty_officer_id=people["qian.lei"].id)
        session.add_all([first, second])
        session.flush()
        return {"base": base, "first": first.id, "second": second.id}


def _row(html: str, shift_id: int) -> str:
    """The text of a shift's row on the page."""
    match = re.search(rf'<tr class="shift[^"]*" data-shift="{shift_id}">(.*?)</tr>', html, re.S)
    assert match, f"no row for shift {shift_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_the_week_reads_in_the_duty_room_time_zone_with_gaps_marked(client, week):
    html = client.get("/roster?lang=en").get_data(as_text=True)
    first = _row(html, week["first"])
    local_start = week["base"].astimezone(SHANGHAI)
    assert local_start.strftime("%H:%M") in first and local_start.strftime("%Y-%m-%d") in first
    assert week["base"].strftime("%H:%M") not in first  # never the UTC clock
    assert "赵敏" in first and "李建国" in first
    assert 'class="shift has-gap" data-shift="%d"' % week["second"] in html  # no leader on the second shift
    assert "nobody" in _row(html, week["second"])
    gaps = re.findall(r'<tr class="gap">(.*?)</tr>', html, re.S)
    assert any("no leader on duty" in gap for gap in gaps) and any("no duty officer" in gap for gap in gaps)
    assert "Every minute of the next 7 days" not in html


def test_a_fully_covered_week_says_so(client, runtime):
    now = utcnow()
    with runtime.unit_of_work() as session:
        officer, leader = Person(username="a", display_name="A", role="operator"), \
            Person(username="b", display_name="B", role="leader")
        session.add_all([officer, leader])
        session.flush()
        session.add(Shift(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=8),
                          duty_officer_id=officer.id, leader_id=leader.id))
    html = client.get("/roster?lang=en").get_data(as_text=True)
    assert "Every minute of the next 7 days has a duty officer and a leader on duty." in html
    assert '<tr class="gap">' not in html


def test_the_api_gives_the_gaps_per_post(client, week):
    body = client.get("/api/v1/roster").get_json()
    leader_gaps = [g for g in body["gaps"] if g["post"] == "leader"]
    assert leader_gaps[0]["starts_at"] == (week["base"] + timedelta(hours=12)).isoformat()
    assert {s["id"]: s["gap_posts"] for s in body["shifts"]} == {week["first"]: [], week["second"]: ["leader"]}
    assert client.get("/api/v1/roster?days=0").status_code == 400
    assert client.get("/api/v1/roster?days=x").status_code == 400


def _console(app, runtime, username):
    """A client logged in as ``username`` (one of the week's people)."""
    console = app.test_client()
    log_in(console, runtime, username)
    return console


def test_a_swap_is_asked_for_approved_once_and_shows_on_the_page(app, client, runtime, week):
    officer, leader, shift_leader = (_console(app, runtime, name) for name in ("zhao.min", "li.jianguo", "sun.li"))
    # the leader (read only) phones the duty officer, who asks for the swap on his behalf
    asked = officer.post("/api/v1/roster/swaps", json={"shift_id": week["first"], "post": "leader",
                                                       "to_person": "zhou.hong", "reason": "病假 sick"})
    assert asked.status_code == 201, asked.get_json()
    swap = asked.get_json()
    assert swap["status"] == "requested" and swap["from_person"]["username"] == "li.jianguo"
    assert swap["requested_by"] == "zhao.min"
    page = client.get("/roster?lang=en").get_data(as_text=True)
    assert f'data-swap="{swap["id"]}" data-decision="approve"' in page and "病假 sick" in page
    assert "李建国" in _row(page, week["first"])  # nothing changes before the decision

    url = f"/api/v1/roster/swaps/{swap['id']}/decision"
    for not_a_decider in (officer, leader):  # an operator, a leader: neither decides swaps
        refused = not_a_decider.post(url, json={"decision": "approve", "actor": "sun.li"})
        assert (refused.status_code, refused.get_json()["code"]) == (403, "forbidden")
    approved = shift_leader.post(url, json={"decision": "approve"})
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    assert approved.get_json()["decided_by"] == "sun.li"
    again = shift_leader.post(url, json={"decision": "refuse"})
    assert again.status_code == 409 and again.get_json()["code"] == "already_decided"

    page = client.get("/roster?lang=en").get_data(as_text=True)
    assert "周红" in _row(page, week["first"]) and "李建国" not in _row(page, week["first"])
    assert "Approved by sun.li" in page
    with runtime.sessions() as session:
        kinds = session.scalars(select(DutyLogEntry.data).where(DutyLogEntry.kind == "roster_swap")
                                .order_by(DutyLogEntry.id)).all()
    assert [k["action"] for k in kinds] == ["requested", "approved"]


def test_a_refused_swap_leaves_the_roster(client, runtime, week):
    swap = client.post("/api/v1/roster/swaps", json={"shift_id": week["first"], "post": "duty_officer",
                                                     "to_person": "qian.lei", "actor": "zhao.min"}).get_json()
    refused = client.post(f"/api/v1/roster/swaps/{swap['id']}/decision",
                          json={"decision": "refuse", "actor": "sun.li", "reason": "人手不足"})
    assert refused.status_code == 200 and refused.get_json()["status"] == "refused"
    assert "赵敏" in _row(client.get("/roster").get_data(as_text=True), week["first"])
    assert client.get("/api/v1/roster/swaps?status=requested").get_json()["swaps"] == []
    assert [s["status"] for s in client.get("/api/v1/roster/swaps").get_json()["swaps"]] == ["refused"]


def test_who_asked_cannot_approve(client, runtime, week):
    log_in(client, runtime, "sun.li")  # a shift leader asking for a change to a shift
    swap = client.post("/api/v1/roster/swaps", json={"shift_id": week["second"], "post": "duty_officer",
                                                     "to_person": "zhao.min", "actor": "sun.li"}).get_json()
    answer = client.post(f"/api/v1/roster/swaps/{swap['id']}/decision", json={"decision": "approve", "actor": "sun.li"})
    assert (answer.status_code, answer.get_json()["code"]) == (403, "own_request")


@pytest.mark.parametrize("body, status, code", [
    ({"shift_id": "1", "post": "leader", "to_person": "zhou.hong", "actor": "x"}, 422, "bad_shift"),
    ({"shift_id": 999, "post": "leader", "to_person": "zhou.hong", "actor": "x"}, 404, "not_found"),
    ({"post": "cook", "to_person": "zhou.hong", "actor": "x"}, 422, "bad_post"),
    ({"post": "leader", "to_person": "nobody", "actor": "x"}, 422, "unknown_person"),
])
def test_bad_swap_requests_are_refused_clearly(client, week, body, status, code):
    body = {"shift_id": week["first"], **body}
    answer = client.post("/api/v1/roster/swaps", json=body)
    assert (answer.status_code, answer.get_json()["code"]) == (status, code)


@pytest.mark.parametrize("named", [{"actor": "sun.li"}, {"actor": ""}, {}])
def test_a_swap_is_asked_for_by_who_logged_in_whatever_the_body_names(client, runtime, week, named):
    log_in(client, runtime, "zhao.min")
    asked = client.post("/api/v1/roster/swaps", json={"shift_id": week["first"], "post": "duty_officer",
                                                      "to_person": "qian.lei", **named})
    assert asked.status_code == 201 and asked.get_json()["requested_by"] == "zhao.min"
    assert [s["requested_by"] for s in client.get("/api/v1/roster/swaps").get_json()["swaps"]] == ["zhao.min"]


def test_deciding_a_missing_swap_or_without_a_decision(client, week):
    assert client.post("/api/v1/roster/swaps/999/decision", json={"decision": "approve", "actor": "sun.li"}
                       ).status_code == 404
    assert client.post("/api/v1/roster/swaps/999/decision", json={"actor": "sun.li"}).status_code == 422
    assert client.post("/api/v1/roster/swaps/999/decision", data="x").status_code == 400


def test_the_page_speaks_chinese(client, week):
    page = client.get("/roster?lang=zh").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert re.search(r"周[一二三四五六日]", page)  # weekdays as Babel writes them in Chinese

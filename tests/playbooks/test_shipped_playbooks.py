"""The shipped playbooks: they load, and they send the people the issue asks for, in the order it asks."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from command.directory import department_codes
from playbooks import load_dir, match

SHIPPED = Path(__file__).resolve().parents[2] / "playbooks" / "shipped"
NIGHT = datetime(2024, 7, 1, 3, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
KINDS = ("flood", "fire", "earthquake", "weather", "security", "health")


@pytest.fixture(scope="module")
def shipped():
    return {p.name: p for p in load_dir(SHIPPED, department_codes())}


def facts(**given) -> dict:
    base = {"category": "other", "event": "", "headline": "", "severity": "unknown", "grade": None,
            "grade_proposed": None, "region_code": "330100", "lat": 30.27, "lon": 120.15, "source": "demo-cap",
            "sensitive": False, "departments": []}
    return base | given


def first_round(steps: list) -> list[tuple]:
    """(minute, step type, who, channels) for each notification until the first repeat, assuming nobody acknowledges."""
    minute, sent = 0.0, []
    for step in steps:
        if step["type"] == "repeat":
            break
        if step["type"] == "wait":
            minute += step["minutes"]
        elif step["type"].startswith("notify_"):
            who = step.get("post") or ",".join(step.get("departments", []))
            if step["type"] == "notify_role":
                who = f"{step['role']} of {step['department']}"
            sent.append((minute, step["type"], who, tuple(step["channels"])))
    return sent


def test_every_kind_has_a_grade_I_II_and_a_grade_III_IV_playbook_and_catch_alls(shipped):
    expected = {f"{kind}-grade-{grades}" for kind in KINDS for grades in ("I-II", "III-IV")}
    assert set(shipped) == expected | {"any-grade-I-II", "any-severe"}
    for playbook in shipped.values():
        assert playbook.title["en"] and re.search(r"[\u4e00-\u9fff]", playbook.title["zh"]), playbook.name


def test_grade_II_flood_follows_the_issue(shipped):
    playbook = match(shipped.values(), facts(category="met", event="Flood warning", severity="severe",
                                             grade_proposed="II", departments=["water"]), NIGHT)
    assert playbook.name == "flood-grade-I-II"
    assert first_round(playbook.steps) == [
        (0, "notify_on_duty", "leader", ("sms",)),  # always, even after an acknowledgement
        (0, "notify_liaisons", "water,emergency", ("web", "sms")),
        (5, "notify_role", "head of water", ("web", "sms")),
        (10, "notify_on_duty", "leader", ("sms",)),
    ]
    repeat = next(step for step in playbook.steps if step["type"] == "repeat")
    assert repeat["times"] == 2 and repeat["from"] == "first-call"


@pytest.mark.parametrize("name", [f"{kind}-grade-I-II" for kind in KINDS] + ["any-grade-I-II"])
def test_grade_I_II_always_sms_the_leader_before_any_acknowledgement_can_stop_it(shipped, name):
    steps = shipped[name].steps
    first_condition = next(i for i, step in enumerate(steps) if step["type"] == "if_not_acknowledged")
    assert {"type": "notify_on_duty", "post": "leader", "channels": ["sms"]} in steps[:first_condition]


@pytest.mark.parametrize("name", [f"{kind}-grade-III-IV" for kind in KINDS] + ["any-severe"])
def test_lower_grades_never_page_the_leader(shipped, name):
    assert not any(step.get("post") == "leader" or step.get("role") == "leader" for step in shipped[name].steps)


@pytest.mark.parametrize("given, expected", [
    ({"category": "met", "event": "Flood warning", "grade_proposed": "II"}, "flood-grade-I-II"),
    ({"category": "met", "event": "暴雨洪水", "grade": "III"}, "flood-grade-III-IV"),
    ({"category": "met", "event": "Discharge above flood level", "grade_proposed": "I"}, "flood-grade-I-II"),
    ({"category": "met", "event": "Typhoon", "grade_proposed": "II"}, "weather-grade-I-II"),
    ({"category": "met", "event": "高温", "grade_proposed": "IV"}, "weather-grade-III-IV"),
    ({"category": "fire", "event": "Bushfire", "grade_proposed": "II"}, "fire-grade-I-II"),
    ({"category": "geo", "event": "Earthquake", "grade_proposed": "I"}, "earthquake-grade-I-II"),
    ({"category": "geo", "event": "Landslide", "severity": "severe", "grade_proposed": "II"}, "any-grade-I-II"),
    ({"category": "security", "grade": "IV"}, "security-grade-III-IV"),
    ({"category": "health", "grade": "II"}, "health-grade-I-II"),
    ({"category": "transport", "severity": "extreme", "grade": "III"}, "any-severe"),
    ({"category": "transport", "severity": "minor", "grade_proposed": "IV"}, None),
])
def test_each_kind_of_incident_gets_its_playbook(shipped, given, expected):
    found = match(shipped.values(), facts(**given), NIGHT)
    assert (found.name if found else None) == expected

"""Which playbook an incident gets: every criterion, and the order among several that match."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from playbook_text import DEPARTMENTS, minimal

from playbooks import load_file, match, ranked

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2024, 7, 1, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture
def playbook(write):
    """playbook(match_yaml, name="p", priority=0) -> a loaded Playbook with that match block."""
    def _playbook(match_yaml: str, name: str = "p", priority: int = 0):
        return load_file(write(f"{name}.yaml", minimal(name, match_yaml, priority)), DEPARTMENTS)
    return _playbook


def facts(**given) -> dict:
    base = {"category": "other", "event": "", "headline": "", "severity": "unknown", "grade": None,
            "grade_proposed": None, "region_code": None, "lat": None, "lon": None, "source": "demo-cap",
            "sensitive": False, "departments": []}
    return base | given


def matches(pb, at: datetime = NOON, **given) -> bool:
    return match([pb], facts(**given), at) is pb


def test_category(playbook):
    pb = playbook("category: [env, met]")
    assert matches(pb, category="env") and matches(pb, category="met")
    assert not matches(pb, category="fire")


def test_event_words_are_found_in_event_or_headline_ignoring_case(playbook):
    pb = playbook("event: [flood, 洪]")
    assert matches(pb, event="Flash Flood Warning")
    assert matches(pb, event="Gage height", headline="RIVER FLOODING at Lanxi")
    assert matches(pb, headline="钱塘江发生洪水")
    assert not matches(pb, event="Wildfire", headline="Forest fire near Hangzhou")


def test_severity(playbook):
    pb = playbook("severity: [extreme, severe]")
    assert matches(pb, severity="severe")
    assert not matches(pb, severity="moderate")


def test_grade_is_the_confirmed_grade_else_the_proposed_one(playbook):
    pb = playbook("grade: [I, II]")
    assert matches(pb, grade_proposed="II")
    assert matches(pb, grade="I", grade_proposed="III")
    assert not matches(pb, grade="III", grade_proposed="II")  # the operator's grade wins over the proposal
    assert not matches(pb)  # not graded at all


def test_region_codes_are_prefixes(playbook):
    pb = playbook('region_code: ["3301", "0101"]')
    assert matches(pb, region_code="330106")
    assert matches(pb, region_code="010100")  # a leading zero survives YAML
    assert not matches(pb, region_code="330206")
    assert not matches(pb, region_code="33")
    assert not matches(pb)


def test_area_boxes(playbook):
    pb = playbook("area: [[119.5, 29.5, 121.0, 30.7], [113.0, 22.0, 114.5, 23.5]]")
    assert matches(pb, lat=30.27, lon=120.15)  # Hangzhou, first box
    assert matches(pb, lat=23.13, lon=113.26)  # Guangzhou, second box
    assert not matches(pb, lat=31.23, lon=121.47)  # Shanghai
    assert not matches(pb)  # no position


def test_a_single_box_may_be_written_without_the_outer_list(playbook):
    pb = playbook("area: [119.5, 29.5, 121.0, 30.7]")
    assert pb.match["area"] == [[119.5, 29.5, 121.0, 30.7]]
    assert matches(pb, lat=30.27, lon=120.15)


def test_a_box_with_west_east_of_east_crosses_the_antimeridian(playbook):
    pb = playbook("area: [[170, -50, -170, -30]]")  # around the Chatham Islands
    assert matches(pb, lat=-44.0, lon=-176.5)
    assert matches(pb, lat=-40.0, lon=175.0)
    assert not matches(pb, lat=-40.0, lon=0.0)
    assert not matches(pb, lat=-20.0, lon=179.0)


def test_source_sensitive_and_departments(playbook):
    source = playbook("source: [cma-cap]", name="s")
    assert matches(source, source="cma-cap") and not matches(source, source="demo-cap")
    sensitive = playbook("sensitive: true", name="t")
    assert matches(sensitive, sensitive=True) and not matches(sensitive, sensitive=False)
    calm = playbook("sensitive: false", name="f")
    assert matches(calm, sensitive=False) and not matches(calm, sensitive=True)
    water = playbook("departments: [water]", name="w")
    assert matches(water, departments=["fire", "water"]) and not matches(water, departments=["fire"])


def test_every_given_criterion_must_hold(playbook):
    pb = playbook("category: [met]\nevent: [flood]\ngrade: [II]")
    assert matches(pb, category="met", event="Flood", grade="II")
    assert not matches(pb, category="met", event="Flood", grade="III")
    assert not matches(pb, category="met", event="Typhoon", grade="II")


@pytest.mark.parametrize("hour, minute, expected", [
    (21, 59, False), (22, 0, True), (23, 30, True), (0, 0, True), (5, 59, True), (6, 0, False), (12, 0, False)])
def test_time_of_day_wraps_midnight_in_the_duty_rooms_zone(playbook, hour, minute, expected):
    pb = playbook("time_of_day: {from: 22:00, to: 06:00}")  # unquoted: not YAML 1.1's base-60 numbers
    assert matches(pb, at=datetime(2024, 7, 1, hour, minute, tzinfo=SHANGHAI)) is expected


def test_time_of_day_reads_the_local_wall_clock(playbook):
    pb = playbook("time_of_day: {from: '22:00', to: '06:00'}")
    instant = datetime(2024, 7, 1, 15, 30, tzinfo=timezone.utc)  # 23:30 in Shanghai
    assert matches(pb, at=instant.astimezone(SHANGHAI))
    assert not matches(pb, at=instant)  # the caller must convert: 15:30 UTC is outside the window


def test_time_of_day_within_one_day(playbook):
    pb = playbook("time_of_day: {from: '08:30', to: '17:30'}")
    assert matches(pb, at=datetime(2024, 7, 1, 8, 30, tzinfo=SHANGHAI))
    assert not matches(pb, at=datetime(2024, 7, 1, 17, 30, tzinfo=SHANGHAI))
    assert not matches(pb, at=datetime(2024, 7, 1, 2, 0, tzinfo=SHANGHAI))


def test_a_naive_local_time_is_refused(playbook):
    with pytest.raises(ValueError, match="aware"):
        match([playbook("{}")], facts(), datetime(2024, 7, 1, 12, 0))


def test_an_empty_match_block_matches_everything_and_nothing_matching_gives_none(playbook):
    assert matches(playbook("{}"), category="transport")
    assert match([playbook("category: [fire]", name="fire")], facts(category="geo"), NOON) is None
    assert match([], facts(), NOON) is None


def test_the_highest_priority_wins(playbook):
    low = playbook("category: [met]\nevent: [flood]", name="low", priority=10)
    high = playbook("category: [met]", name="high", priority=50)
    found = facts(category="met", event="flood")
    assert match([low, high], found, NOON) is high
    assert match([high, low], found, NOON) is high


def test_on_equal_priority_more_criteria_wins_then_the_name(playbook):
    broad = playbook("category: [met]", name="a-broad", priority=10)
    specific = playbook("category: [met]\nevent: [flood]", name="z-specific", priority=10)
    twin = playbook("category: [met]\nseverity: [severe]", name="m-twin", priority=10)
    found = facts(category="met", event="flood", severity="severe")
    assert match([broad, specific, twin], found, NOON) is twin  # two criteria each: "m-twin" < "z-specific"
    assert match([specific, twin, broad], found, NOON) is twin
    assert [p.name for p in ranked([broad, specific, twin], found, NOON)] == ["m-twin", "z-specific", "a-broad"]
    assert match([broad, specific], facts(category="met", event="flood"), NOON) is specific

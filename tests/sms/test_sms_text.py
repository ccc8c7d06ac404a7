"""SMS bodies: segment counting (GSM-7 and UCS-2) and compose() on real corpus headlines."""

from __future__ import annotations

from pathlib import Path

import pytest

from command.sms.text import compose, is_gsm, segments
from feeds.adapters.errors import PayloadRefused
from feeds.adapters.registry import ADAPTERS, detect_formats

SAMPLES = Path(__file__).resolve().parents[2] / "feeds" / "samples"


@pytest.mark.parametrize("text, expected", [
    ("", 1),
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
    ("{" * 80, 1), ("{" * 81, 2),  # extension characters take two septets
    ("a" * 152 + "{" + "a" * 152, 3),  # 306 septets, but the escape pair cannot straddle a boundary
    ("中" * 70, 1), ("中" * 71, 2), ("中" * 134, 2), ("中" * 135, 3),
    ("a" * 69 + "中", 1), ("a" * 160 + "中", 3),  # one Chinese character makes the whole message UCS-2
    ("😀" * 35, 1), ("😀" * 35 + "a", 2),  # outside the BMP: two UTF-16 code units each
    ("中" * 66 + "😀" + "中" * 66, 3),  # 134 units, but the surrogate pair cannot be split
])
def test_segments_follow_the_gsm7_and_ucs2_budgets(text, expected):
    assert segments(text) == expected


def test_ellipsis_and_euro_are_classified_as_phones_do():
    assert is_gsm("Flood at Ä-town, 5€ [sic]")
    assert not is_gsm("Flood…")  # "…" is not in the GSM alphabet
    assert not is_gsm("洪水")


def test_compose_short_messages_in_both_languages():
    assert compose("秦淮河水位超过警戒水位", "II", "A7", "zh", False) == "【II级】秦淮河水位超过警戒水位 回复A7 1确认"
    assert compose("River over warning level", "I", "A7", "en", False) == \
        "[Grade I] River over warning level. Reply A7 1 to ack"
    assert compose("Levee breached!", None, "B2", "en", False) == "Levee breached! Reply B2 1 to ack"


def test_compose_marks_exercises():
    assert compose("演练：水库溃坝", "I", "C3", "zh", True).startswith("【演练】【I级】演练：水库溃坝")
    assert compose("Dam break drill", "I", "C3", "en", True).startswith("[EXERCISE] [Grade I] Dam break drill")


def test_a_long_chinese_headline_is_cut_with_an_ellipsis_and_keeps_the_code():
    headline = "惠东县气象台发布暴雨黄色预警：预计未来3小时内惠东县将出现50毫米以上降雨，并伴有雷电和短时大风，请注意防范山洪和城乡积涝"
    body = compose(headline, "II", "Z435", "zh", False)
    assert segments(body) == 1 and len(body) == 70
    assert body.endswith("… 回复Z435 1确认")
    assert body.startswith("【II级】惠东县气象台发布暴雨黄色预警")


def test_a_long_ascii_headline_stays_gsm7_and_uses_three_dots():
    headline = ("The tsunami Warning continues in effect for the coastal areas of Alaska from Unimak Pass, Alaska "
                "(80 miles NE of Dutch Harbor) to Amchitka Pass, Alaska (125 miles W of Adak)")
    body = compose(headline, "I", "A7", "en", False)
    assert is_gsm(body) and segments(body) == 1 and len(body) > 140
    assert body.endswith("... Reply A7 1 to ack")


def test_cutting_away_the_only_non_gsm_character_keeps_the_larger_budget():
    body = compose("x" * 200 + " 中", "II", "A7", "en", False)
    assert is_gsm(body) and segments(body) == 1 and len(body) > 140


def test_a_headline_with_whitespace_and_none_headline():
    assert compose("  Flood\nwarning\t ", "II", "A7", "en", False) == "[Grade II] Flood warning. Reply A7 1 to ack"
    assert compose(None, None, "A7", "zh", False) == "（无标题） 回复A7 1确认"


def test_more_segments_can_be_allowed():
    headline = "水" * 200
    body = compose(headline, "III", "A7", "zh", False, max_segments=2)
    assert segments(body) == 2 and body.endswith("… 回复A7 1确认")


def test_a_budget_the_code_alone_cannot_fit_is_refused():
    with pytest.raises(ValueError):
        compose("x", "II", "A" + "7" * 80, "zh", True)


def corpus_headlines() -> list[tuple[str, str]]:
    """(sample file, headline) for every event of every sample payload an adapter reads."""
    found = []
    for path in sorted(SAMPLES.iterdir()):
        payload = path.read_bytes()
        names = detect_formats(payload)
        if len(names) != 1:
            continue
        adapter = ADAPTERS[names[0]]
        try:
            events, _ = adapter.parse_report(payload, adapter.SOURCE)
        except PayloadRefused:
            continue  # the hostile samples
        found.extend((path.name, event.headline) for event in events)
    return found


def test_every_leader_sms_for_corpus_headlines_is_one_segment_with_its_code():
    headlines = corpus_headlines()
    assert len({name for name, _ in headlines}) >= 30 and len(headlines) > 1000
    cut = {"gsm": 0, "ucs2": 0}
    for name, headline in headlines:
        for grade in ("I", "II"):
            for language, instruction in (("zh", " 回复Z435 1确认"), ("en", " Reply Z435 1 to ack")):
                body = compose(headline, grade, "Z435", language, False)
                assert segments(body) == 1, (name, headline, language, body)
                assert body.endswith(instruction), (name, body)
                if body.endswith("…" + instruction) or body.endswith("..." + instruction):
                    cut["gsm" if is_gsm(body) else "ucs2"] += 1
    # The corpus exercises both encodings' cutting, so the assertions above mean something.
    assert cut["gsm"] > 0 and cut["ucs2"] > 0

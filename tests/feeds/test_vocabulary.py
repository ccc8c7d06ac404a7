"""One vocabulary: severity with its rank and warning colour, grade with its rank, the CAP words; every list is it."""

from __future__ import annotations

import pytest

from feeds.vocabulary import (DRILL_STATUSES, Category, Grade, Severity, WarningLevel, grade_rank, severity_rank,
                              warning_level, words)


def test_severities_are_ranked_gravest_first_and_unknown_ranks_nothing():
    assert [(s.value, s.rank) for s in Severity] == [
        ("extreme", 4), ("severe", 3), ("moderate", 2), ("minor", 1), ("unknown", 0)]
    assert severity_rank("severe") == 3
    assert severity_rank(None) == severity_rank("catastrophic") == 0


def test_each_known_severity_stands_for_one_warning_colour_and_back():
    assert [s.warning_level for s in Severity] == [WarningLevel.RED, WarningLevel.ORANGE, WarningLevel.YELLOW,
                                                   WarningLevel.BLUE, None]
    assert all(level.severity.warning_level is level for level in WarningLevel)


def test_grades_are_ranked_i_gravest_and_no_grade_is_zero():
    assert [(g.value, g.rank) for g in Grade] == [("I", 4), ("II", 3), ("III", 2), ("IV", 1)]
    assert grade_rank("II") == 3
    assert grade_rank(None) == grade_rank("") == grade_rank("V") == 0


@pytest.mark.parametrize("word, colour", [
    ("Red", WarningLevel.RED), (" orange ", WarningLevel.ORANGE), ("黄色", WarningLevel.YELLOW),
    ("蓝", WarningLevel.BLUE), ("紅色", WarningLevel.RED), ("黃", WarningLevel.YELLOW), ("藍色", WarningLevel.BLUE),
    ("green", None), ("红色预警", None), ("色", None), ("", None), (None, None),
])
def test_a_colour_word_names_its_warning_level(word, colour):
    assert warning_level(word) == colour


def test_the_cap_words_are_plain_strings_in_cap_order():
    assert words(Category) == ("geo", "met", "safety", "security", "rescue", "fire", "health", "env", "transport",
                               "infra", "cbrne", "other")
    assert all(type(word) is str for word in words(Severity))
    assert set(DRILL_STATUSES) == {"exercise", "test", "draft"}


def test_every_list_of_these_words_is_the_vocabulary():
    import command.enums
    import maps.console_map
    import playbooks.vocab
    from feeds import event

    assert (command.enums.Severity, command.enums.Grade) == (Severity, Grade)
    assert command.enums.grade_rank is grade_rank
    assert (event.SEVERITIES, event.CATEGORIES) == (words(Severity), words(Category))
    assert (playbooks.vocab.SEVERITIES, playbooks.vocab.CATEGORIES, playbooks.vocab.GRADES) == (
        words(Severity), words(Category), words(Grade))
    assert tuple(maps.console_map.SEVERITY_COLOURS) == words(Severity)
    colours = maps.console_map.SEVERITY_COLOURS
    assert colours["extreme"] == maps.console_map.WARNING_HEX[WarningLevel.RED]
    assert colours["unknown"] not in maps.console_map.WARNING_HEX.values()

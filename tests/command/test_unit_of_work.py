"""One way to publish: a unit of work publishes what its transaction announced, after commit, never otherwise."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from command import dutylog
from command.events import DutyLogAppended, FeedHealthChanged
from command.unit_of_work import NoUnitOfWork, announce

ROOT = Path(__file__).resolve().parents[2]
HEALTH = FeedHealthChanged({"source": "a"})


def test_events_are_published_in_order_after_the_commit(runtime):
    published = []
    runtime.publisher.subscribe(published.append)
    with runtime.unit_of_work() as session:
        announce(session, HEALTH)
        entry = dutylog.append(session, kind="note", summary="written", author="wang")
        assert published == [], "nothing is pushed before the data can be read"
    assert published == [HEALTH, DutyLogAppended(dutylog.entry_dict(entry))]


def test_a_rolled_back_unit_of_work_publishes_nothing_and_writes_nothing(runtime):
    published = []
    runtime.publisher.subscribe(published.append)
    with pytest.raises(RuntimeError), runtime.unit_of_work() as session:
        announce(session, HEALTH)
        dutylog.append(session, kind="note", summary="never kept", author="wang")
        raise RuntimeError("the transaction fails")
    assert published == []
    with runtime.sessions() as session:
        assert dutylog.verify(session).checked == 0


def test_an_event_announced_outside_a_unit_of_work_is_refused(runtime):
    with pytest.raises(NoUnitOfWork), runtime.sessions.begin() as session:
        announce(session, HEALTH)


def test_no_module_publishes_but_the_unit_of_work():
    """The publisher is called in one place: every domain event leaves command through a unit of work."""
    callers = []
    for path in [*ROOT.glob("command/**/*.py"), *ROOT.glob("feeds/**/*.py"), *ROOT.glob("web/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "publish":
                callers.append(str(path.relative_to(ROOT)))
    assert callers == ["command/unit_of_work.py"]

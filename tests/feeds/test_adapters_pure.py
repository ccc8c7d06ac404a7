"""The adapters and the leaf modules they share with the pipeline import nothing of the database or Flask.

Adapters are pure parsers (bytes in, FeedEvents out); the pipeline in feeds/
imports them, never the reverse. feeds/event.py is the leaf both sides import;
the vocabulary and the geometry under it import only the standard library.
"""

from __future__ import annotations

import sys

import pytest

from tests.import_rules import ROOT, imports_in, loaded_by_importing, modules_under

FORBIDDEN = ("command", "sqlalchemy", "flask", "web")
ADAPTERS = modules_under(ROOT / "feeds" / "adapters")
STDLIB_ONLY = ["feeds.vocabulary", "feeds.geometry"]
LEAVES = ["feeds.event", *STDLIB_ONLY]
PURE = ["feeds", *LEAVES, *ADAPTERS]


def test_every_adapter_module_is_checked():
    assert {"feeds.adapters.registry", "feeds.adapters.cap", "feeds.adapters.adapter_util"} <= set(ADAPTERS)
    assert len(ADAPTERS) > 30


def _allowed(name: str) -> bool:
    """Nothing of the database or Flask; of feeds/, only the adapters and the leaves."""
    if name.split(".")[0] in FORBIDDEN:
        return False
    if name.split(".")[0] != "feeds" or name == "feeds":
        return True
    return any(name == pure or name.startswith(pure + ".") for pure in ("feeds.adapters", *LEAVES))


@pytest.mark.parametrize("module", PURE)
def test_the_source_imports_nothing_of_the_database_or_flask(module):
    wrong = [f"line {line}: {name}" for line, name in imports_in(module) if not _allowed(name)]
    assert not wrong, f"{module} must stay pure; it imports {wrong}"


@pytest.mark.parametrize("module", STDLIB_ONLY)
def test_the_vocabulary_and_the_geometry_import_only_the_standard_library(module):
    wrong = [f"line {line}: {name}" for line, name in imports_in(module)
             if name.split(".")[0] not in sys.stdlib_module_names]
    assert not wrong, f"{module} must import only the standard library; it imports {wrong}"


@pytest.fixture(scope="module")
def loaded() -> dict[str, list[str]]:
    return loaded_by_importing(PURE, FORBIDDEN)


def test_a_fresh_interpreter_starts_without_them(loaded):
    assert loaded["(interpreter start)"] == []


@pytest.mark.parametrize("module", PURE)
def test_importing_it_loads_nothing_of_the_database_or_flask(loaded, module):
    assert loaded[module] == [], f"importing {module} loads {loaded[module]}"

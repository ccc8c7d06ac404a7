"""playbooks/ imports nothing of command/, the database or Flask: the department codes are passed in by its callers.

Only ``python -m playbooks`` (playbooks/__main__.py), a caller like the escalation
worker, reads them through command.directory. Of feeds/ it reads the vocabulary.
"""

from __future__ import annotations

import pytest

from tests.import_rules import ROOT, imports_in, loaded_by_importing, modules_under

FORBIDDEN = ("command", "sqlalchemy", "flask", "web")
LIBRARY = [name for name in modules_under(ROOT / "playbooks") if name != "playbooks.__main__"]


def _allowed(name: str) -> bool:
    root = name.split(".")[0]
    if root == "feeds":
        return name in ("feeds", "feeds.vocabulary") or name.startswith("feeds.vocabulary.")
    return root not in FORBIDDEN


@pytest.mark.parametrize("module", LIBRARY)
def test_the_source_imports_nothing_of_command(module):
    wrong = [f"line {line}: {name}" for line, name in imports_in(module) if not _allowed(name)]
    assert not wrong, f"{module} must not import {wrong}; its callers pass in what it needs"


def test_importing_the_library_loads_nothing_of_command():
    loaded = loaded_by_importing(LIBRARY, FORBIDDEN)
    assert {module: found for module, found in loaded.items() if found} == {}

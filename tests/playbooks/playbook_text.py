"""Small valid playbook texts for tests to vary."""

from __future__ import annotations

import textwrap

from command.directory import department_codes

DEPARTMENTS = department_codes()  # what callers pass in: the codes of command/data/departments.yaml


def minimal(name: str, match: str = "{}", priority: int = 0) -> str:
    """A valid playbook named ``name``; ``match`` is the YAML of its match block (unindented)."""
    block = textwrap.indent(textwrap.dedent(match).strip("\n"), "  ")
    return (f'name: {name}\ntitle: {{en: "Test {name}", zh: "测试 {name}"}}\npriority: {priority}\n'
            f"match:\n{block}\nsteps:\n  - type: notify_liaisons\n    departments: [water]\n")

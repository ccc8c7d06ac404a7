"""Read YAML as a node tree and check its shape, collecting every problem with file, line and column.

Validation walks the composed nodes rather than the constructed data because
only nodes remember where they were written. Scalars meant as text keep the
text as written: ``22:00`` is not YAML 1.1's sexagesimal 1320, ``0101`` is not
octal 65, ``no`` is not False. Aliases are refused so a file says each thing
once and exactly where.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
_CONSTRUCT = yaml.constructor.SafeConstructor()
_TIME = re.compile(r"(\d{1,2}):(\d{2})\Z")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a playbook file; line and column count from 1 (None for the file as a whole)."""

    file: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class _Loader(yaml.SafeLoader):
    """A SafeLoader that composes nodes with their marks and refuses aliases."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed; write the value out", mark)
        return super().compose_node(parent, index)


def compose(text: str) -> Node | None:
    """Return the root node of the one YAML document in ``text`` (None when empty); raises yaml.YAMLError."""
    return yaml.compose(text, Loader=_Loader)


def describe(node: Node) -> str:
    """Say what kind of value a node holds, for 'must be X, not Y' messages."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == NULL and not node.style:
        return "empty"
    return repr(node.value)


class Checker:
    """Collects the problems of one file; each helper returns the checked value or None after recording why not."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def error(self, node: Node | yaml.Mark, message: str) -> None:
        mark = node.start_mark if isinstance(node, Node) else node
        self.problems.append(Problem(self.file, mark.line + 1, mark.column + 1, message))

    def mapping(self, node: Node, what: str, required: tuple = (), optional: tuple = ()) -> dict[str, Node] | None:
        """Return key -> value node of a mapping, recording unknown, duplicate and missing keys."""
        allowed = tuple(dict.fromkeys(required + optional))
        if not isinstance(node, MappingNode):
            self.error(node, f"{what} must be a mapping with keys {', '.join(allowed)}, not {describe(node)}")
            return None
        found: dict[str, Node] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str):
                self.error(key_node, f"{what}: a key must be a word, not {describe(key_node)}")
            elif key in first_line:
                self.error(key_node, f"{what}: duplicate key {key!r} (first on line {first_line[key]})")
            else:
                first_line[key] = key_node.start_mark.line + 1
                if key in allowed:
                    found[key] = value_node
                else:
                    self.error(key_node, f"{what}: unknown key {key!r}; expected one of: {', '.join(allowed)}")
        for key in required:
            if key not in first_line:
                self.error(node, f"{what}: missing key {key!r}")
        return found

    def items(self, node: Node, what: str, scalar_ok: bool = True) -> list[Node] | None:
        """Return the item nodes of a list; a single scalar counts as a list of one when ``scalar_ok``."""
        if isinstance(node, SequenceNode):
            if not node.value:
                self.error(node, f"{what} must not be an empty list")
                return None
            return list(node.value)
        if scalar_ok and isinstance(node, ScalarNode) and describe(node) != "empty":
            return [node]
        self.error(node, f"{what} must be a list, not {describe(node)}")
        return None

    def each(self, node: Node, what: str, one: Callable[[Node, str], Any]) -> list | None:
        """Check every item of a list (or a lone scalar) with ``one``; duplicates are errors."""
        items = self.items(node, what)
        if items is None:
            return None
        values: list = []
        for item in items:
            value = one(item, what)
            if value is not None and value in values:
                self.error(item, f"{what}: {value!r} is listed twice")
            elif value is not None:
                values.append(value)
        return values if len(values) == len(items) else None

    def clock(self, node: Node, what: str) -> str | None:
        """Return an "HH:MM" time of day, normalised to two digits each."""
        text = self.text(node, what)
        found = _TIME.match(text.strip()) if text else None
        if text is not None and not (found and int(found[1]) < 24 and int(found[2]) < 60):
            self.error(node, f"{what}: {text!r} is not a time of day (HH:MM from 00:00 to 23:59)")
            return None
        return f"{int(found[1]):02d}:{found[2]}" if found else None


    def text(self, node: Node, what: str) -> str | None:
        """Return a scalar's text as written; empty values and collections are errors."""
        if not isinstance(node, ScalarNode) or describe(node) == "empty" or not node.value.strip():
            self.error(node, f"{what} must be text, not {describe(node)}")
            return None
        return node.value

    def choice(self, node: Node, what: str, choices: tuple[str, ...], fold: bool = True) -> str | None:
        """Return one of ``choices`` (compared case-insensitively when ``fold``), else record the valid ones."""
        value = self.text(node, what)
        if value is None:
            return None
        for choice in choices:
            if value == choice or (fold and value.casefold() == choice.casefold()):
                return choice
        self.error(node, f"{what}: unknown value {value!r}; expected one of: {', '.join(choices)}")
        return None

    def integer(self, node: Node, what: str, minimum: int | None = None, maximum: int | None = None) -> int | None:
        """Return a whole number within the bounds."""
        return self._bounded(node, what, (INT,), "a whole number", minimum, maximum)

    def number(self, node: Node, what: str, minimum: float | None = None, maximum: float | None = None,
               above: float | None = None) -> float | int | None:
        """Return a number (whole or decimal) within the bounds; ``above`` is an exclusive minimum."""
        value = self._bounded(node, what, (INT, FLOAT), "a number", minimum, maximum)
        if value is not None and above is not None and value <= above:
            self.error(node, f"{what} must be greater than {above:g}, not {value:g}")
            return None
        return value

    def boolean(self, node: Node, what: str) -> bool | None:
        if isinstance(node, ScalarNode) and node.tag == BOOL:
            return _CONSTRUCT.construct_yaml_bool(node)
        self.error(node, f"{what} must be true or false, not {describe(node)}")
        return None

    def _bounded(self, node: Node, what: str, tags: tuple, kind: str, minimum, maximum) -> Any:
        if not (isinstance(node, ScalarNode) and node.tag in tags and node.style is None):
            self.error(node, f"{what} must be {kind}, not {describe(node)}")
            return None
        value = _CONSTRUCT.construct_yaml_int(node) if node.tag == INT else _CONSTRUCT.construct_yaml_float(node)
        if value != value or value in (float("inf"), float("-inf")):
            self.error(node, f"{what} must be a finite number")
            return None
        if minimum is not None and value < minimum:
            self.error(node, f"{what} must be at least {minimum:g}, not {value:g}")
            return None
        if maximum is not None and value > maximum:
            self.error(node, f"{what} must be at most {maximum:g}, not {value:g}")
            return None
        return value

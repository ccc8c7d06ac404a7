"""Read the small YAML files that configure adapters (CAD mappings, flood thresholds), with line numbers in errors.

Every scalar stays the text it was written as: a site number 01645000 is not read
as an octal integer, ``no`` is not False, and the schema code converts numbers
itself. Anchors, aliases, merge keys and duplicate keys are refused, so a file
says each thing once and exactly where. Errors are ``ConfigError`` subclasses
(ValueError) whose message starts with the file name, line and key path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml

_NULL_TAG = "tag:yaml.org,2002:null"
MAX_CONFIG_BYTES = 1024 * 1024


class ConfigError(ValueError):
    """A configuration file is wrong; ``where`` names file, line and key path, ``problem`` says what."""

    def __init__(self, where: str, problem: str, line: int | None = None):
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem
        self.line = line


@dataclass(frozen=True)
class Doc:
    """A parsed config file: the plain data plus the line of every key path, for error messages."""

    name: str
    root: Any
    error: type[ConfigError]
    lines: dict[tuple, int] = field(default_factory=dict)

    def line(self, path: tuple) -> int | None:
        """Return the line of ``path``, or of its nearest parent that has one."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path)

    def fail(self, path: tuple, problem: str) -> NoReturn:
        """Raise this file's error class for ``path``."""
        line = self.line(path)
        keys = ".".join(str(key) for key in path) or "(top level)"
        where = f"{self.name} line {line}, {keys}" if line else f"{self.name}, {keys}"
        raise self.error(where, problem, line)

    def table(self, path: tuple, value: Any, required: tuple = (), optional: tuple = ()) -> dict:
        """Return ``value`` as a mapping with only the allowed keys and all required ones, else fail."""
        if not isinstance(value, dict):
            self.fail(path, f"must be a mapping with keys {', '.join(dict.fromkeys(required + optional))}")
        allowed = set(required) | set(optional)
        for key in value:
            if key not in allowed:
                self.fail((*path, key), f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")
        for key in required:
            if value.get(key) is None:
                self.fail(path, f"missing {key!r}")
        return value

    def pairs(self, path: tuple, value: Any) -> dict:
        """Return ``value`` as a mapping with any keys (a lookup table), else fail."""
        if not isinstance(value, dict):
            self.fail(path, "must be a mapping (key: value lines)")
        return value

    def text(self, path: tuple, value: Any) -> str:
        """Return ``value`` as non-empty text, else fail."""
        if not isinstance(value, str) or not value.strip():
            self.fail(path, "must be non-empty text")
        return value

    def texts(self, path: tuple, value: Any) -> list[str]:
        """Return text or a list of texts as a non-empty list, else fail."""
        if isinstance(value, str):
            return [self.text(path, value)]
        if not isinstance(value, list) or not value:
            self.fail(path, "must be text or a non-empty list of texts")
        return [self.text((*path, index), item) for index, item in enumerate(value)]

    def number(self, path: tuple, value: Any) -> float:
        """Return ``value`` as a finite number, else fail."""
        try:
            number = float(value) if isinstance(value, str) else math.nan
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            self.fail(path, f"must be a number, not {value!r}")
        return number

    def choice(self, path: tuple, value: Any, options: tuple) -> str:
        """Return ``value`` when it is one of ``options``, else fail listing them."""
        if value not in options:
            self.fail(path, f"{value!r} is not one of {', '.join(options)}")
        return value


def read(path: Path, error: type[ConfigError]) -> Doc:
    """Return the Doc of the YAML file at ``path``; raise ``error`` with a line number when it is unreadable."""
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise error(str(path), f"cannot read the file: {exc.strerror or exc}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise error(name, f"is {len(raw)} bytes, more than {MAX_CONFIG_BYTES}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(name, f"is not UTF-8 (byte {exc.start})") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise error(f"{name} line {line}", f"not valid YAML: {exc.problem or exc}", line) from None
    except yaml.YAMLError as exc:
        raise error(name, f"not valid YAML: {exc}") from None
    doc = Doc(name, None, error)
    if node is None:
        doc.fail((), "the file is empty")
    return Doc(name, _plain(doc, node, (), set()), error, doc.lines)


def _plain(doc: Doc, node: yaml.Node, path: tuple, seen: set[int]) -> Any:
    """Turn a composed YAML node into dicts, lists, text and None, recording each path's line."""
    if id(node) in seen:
        doc.fail(path, "anchors and aliases (&, *) are not supported: write the value out")
    seen.add(id(node))
    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                doc.lines[path] = key_node.start_mark.line + 1
                doc.fail(path, "keys must be plain text")
            key = key_node.value
            doc.lines[(*path, key)] = key_node.start_mark.line + 1
            if key in out:
                doc.fail((*path, key), "duplicate key")
            out[key] = _plain(doc, value_node, (*path, key), seen)
            doc.lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(doc, item, (*path, index), seen) for index, item in enumerate(node.value)]
    if node.tag == _NULL_TAG and node.style is None:
        return None
    return node.value

"""Load a directory of playbook YAML files (one playbook per file) into Playbook objects.

Every file is checked and every problem collected before anything is refused, so
an administrator fixes a directory in one pass. A playbook's ``version`` is a hash
of its file's bytes: an escalation stores ``snapshot()`` and the version it ran.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from playbooks.matcher import Criteria, compile_criteria
from playbooks.schema import check_document
from playbooks.yamlnodes import Problem, compose

MAX_FILE_BYTES = 256 * 1024
SUFFIXES = (".yaml", ".yml")


class PlaybookError(ValueError):
    """One or more playbook files are wrong; ``problems`` lists every one, in file and line order."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or 0))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Playbook:
    """One checked playbook. Treat as read-only; ``snapshot()`` is the copy an escalation keeps."""

    name: str
    title: dict  # {"en": ..., "zh": ...}
    priority: int
    match: dict  # the checked match block, plain data
    steps: list  # plain dicts with defaults filled in; "type" is a key of schema.STEP_TYPES
    file: Path
    version: str  # first 12 hex digits of the sha256 of the file's bytes
    description: str | None = None
    criteria: Criteria = field(default=None, repr=False, compare=False)  # compiled from match; never passed

    def __post_init__(self):
        object.__setattr__(self, "criteria", compile_criteria(self.match))

    def snapshot(self) -> dict:
        """A JSON-able deep copy of what the escalation runs, independent of the file from now on."""
        return copy.deepcopy({"name": self.name, "version": self.version, "title": self.title,
                              "priority": self.priority, "match": self.match, "steps": self.steps})


def load_dir(path: str | Path, departments: Iterable[str]) -> list[Playbook]:
    """Load every *.yaml / *.yml file in ``path`` (not recursive), sorted by name; raise PlaybookError on any problem.

    ``departments`` are the valid department codes; the caller reads them (command.directory.department_codes).
    """
    directory = Path(path)
    if not directory.is_dir():
        raise PlaybookError([Problem(str(directory), None, None, "not a directory")])
    files = sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES and p.is_file())
    if not files:
        raise PlaybookError([Problem(str(directory), None, None, "no playbook files (*.yaml) in this directory")])
    codes = frozenset(departments)
    playbooks, problems, first_file = [], [], {}
    for file in files:
        playbook, file_problems, name_node = _load_file(file, codes)
        problems += file_problems
        name = playbook.name if playbook else None
        if name in first_file:
            mark = name_node.start_mark
            problems.append(Problem(str(file), mark.line + 1, mark.column + 1,
                                    f"name {name!r} is already used by {first_file[name]}; names must be unique"))
        elif playbook:
            first_file[name] = str(file)
            playbooks.append(playbook)
    if problems:
        raise PlaybookError(problems)
    return playbooks


def load_file(file: str | Path, departments: Iterable[str]) -> Playbook:
    """Load one playbook file, knowing ``departments`` as the valid codes; raise PlaybookError with every problem."""
    playbook, problems, _ = _load_file(Path(file), frozenset(departments))
    if problems:
        raise PlaybookError(problems)
    return playbook


def _load_file(file: Path, departments: frozenset[str]) -> tuple[Playbook | None, list[Problem], object]:
    where = str(file)
    try:
        data = file.read_bytes()
    except OSError as exc:
        return None, [Problem(where, None, None, f"cannot read: {exc.strerror}")], None
    if len(data) > MAX_FILE_BYTES:
        return None, [Problem(where, None, None, f"larger than {MAX_FILE_BYTES // 1024} KiB")], None
    try:
        root = compose(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return None, [Problem(where, None, None, f"not UTF-8 text (byte {exc.start})")], None
    except yaml.YAMLError as exc:
        return None, [_yaml_problem(where, exc)], None
    checked = check_document(root, where, departments)
    if checked.playbook is None:
        return None, checked.problems, None
    pb = checked.playbook
    playbook = Playbook(name=pb["name"], title=pb["title"], priority=pb["priority"], match=pb["match"],
                        steps=pb["steps"], file=file, version=hashlib.sha256(data).hexdigest()[:12],
                        description=pb.get("description"))
    return playbook, [], checked.name_node


def _yaml_problem(where: str, exc: yaml.YAMLError) -> Problem:
    """A YAML syntax error as a Problem at the place the parser gave up."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    message = ": ".join(str(part) for part in (getattr(exc, "context", None), getattr(exc, "problem", None)) if part)
    message = f"YAML syntax: {message or exc}"
    if mark is None:
        return Problem(where, None, None, message)
    return Problem(where, mark.line + 1, mark.column + 1, message)

"""Grade proposals: from harm figures against thresholds kept as data, else from the warning colour.

The system only proposes; an operator confirms or changes the grade, with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from command.enums import Grade, Severity
from command.i18n import message

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "grading.yaml"
HARM_FIELDS = ("deaths", "serious_injuries", "direct_loss_yuan")


class GradingError(ValueError):
    """The grading file is wrong; the message names the entry and the field."""


@dataclass(frozen=True)
class Proposal:
    """A proposed grade and why (a message: command.i18n renders it in the reader's language)."""

    grade: Grade | None
    basis: dict


@dataclass(frozen=True)
class Thresholds:
    """Harm thresholds, gravest grade first, and the severity-to-grade hints."""

    harm: tuple[tuple[Grade, dict[str, int]], ...]
    severity: dict[Severity, Grade]


@cache
def load_thresholds(path: str | Path = DEFAULT_FILE) -> Thresholds:
    """Read and check a grading file."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    harm = []
    for number, entry in enumerate(document.get("harm", []), 1):
        try:
            grade = Grade(entry["grade"])
            figures = {name: int(entry[name]) for name in HARM_FIELDS}
        except (KeyError, ValueError, TypeError) as exc:
            raise GradingError(f"{path}: harm entry #{number}: {exc!r}") from None
        harm.append((grade, figures))
    try:
        severity = {Severity(k): Grade(v) for k, v in (document.get("severity") or {}).items()}
    except ValueError as exc:
        raise GradingError(f"{path}: severity: {exc}") from None
    return Thresholds(tuple(harm), severity)


def propose(severity: str, deaths: int | None = None, serious_injuries: int | None = None,
            direct_loss_yuan: int | None = None, thresholds: Thresholds | None = None) -> Proposal:
    """Propose a grade: by harm when any figure is known, else by the warning colour."""
    thresholds = thresholds or load_thresholds()
    figures = {"deaths": deaths, "serious_injuries": serious_injuries, "direct_loss_yuan": direct_loss_yuan}
    known = {name: value for name, value in figures.items() if value is not None}
    if known:
        for grade, limits in thresholds.harm:
            reached = [name for name, value in known.items() if value >= limits[name] and limits[name] > 0]
            if reached:
                return Proposal(grade, message("grade.harm", reached=[
                    message("grade.harm_item", name=message(f"harm.{name}"), value=known[name], limit=limits[name])
                    for name in reached]))
            if all(limit == 0 for limit in limits.values()):
                return Proposal(grade, message("grade.harm_below_iii"))
        return Proposal(None, message("grade.no_harm_threshold"))
    grade = thresholds.severity.get(Severity(severity)) if severity in Severity.__members__.values() else None
    if grade is None:
        return Proposal(None, message("grade.severity_unknown"))
    return Proposal(grade, message("grade.severity", severity=message(f"level.{severity}")))

"""The department codes a playbook may name: command/data/departments.yaml when it exists, else the standard seven.

The file is read as data (never imported) so playbooks stay independent of command/.
It may be a list of {code: ...} entries or a mapping keyed by code, either at the
top level or under ``departments:``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

DEPARTMENTS_FILE = Path(__file__).resolve().parent.parent / "command" / "data" / "departments.yaml"
DEFAULT_CODES = ("police", "fire", "water", "weather", "quake", "health", "emergency")


def department_codes(path: Path = DEPARTMENTS_FILE) -> frozenset[str]:
    """Return the valid department codes; the defaults when the file is missing or holds none."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return frozenset(DEFAULT_CODES)
    codes = _codes(data.get("departments", data) if isinstance(data, dict) else data)
    return frozenset(codes) if codes else frozenset(DEFAULT_CODES)


def _codes(entries: object) -> list[str]:
    if isinstance(entries, dict):
        return [str(code) for code in entries]
    if isinstance(entries, list):
        return [str(e["code"]) if isinstance(e, dict) and "code" in e else str(e) for e in entries
                if isinstance(e, (str, dict)) and (not isinstance(e, dict) or "code" in e)]
    return []

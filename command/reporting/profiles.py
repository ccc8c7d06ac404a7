"""Reporting profiles: a jurisdiction's rules of what is reported, on which channel, within how long of which clock.

Read from YAML (command/data/reporting_profiles.yaml by default) and checked at start; a wrong file
stops the start with the file, the profile, the rule and the field named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from command.enums import Grade

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "reporting_profiles.yaml"
DEFAULT_PROFILE = "default"
CHANNELS = ("phone", "written")
BASE_CLOCKS = ("occurred_at", "received_at", "triggered_at")
UPGRADE_CLOCKS = ("triggered_at", "rule")
TRIGGERS = ("grade", "sensitive")
MAX_WITHIN_MINUTES = 7 * 24 * 60
PROFILE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class ProfileError(ValueError):
    """The profiles file is wrong; the message names the file, the profile, the rule and the field."""


@dataclass(frozen=True)
class Rule:
    """One obligation a profile creates: ``channel`` due ``within_minutes`` after ``base_clock``."""

    rule: str
    trigger: str  # grade | sensitive
    grades: tuple[str, ...]
    channel: str
    within_minutes: int
    base_clock: str


@dataclass(frozen=True)
class Profile:
    """A jurisdiction's reporting rules."""

    name: str
    title: dict[str, str]
    upgrade_base_clock: str
    written_satisfies_phone: bool
    rules: tuple[Rule, ...]


@cache
def load_profiles(path: str | Path = DEFAULT_FILE) -> dict[str, Profile]:
    """Read and check a profiles file; return its profiles by name."""
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ProfileError(f"{path}: {exc}") from None
    if not isinstance(document, dict) or set(document) != {"profiles"} or not isinstance(document["profiles"], dict) \
            or not document["profiles"]:
        raise ProfileError(f"{path}: the file must hold one mapping, profiles, with at least one profile")
    return {name: _profile(path, name, body) for name, body in document["profiles"].items()}


def get_profile(profile: str | Profile = DEFAULT_PROFILE, path: str | Path = DEFAULT_FILE) -> Profile:
    """Return the named profile (a Profile is returned as it is)."""
    if isinstance(profile, Profile):
        return profile
    profiles = load_profiles(path)
    if profile not in profiles:
        raise ProfileError(f"{path}: no reporting profile {profile!r} (there are {', '.join(sorted(profiles))})")
    return profiles[profile]


def _profile(path, name, body) -> Profile:
    where = f"{path}: profile {name!r}"
    if not isinstance(name, str) or not PROFILE_NAME.match(name):
        raise ProfileError(f"{where}: a profile name is 1–64 lower-case letters, digits, - or _")
    if not isinstance(body, dict):
        raise ProfileError(f"{where}: must be a mapping")
    _known_keys(where, body, {"title", "upgrade_base_clock", "written_satisfies_phone", "rules"})
    title = body.get("title")
    if not isinstance(title, dict) or set(title) != {"en", "zh"} or \
            not all(isinstance(v, str) and v.strip() for v in title.values()):
        raise ProfileError(f"{where}: title: give both en and zh texts")
    upgrade_clock = body.get("upgrade_base_clock", "triggered_at")
    if upgrade_clock not in UPGRADE_CLOCKS:
        raise ProfileError(f"{where}: upgrade_base_clock: must be one of {', '.join(UPGRADE_CLOCKS)}")
    written = body.get("written_satisfies_phone", False)
    if not isinstance(written, bool):
        raise ProfileError(f"{where}: written_satisfies_phone: must be true or false")
    rules = body.get("rules")
    if not isinstance(rules, list) or not rules:
        raise ProfileError(f"{where}: rules: give a list of at least one rule")
    parsed = tuple(_rule(f"{where}, rule #{number}", entry) for number, entry in enumerate(rules, 1))
    seen = set()
    for rule in parsed:
        if rule.rule in seen:
            raise ProfileError(f"{where}: rule {rule.rule!r} appears twice; rule ids are unique in a profile")
        seen.add(rule.rule)
    return Profile(name, dict(title), upgrade_clock, written, parsed)


def _rule(where: str, entry) -> Rule:
    if not isinstance(entry, dict):
        raise ProfileError(f"{where}: must be a mapping")
    rule_id = entry.get("rule")
    if not isinstance(rule_id, str) or not PROFILE_NAME.match(rule_id):
        raise ProfileError(f"{where}: rule: an id of 1–64 lower-case letters, digits, - or _ is required")
    where = f"{where} ({rule_id})"
    _known_keys(where, entry, {"rule", "trigger", "grades", "channel", "within_minutes", "base_clock"})
    trigger = entry.get("trigger")
    if trigger not in TRIGGERS:
        raise ProfileError(f"{where}: trigger: must be one of {', '.join(TRIGGERS)}")
    grades = entry.get("grades")
    if trigger == "grade":
        if not isinstance(grades, list) or not grades or any(g not in {x.value for x in Grade} for g in grades):
            raise ProfileError(f"{where}: grades: give a list of grades among I, II, III, IV")
    elif grades is not None:
        raise ProfileError(f"{where}: grades: only a rule with trigger grade names grades")
    if entry.get("channel") not in CHANNELS:
        raise ProfileError(f"{where}: channel: must be one of {', '.join(CHANNELS)}")
    within = entry.get("within_minutes")
    if isinstance(within, bool) or not isinstance(within, int) or not 1 <= within <= MAX_WITHIN_MINUTES:
        raise ProfileError(f"{where}: within_minutes: must be a whole number from 1 to {MAX_WITHIN_MINUTES}")
    if entry.get("base_clock") not in BASE_CLOCKS:
        raise ProfileError(f"{where}: base_clock: must be one of {', '.join(BASE_CLOCKS)}")
    return Rule(rule_id, trigger, tuple(grades or ()), entry["channel"], within, entry["base_clock"])


def _known_keys(where: str, mapping: dict, known: set[str]) -> None:
    unknown = sorted(str(key) for key in set(mapping) - known)
    if unknown:  # YAML 1.1 reads a bare on/off/yes/no key as a boolean: say so
        hint = " (quote it: YAML reads on, off, yes and no as true/false)" if unknown[0] in ("True", "False") else ""
        raise ProfileError(f"{where}: unknown key {unknown[0]!r}{hint} (known: {', '.join(sorted(known))})")

"""Phone-call records (电话记录): an inbound or outbound call, validated and written to the duty log.

A call is one ``phone_call`` entry whose ``data`` is the form as recorded; there is
no table of its own, so a call is as tamper-evident as the rest of the log. Every
refusal names its field and a stable code, all at once, so a form can mark each
wrong field in the operator's language.

Field names (the other party is the caller for an inbound call, the callee for an
outbound one): direction, occurred_at, unit, name, post, number, place,
situation, trend, already_told, recorded_by, incident_id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from command import dutylog
from command.errors import Invalid
from command.i18n import message
from command.models import DutyLogEntry, Incident, utcnow

DIRECTIONS = ("inbound", "outbound")
# field -> (maximum length, required); number is required for inbound calls only (see _validate).
TEXT_FIELDS = {
    "unit": (128, True),           # 单位
    "name": (64, False),           # 姓名
    "post": (64, False),           # 职务
    "number": (32, False),         # 电话
    "place": (256, False),         # 地点
    "situation": (4000, True),     # 事由 / what happened
    "trend": (2000, False),        # 发展趋势
    "already_told": (512, False),  # 已报告 / whom the caller has already told
    "recorded_by": (128, True),    # 记录人
}
MULTILINE = {"situation", "trend", "already_told", "place"}
FIELDS = ("direction", "occurred_at", *TEXT_FIELDS, "incident_id")
FUTURE_TOLERANCE = timedelta(minutes=5)  # a clock a little ahead is not a call from the future
# Dialable: digits and what people write around them (+86, 010-, (0)25, *, #, pauses, 转 / ext for extensions).
_DIALABLE = re.compile(r"^[0-9+*#()\-./,;:\sPpWwXx转分机extEXT]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class FieldProblem:
    """One wrong field: ``code`` is stable, the message (call.<code> in the catalogue) says it to a person."""

    field: str
    code: str
    limit: int | None = None

    def as_dict(self) -> dict:
        """The problem as the API lists it; ``error`` is a message the web layer says in the reader's language."""
        body = {"field": self.field, "code": self.code, "error": message(f"call.{self.code}", limit=self.limit)}
        if self.limit is not None:
            body["limit"] = self.limit
        return body


class PhoneCallInvalid(Invalid):
    """The form was refused: the first wrong field is the error's; ``errors`` lists every one, in form order."""

    def __init__(self, problems: list[FieldProblem]):
        first = problems[0]
        super().__init__(first.code, first.field, message="call_invalid", problem=message(f"call.{first.code}",
                                                                                        limit=first.limit),
                         errors=[problem.as_dict() for problem in problems])
        self.problems = problems


def validate(form: Any, *, time_zone: str, now: datetime | None = None, session: Session | None = None) -> dict:
    """Return the call as the log will keep it, or raise PhoneCallInvalid naming every wrong field.

    A time without an offset is read in the duty room's ``time_zone`` (what a
    datetime-local input sends). With a ``session``, the incident must exist.
    """
    if not isinstance(form, dict):
        raise PhoneCallInvalid([FieldProblem("", "not_an_object")])
    now = now or utcnow()
    problems: list[FieldProblem] = []
    record: dict[str, Any] = {}
    for name in sorted(set(form) - set(FIELDS)):
        problems.append(FieldProblem(str(name)[:64], "unknown_field"))

    direction = form.get("direction")
    if direction not in DIRECTIONS:
        problems.append(FieldProblem("direction", "bad_direction"))
    record["direction"] = direction

    record["occurred_at"] = _time(form.get("occurred_at"), time_zone, now, problems)

    for name, (limit, required) in TEXT_FIELDS.items():
        required = required or (name == "number" and direction == "inbound")
        record[name] = _text(form.get(name), name, limit, required, problems)
    number = record.get("number")
    if number and (not _DIALABLE.match(number) or not any(ch.isdigit() for ch in number)):
        problems.append(FieldProblem("number", "bad_number"))

    record["incident_id"] = _incident(form.get("incident_id"), session, problems)
    if problems:
        problems.sort(key=lambda p: FIELDS.index(p.field) if p.field in FIELDS else len(FIELDS))
        raise PhoneCallInvalid(problems)
    return record


def record(session: Session, form: Any, *, time_zone: str, at: datetime | None = None) -> DutyLogEntry:
    """Validate ``form`` and append it to the duty log as a ``phone_call`` entry; return the entry."""
    at = at or utcnow()
    call = validate(form, time_zone=time_zone, now=at, session=session)
    return dutylog.append(session, kind="phone_call", message=line(call), author=call["recorded_by"],
                          occurred_at=call["occurred_at"], at=at, incident_id=call["incident_id"],
                          data={**call, "occurred_at": call["occurred_at"].isoformat()})


def line(call: dict) -> dict:
    """One line for the log, as a message: Inbound call · who (post) number @ place: what happened | trend."""
    who = " ".join(part for part in (call["unit"], call["name"]) if part)
    if call["post"]:
        who += f"（{call['post']}）"
    if call["number"]:
        who += f" {call['number']}"
    return message("call.line", direction=message(f"call.{call['direction']}"), who=who,
                   place=message("call.place", place=call["place"]) if call["place"] else "",
                   situation=call["situation"], trend=message("call.trend", trend=call["trend"]) if call["trend"] else "")


def _text(value: Any, name: str, limit: int, required: bool, problems: list[FieldProblem]) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(FieldProblem(name, "required"))
        return None
    if not isinstance(value, str):
        problems.append(FieldProblem(name, "not_text"))
        return None
    value = value.strip()
    if name not in MULTILINE:
        value = " ".join(value.split())  # one-line fields: newlines and tabs become single spaces
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(value):
        problems.append(FieldProblem(name, "bad_characters"))
        return None
    if len(value) > limit:
        problems.append(FieldProblem(name, "too_long", limit))
        return None
    return value


def _time(value: Any, time_zone: str, now: datetime, problems: list[FieldProblem]) -> datetime | None:
    if value is None or value == "":
        return now
    try:
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        problems.append(FieldProblem("occurred_at", "bad_time"))
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(time_zone))
    parsed = parsed.astimezone(timezone.utc)
    if parsed > now + FUTURE_TOLERANCE:
        problems.append(FieldProblem("occurred_at", "in_future"))
        return None
    return parsed


def _incident(value: Any, session: Session | None, problems: list[FieldProblem]) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problems.append(FieldProblem("incident_id", "bad_incident"))
        return None
    if session is not None and session.get(Incident, value) is None:
        problems.append(FieldProblem("incident_id", "no_such_incident"))
        return None
    return value

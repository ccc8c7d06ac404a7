"""A document's parameters, checked before it is queued: a day, a month, or a row that must exist.

Days and months are the duty room's own (its time zone), turned into UTC windows here.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from command.errors import Invalid


class DocumentRequestError(Invalid):
    """The parameters do not name a document that can be made; ``field`` says which one."""

    def __init__(self, message: str, field: str = "params", **values):
        super().__init__("bad_document_request", field, message=message, **values)


def day_param(_session: Session, params: dict) -> dict:
    """{"date": "YYYY-MM-DD"}, a calendar day."""
    value = params.get("date")
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise DocumentRequestError("doc.bad_date", "params.date")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise DocumentRequestError("doc.not_a_day", "params.date", value=value) from None
    return {"date": value}


def month_param(_session: Session, params: dict) -> dict:
    """{"month": "YYYY-MM"}."""
    value = params.get("month")
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise DocumentRequestError("doc.bad_month", "params.month")
    return {"month": value}


def row_param(model, key: str):
    """A checker of {key: id} where the id is a row of ``model`` that exists."""
    def check(session: Session, params: dict) -> dict:
        value = params.get(key)
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise DocumentRequestError("whole_number", f"params.{key}")
        if session.get(model, value) is None:
            raise DocumentRequestError("doc.no_row", f"params.{key}", value=value)
        return {key: value}
    return check


def day_window(day: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC bounds of a calendar day in ``zone`` (23 or 25 hours long across a DST change)."""
    first = date.fromisoformat(day)
    return _midnight(first, zone), _midnight(first + timedelta(days=1), zone)


def month_window(month: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC bounds of a calendar month in ``zone``."""
    year, number = (int(part) for part in month.split("-"))
    following = date(year + number // 12, number % 12 + 1, 1)
    return _midnight(date(year, number, 1), zone), _midnight(following, zone)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)

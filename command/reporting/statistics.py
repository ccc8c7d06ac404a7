"""The month's reporting figures per department: obligations due, filed on time, late, missed, still open."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from command.models import Department, Incident, ReportObligation

NO_DEPARTMENT = "none"
COUNTS = ("obligations", "on_time", "late", "missed", "open")


def monthly(session: Session, year: int, month: int, time_zone: str) -> dict:
    """Count the obligations due in a month (in the duty room's time zone) per department.

    An incident concerning two departments counts in both; one concerning none
    counts under "none". ``total`` counts every obligation once.
    """
    if not 1 <= month <= 12:
        raise ValueError("month must be from 1 to 12")
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {time_zone!r}") from None
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    rows = session.execute(
        select(ReportObligation.status, ReportObligation.late_minutes, Incident.departments)
        .join(Incident, Incident.id == ReportObligation.incident_id)
        .where(ReportObligation.due_at >= start.astimezone(timezone.utc),
               ReportObligation.due_at < end.astimezone(timezone.utc))).all()
    names = {d.code: (d.name_zh, d.name_en) for d in session.scalars(select(Department))}
    per: dict[str, dict[str, int]] = {}
    total = _zero()
    for status, late_minutes, departments in rows:
        for code in dict.fromkeys(departments or [NO_DEPARTMENT]):
            _count(per.setdefault(code, _zero()), status, late_minutes)
        _count(total, status, late_minutes)
    departments = [dict(department=code, name_zh=names.get(code, (None, None))[0],
                        name_en=names.get(code, (None, None))[1], **counts)
                   for code, counts in sorted(per.items(), key=lambda item: (item[0] == NO_DEPARTMENT, item[0]))]
    return {"month": f"{year:04d}-{month:02d}", "time_zone": time_zone, "from": start.isoformat(),
            "to": end.isoformat(), "departments": departments, "total": total}


def _zero() -> dict[str, int]:
    return dict.fromkeys((*COUNTS, "late_minutes"), 0)


def _count(counts: dict[str, int], status: str, late_minutes: int | None) -> None:
    counts["obligations"] += 1
    counts[{"filed": "on_time"}.get(status, status)] += 1
    counts["late_minutes"] += late_minutes or 0

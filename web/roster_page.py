"""The roster page (/roster): the next seven days in the duty room's time zone, gaps highlighted, swaps to request
and to decide, and the daily duty report (值班日报) to generate."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, url_for
from flask_babel import format_date, get_locale, gettext as _
from sqlalchemy import select

from command import roster_admin
from command.models import Person, utcnow
from web.documents_page import widget_strings
from web.context import runtime

bp = Blueprint("roster_page", __name__)

HIDDEN_ROLES = ("feed",)  # accounts that are not people who could take a shift


@bp.get("/roster")
def index():
    """Render the week: one row per shift or gap, in time order."""
    rt = runtime()
    zone_name = rt.settings["TIME_ZONE"]
    zone = ZoneInfo(zone_name)
    now = utcnow()
    with rt.sessions() as session:
        week = roster_admin.week(session, now)
        pending = roster_admin.swaps(session, "requested")
        decided = [s for s in roster_admin.swaps(session, limit=20) if s["status"] != "requested"][:10]
        people = session.scalars(select(Person).where(Person.active.is_(True), Person.role.not_in(HIDDEN_ROLES))
                                 .order_by(Person.display_name, Person.username)).all()
        people = [{"username": p.username, "label": f"{p.display_name} ({p.username})"} for p in people]
    posts = {"duty_officer": _("Duty officer"), "leader": _("Leader on duty")}
    rows = [{"kind": "shift", "at": s["starts_at"], "shift": s, "when": _span(s["starts_at"], s["ends_at"], zone),
             "open": s["ends_at"] > now and s["closed_at"] is None} for s in week["shifts"]]
    missing = {("duty_officer",): _("no duty officer"), ("leader",): _("no leader on duty"),
               ("duty_officer", "leader"): _("no duty officer and no leader on duty")}
    uncovered: dict[tuple, list[str]] = {}  # one row for a stretch both posts miss
    for gap in week["gaps"]:
        uncovered.setdefault((gap["starts_at"], gap["ends_at"]), []).append(gap["post"])
    rows += [{"kind": "gap", "at": start, "missing": missing[tuple(sorted(names))], "when": _span(start, end, zone)}
             for (start, end), names in uncovered.items()]
    rows.sort(key=lambda row: (row["at"], row["kind"] == "shift"))
    for swap in pending + decided:
        swap["when"] = _span(swap["shift_starts_at"], swap["shift_ends_at"], zone) if swap["shift_starts_at"] else None
        swap["post_name"] = posts.get(swap["post"], swap["post"])
    strings = {
        "name_first": _("Enter your name first."), "sent": _("Done."), "failed": _("Not done: %(error)s"),
        "choose": _("Choose the shift, the post and who takes it."),
        "errors": {"not_allowed": _("Only an administrator or a shift leader may decide swaps."),
                   "own_request": _("Someone other than who asked must approve a swap."),
                   "already_decided": _("This swap was already decided."),
                   "already_pending": _("A swap for this post is already waiting for a decision."),
                   "stale": _("The post changed hands since this swap was asked for: ask again."),
                   "shift_over": _("This shift is already over."), "shift_closed": _("This shift is closed."),
                   "same_person": _("This person already holds the post."),
                   "unknown_person": _("No such active person in the directory."),
                   "actor_required": _("Enter your name first.")},
    }
    today = now.astimezone(zone).date().isoformat()
    return render_template(
        "roster/index.html", rows=rows, gaps=[row for row in rows if row["kind"] == "gap"], pending=pending,
        decided=decided, people=people, posts=posts, time_zone=zone_name, today=today, locale=str(get_locale()),
        strings=strings, doc_strings=widget_strings(), swaps_url=url_for("roster_api.post_swap"),
        decision_url=url_for("roster_api.post_decision", swap_id=0).replace("/0/", "/{id}/"),
        documents_url=url_for("documents_api.post_document"), documents_page=url_for("documents_page.index"))


def _span(start: datetime, end: datetime, zone: ZoneInfo) -> dict:
    """Start and end as the duty room reads them: a weekday and date, hours, and +N when it ends days later."""
    first, last = start.astimezone(zone), end.astimezone(zone)
    days = (last.date() - first.date()).days
    return {"day": format_date(first.date(), "EEE yyyy-MM-dd"), "from": first.strftime("%H:%M"),
            "until": last.strftime("%H:%M") + (f" (+{days})" if days else ""),
            "until_day": format_date(last.date(), "EEE yyyy-MM-dd"), "until_time": last.strftime("%H:%M")}

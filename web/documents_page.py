"""The documents page (/documents): generate any document kind and see the recent ones, with their progress."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, url_for
from flask_babel import get_locale, gettext as _

from command.documents import jobs
from command.models import utcnow
from web.context import runtime

bp = Blueprint("documents_page", __name__)

RECENT = 50


def kind_names() -> dict[str, str]:
    """Each document kind as people call it."""
    return {"daily": _("Daily duty report (值班日报)"), "report": _("Incident report (首报, 续报, 终报)"),
            "handover": _("Shift handover (交接班)"), "monthly": _("Monthly late and missed reports")}


def widget_strings() -> dict:
    """The words of the documents widget (web/static/pages/documents_widget.js)."""
    return {"generate_pdf": _("Generate PDF"), "generate_html": _("Printable HTML"), "queued": _("Waiting…"),
            "running": _("Making the document… %(progress)s%%"), "done": _("Ready:"),
            "failed": _("Failed: %(error)s"), "refused": _("Not accepted: %(error)s"),
            "retrying": _("Connection lost, retrying…"), "name_first": _("Enter your name first.")}


@bp.get("/documents")
def index():
    """The form to make a document, and the newest jobs."""
    rt = runtime()
    zone = ZoneInfo(rt.settings["TIME_ZONE"])
    with rt.sessions() as session:
        recent = jobs.recent(session, RECENT)
    statuses = {"queued": _("Waiting"), "running": _("In progress"), "done": _("Ready"), "failed": _("Failed")}
    for job in recent:
        job["status_name"] = statuses.get(job["status"], job["status"])
        job["file_url"] = url_for("documents_api.get_file", job_id=job["id"]) if job["status"] == "done" else None
        job["created_local"] = datetime.fromisoformat(job["created_at"]).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    now = utcnow().astimezone(zone)
    return render_template("documents/index.html", recent=recent, kinds=kind_names(), locale=str(get_locale()),
                           today=now.date().isoformat(), month=now.strftime("%Y-%m"),
                           time_zone=rt.settings["TIME_ZONE"], strings=widget_strings(),
                           documents_url=url_for("documents_api.post_document"))

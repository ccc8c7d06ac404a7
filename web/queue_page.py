"""The liaison's queue: a phone-sized page of one department's escalations, answered with one tap."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import get_locale, gettext as _
from sqlalchemy import select

from command.models import Department
from web.scope import departments_in_scope
from web.context import runtime

bp = Blueprint("queue_page", __name__)


@bp.get("/queue")
def index():
    """Render the queue for ?department=CODE (or the list of departments to choose from)."""
    rt = runtime()
    locale = str(get_locale())
    with rt.sessions() as session:
        departments = session.scalars(select(Department).order_by(Department.code)).all()
        scope = departments_in_scope()  # a liaison chooses among their own departments only
        names = {d.code: (d.name_zh if locale.startswith("zh") else d.name_en) for d in departments
                 if scope is None or d.code in scope}
    code = request.args.get("department", "")
    strings = {
        "acknowledge": _("Acknowledge"), "going": _("We are going"), "not_ours": _("Not ours"),
        "acknowledged": _("Acknowledged"), "answered": _("%(actor)s: %(answer)s"),
        "answer_names": {"acknowledge": _("acknowledged"), "going": _("is going"), "not_ours": _("not ours")},
        "your_name": _("Your name (as on the duty list)"), "name_first": _("Enter your name first."),
        "empty": _("Nothing waiting for your department."), "exercise": _("EXERCISE"),
        "reply_code": _("SMS reply code %(code)s"), "failed": _("Not sent, try again: %(error)s"),
        "disconnected": _("Disconnected, reconnecting…"), "grade": _("Grade %(grade)s"),
        "state": {"active": _("Waiting for an answer"), "acknowledged": _("Acknowledged"),
                  "resolved": _("Resolved"), "finished": _("Finished"), "cancelled": _("Cancelled"),
                  "superseded": _("Superseded")},
    }
    return render_template("queue/index.html", strings=strings, department=code,
                           department_name=names.get(code), departments=names,
                           time_zone=rt.settings["TIME_ZONE"],
                           escalations_url=url_for("escalations_api.list_escalations"))

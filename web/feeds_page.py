"""The feeds page: each feed's health, live."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from web.context import runtime

bp = Blueprint("feeds_page", __name__)


@bp.get("/feeds")
def index():
    """Render the feed health table; rows come from the API and update over Socket.IO."""
    settings = runtime().settings
    strings = {
        "never": _("never"), "silent_since": _("Silent since %(time)s"),
        "status": {"ok": _("OK"), "no_data": _("No new data"), "error": _("Error"), "refused": _("Refused"),
                   "none": _("Not heard yet")},
    }
    return render_template("feeds/index.html", strings=strings, time_zone=settings["TIME_ZONE"],
                           feeds_url=url_for("feeds_api.list_feeds"))

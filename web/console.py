"""The operator console: the live map and the incident list, and the map's offline data."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_from_directory, url_for
from flask_babel import get_locale, gettext as _

from maps.console_map import DATA_DIR, build_console_map

bp = Blueprint("console", __name__)


@bp.get("/")
def index():
    """Render the console; incidents are loaded by the page and pushed over Socket.IO."""
    settings = current_app.extensions["vigil"].settings
    return render_template("console/index.html", map=_console_map(), time_zone=settings["TIME_ZONE"],
                           strings=_client_strings(), locale=str(get_locale()))


@bp.get("/maps/<path:name>")
def map_data(name: str):
    """Serve the bundled offline map data (base layer outlines)."""
    return send_from_directory(DATA_DIR, name, max_age=24 * 3600)


def _console_map():
    # The map shell depends only on settings: render it once per app.
    cached = current_app.extensions.get("vigil_console_map")
    if cached is None:
        settings = current_app.extensions["vigil"].settings
        cached = build_console_map(
            static_url=url_for("static", filename="").rstrip("/"),
            base_layer_url=url_for("console.map_data", name="world_110m.geojson"),
            tile_url=settings["TILE_URL"], tile_attribution=settings["TILE_ATTRIBUTION"],
            center=tuple(settings["MAP_CENTER"]), zoom=settings["MAP_ZOOM"])
        current_app.extensions["vigil_console_map"] = cached
    return cached


def _client_strings() -> dict:
    """Strings the page's script shows, in the request's language."""
    return {
        "connected": _("Live"),
        "connecting": _("Connecting…"),
        "disconnected": _("Disconnected, reconnecting…"),
        "no_incidents": _("No open incidents"),
        "no_position": _("No position"),
        "drill": _("EXERCISE"),
        "kinds": {"quake": _("Earthquakes"), "fire": _("Fires"), "weather": _("Weather"),
                  "flood": _("Floods & water"), "security": _("Security"), "rescue": _("Rescue"),
                  "health": _("Health"), "other": _("Other")},
        "map_layers": {"areas": _("Areas"), "heat": _("Heat")},
        "severity": {"extreme": _("Extreme"), "severe": _("Severe"), "moderate": _("Moderate"),
                     "minor": _("Minor"), "unknown": _("Unknown")},
        "open_count": _("%(n)s open"),
        "feed_silent": _("Feed %(source)s silent since %(time)s"),
        "hidden_count": _("%(n)s hidden by filters"),
        "details": _("Details"),
        "sensitive": _("Sensitive"),
        "grade_short": _("Grade %(grade)s"),
        "statuses": {"new": _("New"), "acknowledged": _("Acknowledged"), "responding": _("Responding"),
                     "resolved": _("Resolved"), "closed": _("Closed")},
        "level_colour": {"extreme": _("Red"), "severe": _("Orange"), "moderate": _("Yellow"),
                         "minor": _("Blue"), "unknown": _("Unknown")},
        "grades": {"I": _("I — especially serious"), "II": _("II — serious"), "III": _("III — relatively serious"),
                   "IV": _("IV — general")},
        "not_graded": _("Not graded"),
        # alerts
        "enable_alerts": _("Enable alerts"),
        "alerts_on": _("Alerts on"),
        "alerts_blocked": _("Notifications blocked by the browser; sound only"),
        "alerts_sound_only": _("Sound alerts on (no notifications in this browser)"),
        "notify_title": _("New %(severity)s incident"),
        # the incident panel
        "loading": _("Loading…"),
        "load_failed": _("Could not load the incident"),
        "drill_banner": _("EXERCISE — a drill, not a real incident"),
        "warning_level": _("Warning level"),
        "grade": _("Grade"),
        "grade_proposed": _("Proposed grade"),
        "status": _("Status"),
        "source": _("Source"),
        "event_type": _("Event type"),
        "occurred": _("Occurred"),
        "received": _("Received"),
        "address": _("Address"),
        "position": _("Position"),
        "yes": _("Yes"),
        "no": _("No"),
        "harm": _("Harm"),
        "deaths": _("Deaths"),
        "serious_injuries": _("Serious injuries"),
        "direct_loss": _("Direct loss (yuan)"),
        "updated": _("Last change"),
        "actions": _("Actions"),
        "action_names": {"acknowledge": _("Acknowledge"), "respond": _("Respond"), "resolve": _("Resolve"),
                         "close": _("Close"), "reopen": _("Reopen")},
        "mark_sensitive": _("Mark sensitive"),
        "clear_sensitive": _("Clear sensitive flag"),
        "reason": _("Reason"),
        "set_grade": _("Set grade"),
        "confirm_grade": _("Confirm grade"),
        "record_harm": _("Record harm"),
        "reason_required": _("A reason is required"),
        "whole_number": _("Enter a whole number of 0 or more"),
        "actor_required": _("Enter your name before making changes"),
        "saved": _("Saved"),
        "changed_by": _("Changed by %(who)s at %(time)s — reloaded"),
        "someone": _("someone"),
        "request_failed": _("Request failed (%(status)s)"),
        "events_title": _("Feed events (%(n)s)"),
        "msg_type": _("Message type"),
        "version": _("Version"),
        "sent": _("Sent"),
        "raw_payload": _("Raw payload"),
        "timeline": _("Timeline"),
    }

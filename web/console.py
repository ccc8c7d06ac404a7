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
        "severity": {"extreme": _("Extreme"), "severe": _("Severe"), "moderate": _("Moderate"),
                     "minor": _("Minor"), "unknown": _("Unknown")},
        "open_count": _("%(n)s open"),
        "feed_silent": _("Feed %(source)s silent since %(time)s"),
    }

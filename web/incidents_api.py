"""GET /api/v1/incidents: the open incidents as a GeoJSON FeatureCollection."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from command.incidents import feature, open_incidents

bp = Blueprint("incidents_api", __name__, url_prefix="/api/v1/incidents")

DEFAULT_LIMIT, MAX_LIMIT = 5000, 20000


@bp.get("")
def list_incidents():
    """Return open incidents, newest change first, as GeoJSON (geometry null when unplaced)."""
    raw = request.args.get("limit", str(DEFAULT_LIMIT))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        return jsonify({"error": f"limit must be a whole number from 1 to {MAX_LIMIT}", "field": "limit"}), 400
    runtime = current_app.extensions["vigil"]
    with runtime.sessions() as session:
        features = [feature(incident) for incident in open_incidents(session, int(raw))]
    return jsonify({"type": "FeatureCollection", "features": features})

"""The one shape of an API refusal: {"error": message, "field": what was wrong}."""

from __future__ import annotations

from flask import jsonify


def json_error(status: int, message: str, field: str | None = None):
    """Return a JSON error response naming the bad field."""
    body = {"error": message}
    if field:
        body["field"] = field
    response = jsonify(body)
    response.status_code = status
    return response

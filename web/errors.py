"""The one shape of an API refusal: {"error": message, "code": stable machine code, "field": what was wrong}.

The message is English for people reading logs; a console shows its own
language's text for the code (and the message when it knows no such code).
"""

from __future__ import annotations

from flask import Flask, jsonify
from werkzeug.routing import IntegerConverter


def json_error(status: int, message: str, field: str | None = None, code: str | None = None, /, **details):
    """Return a JSON error response naming the bad field; ``details`` are values the message mentions."""
    body = {"error": message}
    if code:
        body["code"] = code
    if field:
        body["field"] = field
    body.update(details)
    response = jsonify(body)
    response.status_code = status
    return response


class BoundedInt(IntegerConverter):
    """An <int:…> path part that fits a database integer; a bigger one is a 404, not a crash."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """A number too big for the database anywhere in a request is the client's error, said clearly."""
    @app.errorhandler(OverflowError)
    def too_big(_exc):
        return json_error(400, "a number is too large", code="number_too_large")

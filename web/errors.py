"""The one shape of an API refusal: {"error": message, "code": stable machine code, "field": what was wrong}.

The core refuses with typed errors (command/errors.py); the class decides the HTTP status and the
message is the catalogue's sentence for the error, in the reader's language, with the values the
error carries beside it. Nothing here reads an exception's text.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, jsonify, request
from flask_babel import get_translations
from sqlalchemy.exc import OperationalError
from werkzeug.routing import IntegerConverter

from command.errors import Conflict, DomainError, Forbidden, Invalid, Malformed, NotFound, Unavailable
from command.i18n import message as make_message, render
from web.context import runtime

RETRY_SECONDS = 5
STATUS = {Malformed: 400, Forbidden: 403, NotFound: 404, Conflict: 409, Invalid: 422, Unavailable: 503}
# Shown when a page cannot be built because the database is down; it retries by itself.
UNAVAILABLE_PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="refresh" content="{retry}">
<title>Vigil</title><p role="alert">数据库暂时不可用，{retry} 秒后自动重试。<br>
The database is unavailable; this page retries in {retry} seconds.</p></html>"""


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


def refusal(exc: DomainError):
    """The JSON answer for a domain error: its class's status, its message in the reader's language.

    The values the error carries come too, said the same way: a name (a status, an action) in the
    reader's language, a time in the duty room's zone (the JSON keeps it as ISO 8601 as well).
    """
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 422)
    zone = ZoneInfo(runtime().settings["TIME_ZONE"])
    shown = {name: _shown(value, zone) for name, value in exc.values.items()}
    text = render(make_message(exc.message, **{"field": exc.field, **shown}), translations=get_translations())
    body = {name: value.isoformat() if isinstance(value, datetime) else shown[name]
            for name, value in exc.values.items()}
    return json_error(status, text, exc.field, exc.code, **body)


def _shown(value, zone: ZoneInfo):
    if isinstance(value, dict):
        if "msg" in value:
            return render(value, translations=get_translations())
        return {name: _shown(item, zone) for name, item in value.items()}
    if isinstance(value, list):
        return [_shown(item, zone) for item in value]
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
    return value


def init_app(app: Flask) -> None:
    """Domain errors become their status and message; a number too big for the database is the client's error."""
    app.register_error_handler(DomainError, refusal)

    @app.errorhandler(OverflowError)
    def too_big(_exc):
        return json_error(400, "a number is too large", code="number_too_large")

    @app.errorhandler(OperationalError)
    def database_unavailable(exc):
        """The database is down or unreachable: 503 and "retry", never a 500 with a traceback."""
        current_app.logger.warning("%s %s: database unavailable: %s", request.method, request.path,
                                   str(exc).splitlines()[0])
        if request.method == "GET" and not request.path.startswith("/api/") and request.accept_mimetypes.accept_html:
            response = current_app.response_class(UNAVAILABLE_PAGE.format(retry=RETRY_SECONDS), 503,
                                                  mimetype="text/html")
        else:
            response = json_error(503, "database unavailable; retry later", None, "database_unavailable")
        response.headers["Retry-After"] = str(RETRY_SECONDS)
        return response

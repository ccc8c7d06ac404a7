"""POST /api/v1/feeds/<source>/events: a feed pushes normalized events (one or a list).

Every refusal is answered with a 4xx naming the bad field, and the body is kept
as a dead letter with the reason, so nothing a feed sent is silently lost.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import RequestEntityTooLarge

from command.tokens import feed_token_valid
from feeds.event import SOURCE_PATTERN, FeedEvent, InvalidEvent
from feeds.ingest import ACCEPTED, DUPLICATE, REJECTED, Outcome, dead_letter, ingest

bp = Blueprint("feeds_api", __name__, url_prefix="/api/v1/feeds")

JSON_TYPES = ("application/json", "application/geo+json", "")


@bp.post("/<source>/events")
def post_events(source: str):
    """Store one normalized event or a list of them for ``source``."""
    runtime = current_app.extensions["vigil"]
    if not SOURCE_PATTERN.match(source):
        return _error(404, f"no feed named {source[:64]!r}", "source")
    if not _authorized(runtime, source):
        response = _error(401, f"missing or invalid bearer token for feed {source!r}", "Authorization")
        response.headers["WWW-Authenticate"] = f'Bearer realm="vigil", feed="{source}"'
        return response

    def refuse(status: int, reason: str, field: str, body: bytes | None = None, size: int | None = None):
        dead_letter(runtime.sessions, source, reason, field=field, body=body, size=size,
                    content_type=request.content_type or "", remote_addr=request.remote_addr)
        return _error(status, reason, field)

    limit = runtime.settings["MAX_BODY_BYTES"]
    try:
        body = request.get_data(cache=False)
    except RequestEntityTooLarge:
        return refuse(413, f"body is larger than the limit of {limit} bytes", "(body)",
                      size=request.content_length)
    if request.mimetype not in JSON_TYPES:
        return refuse(415, f"content type {request.mimetype!r} is not accepted; send application/json",
                      "Content-Type", body)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        return refuse(400, f"body is not valid JSON: {exc}", "(body)", body)
    if isinstance(data, dict):
        items = [data]
    elif isinstance(data, list) and data:
        items = data
    else:
        return refuse(400, "body must be an event object or a non-empty list of events", "(body)", body)
    if len(items) > runtime.settings["MAX_EVENTS_PER_POST"]:
        return refuse(413, f"{len(items)} events in one post; the limit is "
                           f"{runtime.settings['MAX_EVENTS_PER_POST']}", "(body)", body)

    events, outcomes = [], []
    for index, item in enumerate(items):
        try:
            events.append((index, FeedEvent.from_dict(item, source)))
        except InvalidEvent as exc:
            dead_letter(runtime.sessions, source, str(exc), field=exc.field,
                        body=json.dumps(item, ensure_ascii=False).encode(),
                        content_type=request.content_type or "", remote_addr=request.remote_addr)
            outcomes.append(Outcome(index, REJECTED, field=exc.field, error=exc.message))
    if events:
        outcomes += ingest(runtime.sessions, runtime.publisher.publish, source, events,
                           payload=body, content_type=request.content_type or "")
    outcomes.sort(key=lambda o: o.index)
    return _answer(outcomes, batch=isinstance(data, list))


@bp.errorhandler(DBAPIError)
def database_unavailable(exc):
    """The database is down or locked: tell the feed to retry; nothing was accepted."""
    current_app.logger.warning("ingest refused, database unavailable: %s", str(exc).splitlines()[0])
    response = _error(503, "database unavailable; retry later", None)
    response.headers["Retry-After"] = "5"
    return response


def _authorized(runtime, source: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    with runtime.sessions() as session:
        return feed_token_valid(session, source, token.strip())


def _answer(outcomes: list[Outcome], batch: bool):
    counts = {kind: sum(o.outcome == kind for o in outcomes) for kind in (ACCEPTED, DUPLICATE, REJECTED)}
    if counts[REJECTED] == len(outcomes):
        status = 422
    elif counts[REJECTED]:
        status = 207
    else:
        status = 201 if counts[ACCEPTED] else 200
    if not batch:
        only = outcomes[0].to_dict()
        only.pop("index")
        if "error" in only:
            only["error"] = f"{only['field']}: {only['error']}"
        return jsonify(only), status
    return jsonify({**counts, "results": [o.to_dict() for o in outcomes]}), status


def _error(status: int, message: str, field: str | None):
    body = {"error": message}
    if field:
        body["field"] = field
    response = jsonify(body)
    response.status_code = status
    return response

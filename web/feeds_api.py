"""POST /api/v1/feeds/<source>/events: a feed pushes normalized events, or its own raw payload.

The adapter for a raw payload is ``?format=``, else the feed's configured
format, else detected from the bytes.

Every refusal is answered with a 4xx naming the bad field, and the body is kept
as a dead letter with the reason, so nothing a feed sent is silently lost. The
exception is a feed over its rate limit (web.ingest_limit): 429 + Retry-After,
counted in /metrics, nothing stored (a flood must not fill the database).
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import RequestEntityTooLarge

from command.metrics import INGEST_THROTTLED
from command.tokens import feed_token_valid
from feeds.adapters.registry import ADAPTERS, detect_format
from feeds.event import SOURCE_PATTERN
from feeds.health import feed_overview
from feeds.ingest import ACCEPTED, DUPLICATE, REJECTED, Outcome
from feeds.intake import NORMALIZED, refuse_payload, take_payload
from web.context import runtime
from web.errors import json_error
from web.ingest_limit import IngestLimiter


bp = Blueprint("feeds_api", __name__, url_prefix="/api/v1/feeds")

JSON_TYPES = ("application/json", "application/geo+json", "")
LIMITER = "vigil_ingest_limit"  # app.extensions key of this process's IngestLimiter


@bp.record_once
def _install_limiter(state) -> None:
    settings = state.app.extensions["vigil"].settings
    state.app.extensions[LIMITER] = IngestLimiter(settings["INGEST_RATE_PER_SOURCE"], settings["INGEST_BURST"])


@bp.get("")
def list_feeds():
    """Return every known feed's health and configuration."""
    return jsonify({"feeds": feed_overview(runtime(), current_app.extensions["vigil_feeds"])})


@bp.post("/<source>/events")
def post_events(source: str):
    """Store normalized events (JSON) or a source's raw payload (the adapter decides) for ``source``."""
    rt = runtime()
    if not SOURCE_PATTERN.match(source):
        return json_error(404, f"no feed named {source[:64]!r}", "source")
    if not _authorized(rt, source):
        response = json_error(401, f"missing or invalid bearer token for feed {source!r}", "Authorization")
        response.headers["WWW-Authenticate"] = f'Bearer realm="vigil", feed="{source}"'
        return response
    g.ingest_source = source  # authenticated: timed under this name in /metrics (web.metrics)
    wait = current_app.extensions[LIMITER].admit(source)  # after the token: a stranger cannot drain a feed's bucket
    if wait:
        return _throttled(source, wait)

    def refuse(status: int, reason: str, field: str, body: bytes | None = None, size: int | None = None):
        refuse_payload(rt, source, reason, field, body=body, size=size, content_type=request.content_type or "",
                       remote_addr=request.remote_addr)
        return json_error(status, reason, field)

    limit = rt.settings["MAX_BODY_BYTES"]
    try:
        body = request.get_data(cache=False)
    except RequestEntityTooLarge:
        return refuse(413, f"body is larger than the limit of {limit} bytes", "(body)",
                      size=request.content_length)
    feed = current_app.extensions["vigil_feeds"].get(source)
    format_name = request.args.get("format") or (feed.format if feed else None)
    if format_name is not None and format_name not in ADAPTERS:
        return refuse(400, f"unknown format {format_name!r}; known: {', '.join(sorted(ADAPTERS))}",
                      "format", body)
    if format_name is None and request.mimetype in JSON_TYPES:
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:
            return refuse(400, f"body is not valid JSON: {exc}", "(body)", body)
        if _normalized(data) or detect_format(body) is None:
            return _normalized_events(rt, source, body, data, refuse)
    format_name = format_name or detect_format(body)
    if format_name is None:
        return refuse(415, f"cannot tell the format of this {request.mimetype or 'untyped'} body; configure "
                           f"the feed's format or add ?format= (known: {', '.join(sorted(ADAPTERS))})",
                      "Content-Type", body)
    intake = take_payload(rt, source, body, format_name, content_type=request.content_type or "",
                          options=feed.options if feed and feed.format == format_name else None,
                          remote_addr=request.remote_addr)
    current_app.extensions[LIMITER].charge(source, len(intake.outcomes) - 1)
    if intake.refused:
        return json_error(422, intake.refused, "(body)")
    if not intake.outcomes:
        return jsonify({"format": format_name, "accepted": 0, "duplicate": 0, "rejected": 0,
                        "results": []}), 200
    response, status = _answer(intake.outcomes, batch=True)
    return jsonify({"format": format_name, **response.get_json()}), status


def _normalized(data) -> bool:
    """True when the JSON is Vigil's own event format (an object, or a list of them, with external_id)."""
    if isinstance(data, dict):
        return "external_id" in data
    return isinstance(data, list) and bool(data) and isinstance(data[0], dict) and "external_id" in data[0]


def _normalized_events(rt, source: str, body: bytes, data, refuse):
    if isinstance(data, dict):
        items = [data]
    elif isinstance(data, list) and data:
        items = data
    else:
        return refuse(400, "body must be an event object or a non-empty list of events", "(body)", body)
    if len(items) > rt.settings["MAX_EVENTS_PER_POST"]:
        return refuse(413, f"{len(items)} events in one post; the limit is "
                           f"{rt.settings['MAX_EVENTS_PER_POST']}", "(body)", body)
    current_app.extensions[LIMITER].charge(source, len(items) - 1)  # before storing, so concurrent posts see it
    intake = take_payload(rt, source, body, NORMALIZED, items=items, content_type=request.content_type or "",
                          remote_addr=request.remote_addr)
    return _answer(intake.outcomes, batch=isinstance(data, list))


@bp.errorhandler(DBAPIError)
def database_unavailable(exc):
    """The database is down or locked: tell the feed to retry; nothing was accepted."""
    current_app.logger.warning("ingest refused, database unavailable: %s", str(exc).splitlines()[0])
    response = json_error(503, "database unavailable; retry later", None)
    response.headers["Retry-After"] = "5"
    return response


def _throttled(source: str, wait: int):
    """Over its rate: 429 with Retry-After, counted in /metrics, logged once a minute, nothing stored."""
    limiter = current_app.extensions[LIMITER]
    INGEST_THROTTLED.labels(source).inc()
    if limiter.should_log(source):
        current_app.logger.warning("feed %s is over its rate limit (%g events/s, burst %d); refusing with 429",
                                   source, limiter.rate, limiter.burst)
    response = json_error(429, f"feed {source!r} is over its rate limit of {limiter.rate:g} events/s "
                               f"(burst {limiter.burst:g}); retry after {wait} s", None, "rate_limited",
                          retry_after_seconds=wait)
    response.headers["Retry-After"] = str(wait)
    return response


def _authorized(rt, source: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    with rt.sessions() as session:
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

"""GET /metrics: Prometheus text format, for administrators (a session, or a personal bearer token).

The series are described in command.metrics. This module also times every authenticated feed post
(the ingest latency histogram) with app-wide request hooks, so the ingest route stays about ingest.

With the database down the request gate cannot look up who is scraping. A credential this process
admitted to /metrics within REMEMBER_SECONDS is still served this process's own series (with
``vigil_database_up 0``), so an outage shows on the dashboards instead of blanking them; any other
caller gets 503. A credential refused while the database answers is forgotten at once.
"""

from __future__ import annotations

import hashlib
import time

from flask import Blueprint, Response, current_app, g, request, session
from sqlalchemy.exc import SQLAlchemyError

from command.metrics import INGEST_SECONDS, exposition
from web.errors import json_error
from web.context import runtime

bp = Blueprint("metrics", __name__)

INGEST_ENDPOINT = "feeds_api.post_events"
INGEST_SOURCE = "ingest_source"  # g attribute: the source web.feeds_api authenticated this post for
UNTIMED = (429,)  # refused at once by the rate limit: not ingest
REMEMBER_SECONDS = 3600.0  # how long an admitted scraper is still served while the database is down
SCRAPERS = "vigil_metrics_scrapers"  # app.extensions key: credential -> monotonic time last admitted


@bp.get("/metrics")
def metrics():
    """Every series; the gate admitted an administrator, so remember the credential for an outage."""
    scrapers = current_app.extensions.setdefault(SCRAPERS, {})
    now = time.monotonic()
    for key in [key for key, seen in scrapers.items() if now - seen > REMEMBER_SECONDS]:
        scrapers.pop(key, None)
    scrapers[_credential()] = now
    return _page()


@bp.errorhandler(SQLAlchemyError)
def database_unavailable(exc):
    """The database failed while the gate checked the caller: serve a recently admitted scraper anyway."""
    seen = current_app.extensions.get(SCRAPERS, {}).get(_credential())
    if seen is not None and time.monotonic() - seen <= REMEMBER_SECONDS:
        return _page()  # the database collector fails too, and says so with vigil_database_up 0
    current_app.logger.warning("metrics refused, database unavailable: %s", str(exc).splitlines()[0])
    response = json_error(503, "database unavailable; retry later", None, "database_unavailable")
    response.headers["Retry-After"] = "5"
    return response


@bp.after_request
def _forget_refused(response: Response) -> Response:
    if response.status_code in (401, 403):
        current_app.extensions.get(SCRAPERS, {}).pop(_credential(), None)
    return response


def _page() -> Response:
    body, content_type = exposition(runtime().sessions, request.headers.get("Accept"))
    return Response(body, headers={"Content-Type": content_type, "Cache-Control": "no-store"})


def _credential() -> tuple:
    """What the gate identifies this request by (as web.auth.load_user reads it), never the secret itself."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer vgu_"):
        return ("token", hashlib.sha256(header.removeprefix("Bearer ").strip().encode()).hexdigest())
    return ("session", session.get("uid"), session.get("since"))


@bp.before_app_request
def _start_ingest_timer() -> None:
    if request.endpoint == INGEST_ENDPOINT:
        g.ingest_started = time.perf_counter()


@bp.after_app_request
def _observe_ingest(response: Response) -> Response:
    started = g.pop("ingest_started", None)
    source = g.get(INGEST_SOURCE)  # unset before the feed's token was checked: no label for a stranger's name
    if started is not None and source is not None and response.status_code not in UNTIMED:
        INGEST_SECONDS.labels(source).observe(time.perf_counter() - started)
    return response

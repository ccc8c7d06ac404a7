"""GET /metrics: Prometheus text format, for administrators (a session, or a personal bearer token).

The series are described in command.metrics. This module also times every authenticated feed post
(the ingest latency histogram) with app-wide request hooks, so the ingest route stays about ingest.
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, g, request

from command.metrics import INGEST_SECONDS, exposition

bp = Blueprint("metrics", __name__)

INGEST_ENDPOINT = "feeds_api.post_events"
UNTIMED = (401, 404, 429)  # not ingest: no valid token (no label for a stranger's made-up name), or refused at once


@bp.get("/metrics")
def metrics():
    body, content_type = exposition(current_app.extensions["vigil"].sessions, request.headers.get("Accept"))
    return Response(body, headers={"Content-Type": content_type, "Cache-Control": "no-store"})


@bp.before_app_request
def _start_ingest_timer() -> None:
    if request.endpoint == INGEST_ENDPOINT:
        g.ingest_started = time.perf_counter()


@bp.after_app_request
def _observe_ingest(response: Response) -> Response:
    started = g.pop("ingest_started", None)
    if started is not None and response.status_code not in UNTIMED:
        INGEST_SECONDS.labels(request.view_args["source"]).observe(time.perf_counter() - started)
    return response

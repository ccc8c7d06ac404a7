"""GET /healthz: database and live-channel status for load balancers and operators."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from command.migrate import is_current
from web.context import runtime

bp = Blueprint("health", __name__)

QUEUE_PROBE = "vigil_queue_probe"  # app.extensions key of the message-queue client the probe keeps
PROBE_TIMEOUT = 1.0  # seconds: a probe must answer quickly, even when the queue's host is unreachable


@bp.get("/healthz")
def healthz():
    """Report database and live-channel status as JSON; 503 when the database is unusable."""
    rt = runtime()
    database = _database(rt.engine)
    live = _live(rt.settings)
    ok = database["ok"] and live["ok"]
    body = {"status": "ok" if ok else "degraded", "database": database, "live": live}
    return jsonify(body), 200 if database["ok"] else 503


def _database(engine) -> dict:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = is_current(engine)
    except Exception as exc:  # any failure here is what the probe must report
        return {"ok": False, "backend": engine.dialect.name, "error": str(exc).splitlines()[0][:200]}
    return {"ok": current, "backend": engine.dialect.name, "schema": "current" if current else "needs migrate"}


def _live(settings) -> dict:
    """Whether live updates can flow: with a message queue, every push goes through it, even to this
    process's own consoles, so a queue that does not answer means no live updates anywhere (the
    pages still work from the database; the console polls this to show a banner)."""
    socketio = current_app.extensions["socketio"]
    queue = settings["SOCKETIO_MESSAGE_QUEUE"]
    info = {"ok": True, "async_mode": socketio.server.async_mode,
            "message_queue": ("redis" if queue.startswith(("redis://", "rediss://")) else "kombu") if queue
            else "in-process"}
    if queue:
        try:
            _queue_client(queue).ping()
        except Exception as exc:
            info.update(ok=False, error=str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__)
    return info


def _queue_client(url: str):
    """One client per app for the probe (consoles poll it): short timeouts, reconnecting by itself."""
    client = current_app.extensions.get(QUEUE_PROBE)
    if client is None:
        if url.startswith(("redis://", "rediss://")):
            import redis
            client = redis.Redis.from_url(url, socket_timeout=PROBE_TIMEOUT, socket_connect_timeout=PROBE_TIMEOUT)
        else:
            client = _KombuProbe(url)
        current_app.extensions[QUEUE_PROBE] = client
    return client


class _KombuProbe:
    """The same question for a kombu queue (AMQP …): can a connection be made now?"""

    def __init__(self, url: str):
        self.url = url

    def ping(self) -> None:
        import kombu
        with kombu.Connection(self.url, connect_timeout=PROBE_TIMEOUT) as connection:
            connection.ensure_connection(max_retries=1)

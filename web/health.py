"""GET /healthz: database and live-channel status for load balancers and operators."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from command.migrate import is_current

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Report database and live-channel status as JSON; 503 when the database is unusable."""
    runtime = current_app.extensions["vigil"]
    database = _database(runtime.engine)
    live = _live(runtime.settings)
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
    socketio = current_app.extensions["socketio"]
    queue = settings["SOCKETIO_MESSAGE_QUEUE"]
    info = {"ok": True, "async_mode": socketio.server.async_mode,
            "message_queue": "redis" if queue else "in-process"}
    if queue:
        try:
            import redis
            redis.Redis.from_url(queue, socket_timeout=1).ping()
        except Exception as exc:
            info.update(ok=False, error=str(exc)[:200])
    return info

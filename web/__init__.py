"""The web layer: the only package that imports Flask.

``create_app`` is the one wiring point: settings, database, Socket.IO, the
blueprints, and the subscription that turns domain events into live pushes.
"""

from __future__ import annotations

from typing import Any, Mapping

from datetime import datetime

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_socketio import SocketIO
from werkzeug.middleware.proxy_fix import ProxyFix

from command.bootstrap import bootstrap
from command.runtime import Runtime, build_runtime
from command.settings import secret_key
from feeds.config import load_feeds
from web import errors
from web.context import KEY, runtime_of
from web.errors import BoundedInt
from web import (console, correlations_api, dutylog_api, dutylog_page, escalations_api, feeds_api, feeds_page,
                 handover_page, health, i18n, incidents_api, live, openapi, queue_page, reports_api, twilio_webhooks)
from web import admin, auth, documents_api, documents_page, metrics, roster_api, roster_page


class JSONProvider(DefaultJSONProvider):
    """JSON as the API documents it: times in ISO 8601 (Flask's default is an HTTP date), Chinese kept readable."""

    ensure_ascii = False

    @staticmethod
    def default(value):
        if isinstance(value, datetime):
            return value.isoformat()
        return DefaultJSONProvider.default(value)


def create_app(overrides: Mapping[str, Any] | None = None, runtime: Runtime | None = None, role: str = "web") -> Flask:
    """Build the Flask app and its Socket.IO server from settings (env, then ``overrides``).

    ``role`` is the process's (web, or all when the workers run beside it): ``bootstrap`` wires its live pushes.
    """
    runtime = runtime or build_runtime(overrides)
    settings = runtime.settings
    app = Flask(__name__)
    app.json = JSONProvider(app)
    app.config.update(
        SECRET_KEY=secret_key(settings),
        MAX_CONTENT_LENGTH=settings["MAX_BODY_BYTES"],
    )
    if settings["TRUSTED_PROXIES"]:
        # Behind nginx: the client's address (login throttle, audit) and scheme come from X-Forwarded-*,
        # believed only from as many proxies as configured (a header from a client itself is not).
        hops = settings["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    app.url_map.converters["int"] = BoundedInt  # ids past 64 bits are simply not found
    errors.init_app(app)
    app.extensions[KEY] = runtime
    app.extensions["vigil_feeds"] = load_feeds(settings["FEEDS_FILE"])
    # The async mode is a setting, never auto-detected: installing eventlet must not switch it.
    socketio = SocketIO(app, async_mode=settings["ASYNC_MODE"],
                        message_queue=settings["SOCKETIO_MESSAGE_QUEUE"] or None,
                        channel=settings["SOCKETIO_CHANNEL"])
    auth.init_app(app)  # first: every request passes its gate
    live.init_app(app, socketio)
    bootstrap(runtime, role, live.emitter(socketio))
    i18n.init_app(app)
    for module in (console, feeds_api, feeds_page, incidents_api, correlations_api, escalations_api, queue_page, health,
                   openapi, reports_api, twilio_webhooks, dutylog_api, dutylog_page, handover_page,
                   roster_page, roster_api, documents_api, documents_page, admin, metrics):
        app.register_blueprint(module.bp)
    return app


__all__ = ["create_app", "runtime_of"]

"""The command-line contract: serve, migrate, demo, feeds token. Keep it stable."""

from __future__ import annotations

import argparse
import logging
import sys

from command.migrate import is_current, upgrade
from command.runtime import build_runtime
from command.settings import SettingsError
from command.tokens import issue_feed_token
from feeds.config import FeedConfigError
from feeds.event import SOURCE_PATTERN


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for chatty in ("werkzeug", "alembic.runtime.migration"):  # a line per request drowns what matters
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        return args.run(args)
    except (SettingsError, FeedConfigError) as exc:
        print(f"vigil: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m command", description="Vigil duty-room system")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the web server (and the demo feeds with --demo)")
    serve.add_argument("--host", help="address to bind (default VIGIL_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default VIGIL_PORT, 5000)")
    serve.add_argument("--demo", action="store_true", help="replay the bundled demo feeds")
    serve.set_defaults(run=_serve)

    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    migrate.set_defaults(run=_migrate)

    demo = commands.add_parser("demo", help="replay the bundled demo feeds into a running server")
    demo.add_argument("--url", help="server base URL (default http://VIGIL_HOST:VIGIL_PORT)")
    demo.add_argument("--interval", type=float, help="seconds between events (default VIGIL_DEMO_INTERVAL_SECONDS)")
    demo.set_defaults(run=_demo)

    feeds = commands.add_parser("feeds", help="feed administration")
    feeds_commands = feeds.add_subparsers(dest="feeds_command", required=True)
    token = feeds_commands.add_parser("token", help="create or rotate SOURCE's ingest token; prints it alone")
    token.add_argument("source")
    token.set_defaults(run=_feeds_token)
    return parser


def _migrate(args) -> int:
    runtime = build_runtime()
    upgrade(runtime.engine)
    print(f"database schema is current ({runtime.engine.url.render_as_string(hide_password=True)})",
          file=sys.stderr)
    return 0


def _feeds_token(args) -> int:
    if not SOURCE_PATTERN.match(args.source):
        print("vigil: SOURCE must be 1-64 of a-z 0-9 _ . - starting with a letter or digit", file=sys.stderr)
        return 2
    runtime = build_runtime()
    if not _schema_ready(runtime):
        return 1
    with runtime.sessions.begin() as session:
        token = issue_feed_token(session, args.source)
    print(token)
    return 0


def _serve(args) -> int:
    from feeds.worker import FeedWorker
    from web import create_app  # web imports Flask; only serving needs it
    overrides = {key: value for key, value in (("HOST", args.host), ("PORT", args.port)) if value is not None}
    if args.demo:
        overrides["DEMO"] = True
    runtime = build_runtime(overrides)
    if not _schema_ready(runtime):
        return 1
    app = create_app(runtime=runtime)
    socketio = app.extensions["socketio"]
    host, port = runtime.settings["HOST"], runtime.settings["PORT"]
    worker = FeedWorker(runtime, app.extensions["vigil_feeds"])
    socketio.start_background_task(worker.run, sleep=socketio.sleep)
    if runtime.settings["DEMO"]:
        from feeds.demo import replay
        socketio.start_background_task(replay, runtime, f"http://{_client_host(host)}:{port}",
                                       sleep=socketio.sleep)
    print(f"Vigil is running ({runtime.settings['ASYNC_MODE']}): open http://{_client_host(host)}:{port}/",
          flush=True)
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False)
    return 0


def _demo(args) -> int:
    from feeds.demo import replay
    runtime = build_runtime()
    if not _schema_ready(runtime):
        return 1
    settings = runtime.settings
    url = args.url or f"http://{_client_host(settings['HOST'])}:{settings['PORT']}"
    replay(runtime, url, interval=args.interval)
    return 0


def _schema_ready(runtime) -> bool:
    if is_current(runtime.engine):
        return True
    print("vigil: the database schema is not current; run `python -m command migrate` first", file=sys.stderr)
    return False


def _client_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host

"""The command-line contract: serve, migrate, demo, feeds token. Keep it stable."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from command.migrate import is_current, upgrade
from command.runtime import build_runtime
from command.settings import SettingsError
from command.tokens import issue_feed_token
from feeds.config import FeedConfigError
from feeds.event import SOURCE_PATTERN

DEMO_DIRECTORY = Path(__file__).resolve().parent / "data" / "demo_directory.yaml"  # the demo duty room


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
    serve.add_argument("--role", choices=("all", "web", "worker"), default="all",
                       help="all (default): web server and workers; web: pages, API and live channel only; "
                            "worker: feed polling, escalations and SMS only")
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
    revoke = feeds_commands.add_parser("revoke", help="revoke SOURCE's ingest token at once")
    revoke.add_argument("source")
    revoke.set_defaults(run=_feeds_revoke)

    dutylog = commands.add_parser("dutylog", help="duty log administration")
    dutylog_commands = dutylog.add_subparsers(dest="dutylog_command", required=True)
    verify = dutylog_commands.add_parser("verify", help="check the duty log's hash chain; exit 1 at a broken link")
    verify.set_defaults(run=_dutylog_verify)

    directory = commands.add_parser("directory", help="departments, people and roster")
    directory_commands = directory.add_subparsers(dest="directory_command", required=True)
    load = directory_commands.add_parser("load", help="upsert people and shifts from a directory YAML file")
    load.add_argument("file")
    load.set_defaults(run=_directory_load)

    users = commands.add_parser("users", help="people who log in")
    users_commands = users.add_subparsers(dest="users_command", required=True)
    create = users_commands.add_parser("create", help="create a user; prints the initial password once")
    create.add_argument("name")
    create.add_argument("--role", required=True, help="administrator | operator | shift_leader | liaison | leader | feed")
    create.add_argument("--department", action="append", default=[], help="a department code (repeat for several)")
    create.add_argument("--display-name")
    create.set_defaults(run=_users_create)
    for verb, helptext in (("disable", "disable NAME: no login, no token, no notifications"),
                           ("reset-password", "set a new password for NAME and print it once"),
                           ("token", "create or rotate NAME's personal API token; prints it alone")):
        command = users_commands.add_parser(verb, help=helptext)
        command.add_argument("name")
        command.set_defaults(run=_users_command, verb=verb)
    return parser


def _migrate(args) -> int:
    runtime = build_runtime()
    upgrade(runtime.engine)
    print(f"database schema is current ({runtime.engine.url.render_as_string(hide_password=True)})",
          file=sys.stderr)
    return 0


def _dutylog_verify(args) -> int:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from command.dutylog import verify
    runtime = build_runtime()
    if not _schema_ready(runtime):
        return 1
    # A plain engine: on SQLite its reads take no write lock (no BEGIN IMMEDIATE), so a long walk
    # over a big log does not hold up escalations writing to it meanwhile.
    reader = create_engine(runtime.settings["DATABASE_URL"])
    try:
        with Session(reader) as session:
            result = verify(session)
    finally:
        reader.dispose()
    if not result.ok:
        print(f"duty log BROKEN at entry {result.first_broken_id}: {result.reason}")
        return 1
    print(f"duty log OK: {result.checked} entries")
    print(f"last hash: {result.last_hash}")  # note it down: a cut-off tail is found only against it
    return 0


def _users_create(args) -> int:
    from command.users import UserError, create
    runtime = build_runtime()
    if not _schema_ready(runtime):
        return 1
    try:
        with runtime.unit_of_work() as session:
            person, password = create(session, args.name, args.role, departments=args.department,
                                      display_name=args.display_name)
            username = person.username
    except UserError as exc:
        print(f"vigil: {exc}", file=sys.stderr)
        return 2
    print(f"user {username} created" + (f"; initial password: {password}" if password else ""))
    return 0


def _users_command(args) -> int:
    from command.users import UserError, disable, issue_token, reset_password
    runtime = build_runtime()
    if not _schema_ready(runtime):
        return 1
    try:
        with runtime.unit_of_work() as session:
            if args.verb == "disable":
                disable(session, args.name, actor="cli")
                said = f"user {args.name} disabled"
            elif args.verb == "reset-password":
                said = f"new password for {args.name}: {reset_password(session, args.name, actor='cli')}"
            else:
                said = issue_token(session, args.name, actor="cli")  # alone on stdout, for scripts
    except UserError as exc:
        print(f"vigil: {exc}", file=sys.stderr)
        return 2
    print(said)
    return 0


def _directory_load(args) -> int:
    from command.directory import DirectoryError, load_directory
    runtime = build_runtime()
    if not _schema_ready(runtime):
        return 1
    try:
        with runtime.unit_of_work() as session:
            result = load_directory(session, args.file, author="cli")
    except DirectoryError as exc:
        print(f"vigil: {exc}", file=sys.stderr)
        return 2
    print(f"directory loaded: {result}")
    return 0


def _feeds_token(args) -> int:
    if not SOURCE_PATTERN.match(args.source):
        print("vigil: SOURCE must be 1-64 of a-z 0-9 _ . - starting with a letter or digit", file=sys.stderr)
        return 2
    runtime = build_runtime()
    if not _schema_ready(runtime):
        return 1
    with runtime.unit_of_work() as session:
        token = issue_feed_token(session, args.source)
    print(token)
    return 0


def _feeds_revoke(args) -> int:
    from command.i18n import message
    from command.tokens import revoke_feed_token
    from command.users import audit
    runtime = build_runtime()
    if not _schema_ready(runtime):
        return 1
    with runtime.unit_of_work() as session:
        revoked = revoke_feed_token(session, args.source)
        if revoked:
            audit(session, "cli", message("audit.feed_token_revoked", source=args.source))
    print(f"token of {args.source} revoked" if revoked else f"{args.source} has no active token")
    return 0 if revoked else 1


def _serve(args) -> int:
    overrides = {key: value for key, value in (("HOST", args.host), ("PORT", args.port)) if value is not None}
    if args.demo:
        overrides["DEMO"] = True
    runtime = build_runtime(overrides)
    if not _schema_ready(runtime):
        return 1
    _load_directory(runtime)
    demo_login = _demo_administrator(runtime) if runtime.settings["DEMO"] and args.role != "worker" else None
    if args.role == "worker":
        return _work(runtime)
    from web import create_app  # web imports Flask; only serving pages needs it
    app = create_app(runtime=runtime, role=args.role)
    socketio = app.extensions["socketio"]
    host, port = runtime.settings["HOST"], runtime.settings["PORT"]
    if args.role == "all":
        for loop in _workers(runtime, app.extensions["vigil_feeds"]):
            socketio.start_background_task(loop.run, sleep=socketio.sleep)
    if runtime.settings["DEMO"]:
        from feeds.demo import replay
        socketio.start_background_task(replay, runtime, f"http://{_client_host(host)}:{port}",
                                       sleep=socketio.sleep)
    print(f"Vigil is running ({runtime.settings['ASYNC_MODE']}, role {args.role}): "
          f"open http://{_client_host(host)}:{port}/", flush=True)
    if demo_login:
        print(f"Demo: log in as {demo_login[0]} with the password {demo_login[1]} (a new one at every start)",
              flush=True)
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False)
    return 0


def _demo_administrator(runtime) -> tuple[str, str]:
    """The demo's administrator, with a fresh password each start (printed, never stored in clear)."""
    from sqlalchemy import select
    from command.models import Person
    from command.users import create, reset_password
    with runtime.unit_of_work() as session:
        if session.scalar(select(Person.id).where(Person.username == "admin")) is None:
            return "admin", create(session, "admin", "administrator", display_name="Demo administrator",
                                   actor="demo")[1]
        return "admin", reset_password(session, "admin", actor="demo")


def _workers(runtime, feeds) -> list:
    """The background loops: feed polling and silence, escalations and the SMS outbox, documents."""
    from command.documents.jobs import DocumentWorker
    from command.escalation_worker import EscalationWorker
    from feeds.worker import FeedWorker
    return [FeedWorker(runtime, feeds), EscalationWorker(runtime), DocumentWorker(runtime)]


def _work(runtime) -> int:
    """The worker role: the background loops in threads, no web server."""
    import threading
    from command.bootstrap import bootstrap
    from feeds.config import load_feeds
    bootstrap(runtime, "worker")  # browsers hear the worker through the web processes' message queue
    loops = _workers(runtime, load_feeds(runtime.settings["FEEDS_FILE"]))
    threads = [threading.Thread(target=loop.run, name=type(loop).__name__, daemon=True) for loop in loops]
    for thread in threads:
        thread.start()
    print(f"Vigil worker is running ({len(threads)} loops)", flush=True)
    for thread in threads:
        thread.join()
    return 0


def _load_directory(runtime) -> None:
    """Departments from their data file, then the configured directory (the demo one when demoing)."""
    from command.directory import load_directory, sync_departments
    path = runtime.settings["DIRECTORY_FILE"] or (DEMO_DIRECTORY if runtime.settings["DEMO"] else None)
    with runtime.unit_of_work() as session:
        sync_departments(session)
        if path:
            load_directory(session, path)


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

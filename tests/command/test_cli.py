"""The command-line contract: migrate, feeds token, serve refusing an old schema."""

from __future__ import annotations

import os
import subprocess
import sys

from command.runtime import build_runtime
from command.tokens import feed_token_valid
from tests.conftest import ROOT


def run(args, sqlite_url, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    full_env.update(VIGIL_DATABASE_URL=sqlite_url, **env)
    return subprocess.run([sys.executable, "-m", "command", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=60)


def test_migrate_then_feeds_token_prints_the_token_alone(sqlite_url):
    assert run(["migrate"], sqlite_url).returncode == 0
    result = run(["feeds", "token", "cma-warnings"], sqlite_url)
    assert result.returncode == 0
    token = result.stdout.strip()
    assert result.stdout == token + "\n" and token.startswith("vgf_") and len(token) > 40
    rt = build_runtime({"DATABASE_URL": sqlite_url})
    with rt.sessions() as session:
        assert feed_token_valid(session, "cma-warnings", token)
    rotated = run(["feeds", "token", "cma-warnings"], sqlite_url).stdout.strip()
    with rt.sessions() as session:
        assert feed_token_valid(session, "cma-warnings", rotated)
        assert not feed_token_valid(session, "cma-warnings", token)


def test_feeds_token_refuses_a_bad_source_name(sqlite_url):
    run(["migrate"], sqlite_url)
    result = run(["feeds", "token", "Bad Name!"], sqlite_url)
    assert result.returncode == 2 and result.stdout == ""
    assert "SOURCE must be" in result.stderr


def test_serve_refuses_a_database_that_is_not_migrated(sqlite_url):
    result = run(["serve", "--port", "1"], sqlite_url)
    assert result.returncode == 1
    assert "python -m command migrate" in result.stderr


def test_a_bad_setting_is_a_clear_error(sqlite_url):
    result = run(["migrate"], sqlite_url, VIGIL_ASYNC_MODE="gevent")
    assert result.returncode == 2
    assert "VIGIL_ASYNC_MODE='gevent'; allowed: threading | eventlet" in result.stderr


def test_a_revoked_feed_token_is_refused_at_once(client, runtime, feed_token):
    from tests.conftest import FEED, event_body
    headers = {"Authorization": f"Bearer {feed_token}"}
    assert client.post(f"/api/v1/feeds/{FEED}/events", json=event_body("before"), headers=headers).status_code == 201
    from command.tokens import revoke_feed_token
    with runtime.unit_of_work() as session:
        assert revoke_feed_token(session, FEED)
    assert client.post(f"/api/v1/feeds/{FEED}/events", json=event_body("after"), headers=headers).status_code == 401

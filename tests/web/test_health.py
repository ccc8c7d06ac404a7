"""GET /healthz reports the database and the live channel."""

import pytest
from sqlalchemy import text

from tests.conftest import ADMIN, ADMIN_TOKEN, make_user, pg_database_down


def test_healthz_reports_database_and_live_channel(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "database": {"ok": True, "backend": "sqlite", "schema": "current"},
        "live": {"ok": True, "async_mode": "threading", "message_queue": "in-process"},
    }


def test_healthz_says_when_the_schema_needs_migrating(client, runtime):
    with runtime.engine.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"]["schema"] == "needs migrate"


def test_healthz_reports_an_unreachable_message_queue(tmp_path):
    from command.migrate import upgrade
    from command.runtime import build_runtime
    from web import create_app
    rt = build_runtime({"DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}", "SECRET_KEY": "t",
                        "SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:1/0"})
    upgrade(rt.engine)
    body = create_app(runtime=rt).test_client().get("/healthz").get_json()
    assert body["status"] == "degraded"
    assert body["live"]["ok"] is False and body["live"]["message_queue"] == "redis"


@pytest.mark.postgres
def test_with_the_database_down_pages_and_apis_say_503_and_recover(pg_url):
    from command.migrate import upgrade
    from command.runtime import build_runtime
    from web import create_app
    runtime = build_runtime({"DATABASE_URL": pg_url, "SECRET_KEY": "test"})
    upgrade(runtime.engine)
    make_user(runtime, ADMIN, token=ADMIN_TOKEN)
    client = create_app(runtime=runtime).test_client()
    token = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with pg_database_down(pg_url):
        api = client.get("/api/v1/incidents", headers=token)
        assert (api.status_code, api.get_json()["code"], api.headers["Retry-After"]) == (503, "database_unavailable", "5")
        page = client.get("/login?next=/", headers={"Accept": "text/html"})  # public, yet needs no database
        assert page.status_code == 200
        console = client.get("/", headers={"Accept": "text/html", **token})
        assert console.status_code == 503 and "数据库暂时不可用" in console.get_data(as_text=True)
        assert "Traceback" not in console.get_data(as_text=True)
    assert client.get("/api/v1/incidents", headers=token).status_code == 200  # back by itself
    runtime.engine.dispose()

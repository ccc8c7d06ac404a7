"""GET /healthz reports the database and the live channel."""

from sqlalchemy import text


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

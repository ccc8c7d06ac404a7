"""Alembic migrations create exactly the models' schema from empty, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from command.db import make_engine
from command.migrate import is_current, upgrade
from command.models import Base

TABLES = {"alembic_version", "correlation_proposals", "dead_letters", "feed_events", "feed_health", "feed_tokens", "incident_log",
          "incidents", "payloads", "departments", "people", "memberships", "contacts", "shifts", "duty_log",
          "escalations", "acknowledgements", "notifications", "inbound_messages", "roster_swaps", "handovers",
          "report_obligations", "reports", "document_jobs"}


def _assert_migrates_from_empty(url: str) -> None:
    engine = make_engine(url)
    try:
        assert not is_current(engine)
        upgrade(engine)
        assert is_current(engine)
        assert set(inspect(engine).get_table_names()) == TABLES
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == [], "models and migrations disagree; write a migration"
        upgrade(engine)  # running it again is harmless
        assert is_current(engine)
    finally:
        engine.dispose()


def test_migrations_run_from_empty_on_sqlite(sqlite_url):
    _assert_migrates_from_empty(sqlite_url)


@pytest.mark.postgres
def test_migrations_run_from_empty_on_postgresql(pg_url):
    _assert_migrates_from_empty(pg_url)

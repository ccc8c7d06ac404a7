"""Alembic environment: run migrations on the connection or URL Vigil hands in."""

from alembic import context
from sqlalchemy import create_engine

from command.models import Base

config = context.config


def run_migrations() -> None:
    """Run upgrades in batch mode so SQLite gets copy-and-move ALTERs (STACK.md 6)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        _run(conn)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()

"""Alembic environment: async engine, batch mode on SQLite, one migrating process at a time.

Every node runs the migrations as it starts (unless told not to), so several may start them at once.
On PostgreSQL the whole upgrade runs in one transaction that first takes a transaction-level advisory
lock (``MIGRATION_LOCK``): a second node waits for it, then finds the schema at the head and does
nothing.  On SQLite the transaction takes the database's write lock at BEGIN (``BEGIN IMMEDIATE``,
adapters/db/engine.py), which serves the same purpose for the processes of one machine."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from videophone.adapters.db.engine import make_engine
from videophone.adapters.db.migrate import MIGRATION_LOCK
from videophone.adapters.db.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Held until the transaction below commits or rolls back (also if this process dies).
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL given to the migrations")
    asyncio.run(_run_async(url))


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported; run `videophone db upgrade`")
run_migrations_online()

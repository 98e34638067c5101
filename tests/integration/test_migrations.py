"""Migrations: a fresh database migrated to the head matches the models exactly (no drift between
``models*.py`` and ``migrations/versions``), and the newest migration goes down and up again."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, make_url

from tests.support.databases import admin_execute
from videophone.adapters.db.engine import make_engine, normalize_url
from videophone.adapters.db.migrate import alembic_config, upgrade_async
from videophone.adapters.db.models import Base

PG_URL = os.environ.get("VIDEOPHONE_TEST_POSTGRES_URL", "")


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set VIDEOPHONE_TEST_POSTGRES_URL (CI sets it)")
    name = f"vp_migrations_{uuid.uuid4().hex[:10]}"
    await admin_execute(PG_URL, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(normalize_url(PG_URL)).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin_execute(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def drift(url: str) -> list[object]:
    def compare(conn: Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(compare)
    finally:
        await engine.dispose()


async def test_the_head_matches_the_models_and_the_newest_step_goes_down_and_up(empty_url: str) -> None:
    await upgrade_async(empty_url)
    assert await drift(empty_url) == []
    config = alembic_config(empty_url)
    head = ScriptDirectory.from_config(config).get_current_head()
    previous = ScriptDirectory.from_config(config).get_revision(head).down_revision
    assert isinstance(previous, str)
    await asyncio.to_thread(command.downgrade, config, previous)
    assert await drift(empty_url) != []  # the step changed something, and undoing it shows
    await upgrade_async(empty_url)
    assert await drift(empty_url) == []

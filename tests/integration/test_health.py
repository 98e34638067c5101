"""Liveness and readiness (issue 17): ``/livez`` answers with no I/O; ``/readyz`` is 200 only when the
database answers and is migrated to the head (and Redis answers when configured), else 503 naming what
is not ready — on SQLite and PostgreSQL, against real servers (a dropped database, a closed port, a
server that accepts and never answers)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.conftest import FAST_HASHER, make_settings
from tests.support.databases import admin_execute
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.engine import normalize_url
from videophone.adapters.db.migrate import alembic_config, head_revisions, upgrade_async
from videophone.bootstrap import Container, build
from videophone.web.app import create_app

PG_URL = os.environ.get("VIDEOPHONE_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("VIDEOPHONE_TEST_REDIS_URL", "redis://127.0.0.1:6379/10")


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database of its own per test, not migrated."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'ready.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set VIDEOPHONE_TEST_POSTGRES_URL (CI sets it)")
    name = f"vp_ready_{uuid.uuid4().hex[:10]}"
    await admin_execute(PG_URL, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(normalize_url(PG_URL)).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin_execute(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.asynccontextmanager
async def node(url: str, tmp_path: Path, **settings: str) -> AsyncIterator[tuple[Container, httpx.AsyncClient]]:
    config = make_settings(url, tmp_path).model_copy(update=settings)
    container = build(config, clock=FakeClock(), hasher=FAST_HASHER)
    app = create_app(container)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://node") as client:
            yield container, client
    finally:
        await container.close()


async def test_a_migrated_database_is_ready_and_one_behind_or_empty_is_not(empty_url: str, tmp_path: Path) -> None:
    async with node(empty_url, tmp_path) as (_, client):
        empty = await client.get("/readyz")
        assert empty.status_code == 503
        body = empty.json()
        assert body["status"] == "not ready" and body["not_ready"] == ["database"]
        assert body["checks"]["database"].startswith("not migrated: at none, the head is ")
        assert empty.headers["cache-control"] == "no-store"

        await upgrade_async(empty_url)
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json() == {"status": "ready", "checks": {"database": "ok"}, "not_ready": []}

        # One migration behind the scripts (a node of a newer release started before `db upgrade`).
        config = alembic_config(empty_url)
        (head,) = head_revisions()
        previous = ScriptDirectory.from_config(config).get_revision(head).down_revision
        await asyncio.to_thread(command.downgrade, config, str(previous))
        behind = await client.get("/readyz")
        assert behind.status_code == 503
        assert behind.json()["checks"]["database"] == f"not migrated: at {previous}, the head is {head}"
        # The old health route and liveness answer all along.
        assert (await client.get("/livez")).json() == {"status": "ok"}


async def test_a_dropped_postgresql_database_is_not_ready_but_the_process_is_live(tmp_path: Path) -> None:
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set VIDEOPHONE_TEST_POSTGRES_URL (CI sets it)")
    name = f"vp_ready_{uuid.uuid4().hex[:10]}"
    await admin_execute(PG_URL, f'CREATE DATABASE "{name}"')
    url = make_url(normalize_url(PG_URL)).set(database=name).render_as_string(hide_password=False)
    try:
        await upgrade_async(url)
        async with node(url, tmp_path) as (_, client):
            assert (await client.get("/readyz")).status_code == 200
            await admin_execute(PG_URL, f'DROP DATABASE "{name}" WITH (FORCE)')  # the database goes away
            down = await client.get("/readyz")
            assert down.status_code == 503
            assert down.json()["checks"]["database"].startswith("unreachable: ")
            assert name not in down.text and "postgres" not in down.text  # nothing about where it was
            assert (await client.get("/livez")).status_code == 200
    finally:
        await admin_execute(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_a_sqlite_file_that_cannot_be_opened_is_not_ready(tmp_path: Path) -> None:
    directory = tmp_path / "not-a-database"
    directory.mkdir()
    async with node(f"sqlite+aiosqlite:///{directory}", tmp_path) as (_, client):
        down = await client.get("/readyz")
        assert down.status_code == 503
        assert down.json()["checks"]["database"].startswith("unreachable: ")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never says anything (a hung server, a black hole)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield int(listener.getsockname()[1])
    finally:
        listener.close()


async def test_a_database_that_never_answers_is_not_ready_within_the_timeout(
    silent_server: int, tmp_path: Path
) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{silent_server}/none"
    async with node(url, tmp_path) as (_, client):
        started = time.monotonic()
        down = await client.get("/readyz")
        took = time.monotonic() - started
    assert down.status_code == 503
    assert down.json()["checks"]["database"] == "unreachable: no answer within 2 s"
    assert took < 5


async def test_redis_counts_when_configured(empty_url: str, tmp_path: Path) -> None:
    await upgrade_async(empty_url)
    async with node(empty_url, tmp_path, redis_url=REDIS_URL) as (_, client):
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}
    gone = f"redis://127.0.0.1:{_closed_port()}/10"
    async with node(empty_url, tmp_path, redis_url=gone) as (_, client):
        down = await client.get("/readyz")
        assert down.status_code == 503
        body = down.json()
        assert body["not_ready"] == ["redis"] and body["checks"]["database"] == "ok"
        assert body["checks"]["redis"].startswith("unreachable: ")


async def test_a_database_migrated_past_this_nodes_scripts_stays_ready(empty_url: str, tmp_path: Path) -> None:
    """A rolling upgrade: a newer release ran `db upgrade`; the nodes of this release keep serving."""
    await upgrade_async(empty_url)
    async with node(empty_url, tmp_path) as (container, client):
        async with container.engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text

"""The PostgreSQL connection pool: a fixed set of connections, pinged only after sitting idle, and
replaced when the server dropped them meanwhile; SQLite's one connection, reported when held long."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
import structlog
from sqlalchemy import literal, select, text

from tests.conftest import _create_pg_database, _drop_pg_database
from tests.support.databases import admin_execute
from videophone.adapters.db import engine as engine_module
from videophone.adapters.db.driver_reads import BROKEN_CONNECTION, DriverRead
from videophone.adapters.db.engine import PG_POOL_SIZE, make_engine
from videophone.adapters.db.reads import make_reads

PG_URL = os.environ.get("VIDEOPHONE_TEST_POSTGRES_URL", "")


@pytest.fixture
def pg_url() -> str:
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set VIDEOPHONE_TEST_POSTGRES_URL (CI sets it)")
    return PG_URL


async def test_a_connection_dropped_while_idle_is_replaced(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(pg_url)
    try:
        async with engine.connect() as conn:
            first = await conn.scalar(text("SELECT pg_backend_pid()"))
        # The server ends that connection (a restart, an idle timeout, a failover) while it is idle.
        await admin_execute(pg_url, f"SELECT pg_terminate_backend({int(first)})")
        monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)
        async with engine.connect() as conn:
            second = await conn.scalar(text("SELECT pg_backend_pid()"))
        assert second != first
    finally:
        await engine.dispose()


async def test_a_busy_connection_is_not_pinged_and_the_pool_does_not_grow(pg_url: str) -> None:
    engine = make_engine(pg_url)
    pings = 0
    dialect = engine.sync_engine.dialect
    real_ping = dialect.do_ping

    def counting(dbapi_connection: object) -> bool:
        nonlocal pings
        pings += 1
        return real_ping(dbapi_connection)

    dialect.do_ping = counting  # type: ignore[method-assign]
    try:
        for _ in range(20):
            async with engine.connect() as conn:
                assert await conn.scalar(text("SELECT 1")) == 1
        assert pings == 0  # used a moment ago: no round trip before each transaction
        assert engine.pool.size() == PG_POOL_SIZE  # type: ignore[attr-defined]
        assert engine.pool.overflow() <= 0  # type: ignore[attr-defined]
    finally:
        await engine.dispose()


async def test_sqlites_one_connection_held_long_is_reported_with_its_task(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite has one connection per process: a transaction that waits on something else holds up every
    other statement.  The log says which task held it and how long (the first clue of a stalled node)."""
    monkeypatch.setattr(engine_module, "HELD_WARN_SECONDS", 0.05)
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'held.sqlite3'}")

    async def slow_transaction() -> None:
        async with engine.begin() as conn:
            await conn.execute(text("SELECT 1"))
            await asyncio.sleep(0.1)  # waiting on the network, say, inside the transaction

    async def quick_transaction() -> None:
        async with engine.begin() as conn:
            await conn.execute(text("SELECT 1"))

    try:
        with structlog.testing.capture_logs() as logs:
            await asyncio.create_task(quick_transaction(), name="quick")
            await asyncio.create_task(slow_transaction(), name="the-slow-one")
        held = [entry for entry in logs if entry["event"].startswith("the database connection was held long")]
        assert len(held) == 1, logs
        assert held[0]["task"].startswith("the-slow-one (") and "slow_transaction" in held[0]["task"]
        assert held[0]["seconds"] >= 0.1
    finally:
        await engine.dispose()


async def test_a_connection_lent_for_reads_goes_back_to_the_pool_transactional(pg_url: str) -> None:
    """The hot reads run in autocommit (adapters/db/reads): on PostgreSQL no BEGIN/ROLLBACK round trips
    around them.  The same pooled connections serve the units of work afterwards, and their writes must
    still roll back."""
    url = await _create_pg_database(pg_url)
    engine = make_engine(url)
    reads = make_reads(engine)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE lent (x integer)"))
        for _ in range(PG_POOL_SIZE + 2):
            async with reads() as conn:
                assert (await conn.execute(text("SELECT count(*) FROM lent"))).scalar() == 0
                # Each statement its own transaction: no BEGIN was sent around them.
                first = (await conn.execute(text("SELECT txid_current()"))).scalar()
                assert (await conn.execute(text("SELECT txid_current()"))).scalar() != first
        for _ in range(PG_POOL_SIZE + 2):
            async with engine.connect() as conn:
                await conn.execute(text("INSERT INTO lent VALUES (1)"))
                await conn.rollback()
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM lent"))).scalar() == 0
    finally:
        await engine.dispose()
        await _drop_pg_database(pg_url, url)


@pytest.mark.parametrize("pause", [0.0, 0.5], ids=["at-once", "notice-read-while-idle"])
async def test_a_connection_that_broke_under_a_driver_read_leaves_the_pool(pg_url: str, pause: float) -> None:
    """The invite's reads run straight on the driver (adapters/db/driver_reads): a connection the server
    ended fails that read, and is dropped from the pool like one that failed under SQLAlchemy — the next
    read gets a live one.  Whether the read comes at once or after the driver has read the server's
    notice while the connection sat idle (the driver then fails it otherwise)."""
    engine = make_engine(pg_url)
    reads = make_reads(engine)
    read = DriverRead(select(literal(1).label("one")))
    try:
        async with reads() as conn:
            first = await conn.scalar(text("SELECT pg_backend_pid()"))
        await admin_execute(pg_url, f"SELECT pg_terminate_backend({int(first)})")
        await asyncio.sleep(pause)
        with pytest.raises(BROKEN_CONNECTION):
            async with reads() as conn:
                await read.all(conn, {})
        async with reads() as conn:
            assert [tuple(r) for r in await read.all(conn, {})] == [(1,)]
            assert await conn.scalar(text("SELECT pg_backend_pid()")) != first
    finally:
        await engine.dispose()

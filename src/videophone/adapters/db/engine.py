"""Engine and session factory for SQLite (WAL) or PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiosqlite
import structlog
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def normalize_url(url: str) -> str:
    """Accept plain ``postgresql://`` and ``sqlite://`` URLs and pick the async drivers."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
        return "sqlite+aiosqlite://" + url.split("://", 1)[1]
    return url


log = structlog.get_logger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
HELD_WARN_SECONDS = 5.0  # SQLite's one connection held longer than this: every other statement waited
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6


class InlineSqliteConnection(aiosqlite.Connection):
    """An aiosqlite connection that runs each call on the event loop's thread.

    aiosqlite hands every call (cursor, execute, fetch, close, commit) to its worker thread and back:
    two thread switches and a self-pipe wake-up per call, which cost far more CPU than the SQLite
    work of this service's short statements on a local file.  Here a call runs at once, with
    SQLite's busy timeout at 0 so it can never sleep in the loop; only when the database is locked
    by *another* process (a CLI command, another tool) does the call go to the worker thread, which
    waits for the lock with the usual busy timeout — as plain aiosqlite would.  A statement that
    failed with SQLITE_BUSY changed nothing, so running it again there is safe.  With a pool of one
    connection (see make_engine) the calls of this process never overlap.
    """

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", 0) & 0xFF not in (_SQLITE_BUSY, _SQLITE_LOCKED):
                raise
        connection = self._conn

        def waiting() -> Any:
            connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            try:
                return fn(*args, **kwargs)
            finally:
                connection.execute("PRAGMA busy_timeout=0")

        return await super()._execute(waiting)  # type: ignore[no-untyped-call]


def _inline_sqlite_creator(database: str) -> Callable[[], Any]:
    async def connect() -> aiosqlite.Connection:
        connection = InlineSqliteConnection(
            lambda: sqlite3.connect(database, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, check_same_thread=False), 64
        )
        connection._thread.daemon = True
        return await connection

    return connect


def make_engine(url: str) -> AsyncEngine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        if parsed.database and parsed.database != ":memory:":
            # One connection, queued for in the event loop.  Every transaction takes the write lock
            # at BEGIN (see _sqlite_begin), so two connections of this process can never work at the
            # same time anyway; with more, waiters spin in SQLite's busy handler (sleeps of up to
            # 100 ms: long tail latencies) and overflow connections are opened and closed per burst.
            # Its calls run inline on the event loop (InlineSqliteConnection): the thread hand-offs
            # were most of the CPU a statement cost.
            engine = create_async_engine(
                url,
                async_creator=_inline_sqlite_creator(parsed.database),
                pool_size=1,
                max_overflow=0,
                pool_timeout=30,
            )
            busy_timeout_ms = 0  # waits for another process's lock happen in the worker thread
        else:
            engine = create_async_engine(url, connect_args={"timeout": 30})
            busy_timeout_ms = SQLITE_BUSY_TIMEOUT_MS

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the driver, begin transactions (see _sqlite_begin).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
            # Limits, used as the database grows (ADR 0006): with the default 2 MB page cache a month's
            # rating re-read the same index pages from the file system at every step.
            cursor.execute("PRAGMA cache_size=-262144")  # KiB: 256 MiB
            cursor.execute("PRAGMA mmap_size=1073741824")  # 1 GiB
            cursor.close()

        if busy_timeout_ms == 0:
            _warn_when_held(engine)

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Take the write lock at BEGIN so concurrent writers queue instead of failing mid-way.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return _postgres_engine(url)


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None


def _warn_when_held(engine: AsyncEngine) -> None:
    """With one SQLite connection, a transaction that waits on something else (the network, another
    transaction) holds up every statement of the process; say which task did, and for how long."""

    @event.listens_for(engine.sync_engine, "checkout")
    def _held_from(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        record.info["held"] = (time.monotonic(), _current_task())

    @event.listens_for(engine.sync_engine, "checkin")
    def _held_for(_dbapi_connection: Any, record: Any) -> None:
        since, task = record.info.pop("held", (None, None))
        if since is not None and time.monotonic() - since > HELD_WARN_SECONDS:
            log.warning(
                "the database connection was held long: other statements waited",
                seconds=round(time.monotonic() - since, 2),
                task=f"{task.get_name()} ({getattr(task.get_coro(), '__qualname__', '?')})" if task else "?",
            )


PG_POOL_SIZE = 20
PING_AFTER_IDLE_SECONDS = 10.0


def _postgres_engine(url: str) -> AsyncEngine:
    """A fixed pool of PostgreSQL connections, pinged only after they sat idle.

    * No overflow: overflow connections were opened for a burst and closed again at check-in — a
      new connection (TCP, an SSL attempt, authentication) for many transactions under call load,
      which cost the signaling node a third of its throughput.  Waiters queue for a pooled one.
    * ``pool_pre_ping`` sent a ping before *every* transaction: an extra round trip each, six per
      call.  A connection that was used in the last ``PING_AFTER_IDLE_SECONDS`` is handed out as it
      is; one idle for longer (the server may have restarted meanwhile) is pinged first, and
      replaced if the ping fails.  A connection broken in between fails its transaction, and
      SQLAlchemy then discards the whole pool.
    """
    engine = create_async_engine(url, pool_size=PG_POOL_SIZE, max_overflow=0, pool_timeout=30)
    dialect = engine.sync_engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def _idle_since(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the pool replaces the connection and tries again
            raise DisconnectionError("connection lost while idle") from exc
        if not alive:
            raise DisconnectionError("connection lost while idle")

    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)

"""Reads that need no transaction: a pooled connection whose statements each stand alone.

The signaling hub's hot reads (the invite's two, a connecting device's) are consistent statement by
statement and write nothing.  Inside a unit of work each cost two more round trips to PostgreSQL,
``BEGIN`` and ``ROLLBACK`` — on a node setting up hundreds of calls a second, as many round trips as the
reads themselves.  On PostgreSQL these connections are in autocommit (asyncpg then starts no
transaction; the pool's connections are shared with the units of work, the mode is the connection's
own until it goes back).  SQLite keeps its transaction per use: its connection is in-process and its
``BEGIN`` takes the lock that orders every use of the file (``engine._sqlite_begin``).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

ReadsFactory = Callable[[], AbstractAsyncContextManager[AsyncConnection]]


def make_reads(engine: AsyncEngine) -> ReadsFactory:
    """``async with reads() as conn: await conn.execute(...)`` — read-only statements, no transaction."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT").connect
    return engine.connect

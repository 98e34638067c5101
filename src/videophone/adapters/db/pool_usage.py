"""What the engine's connection pool is doing, for the metrics: connections in use, tasks waiting for
one, and its size.  Read from the pool without a statement (nothing to time out)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool


@dataclass(frozen=True)
class PoolUsage:
    in_use: int
    waiting: int
    size: int


def pool_usage(engine: AsyncEngine) -> PoolUsage:
    """The pool's figures; a pool that keeps no connections (SQLite in memory, NullPool) reads as empty.

    SQLAlchemy counts connections checked out but not who waits: the waiters are the pending getters of
    the asyncio queue under its async pool (a private attribute, read defensively: 0 if it moved)."""
    pool = engine.sync_engine.pool
    if not isinstance(pool, QueuePool):
        return PoolUsage(0, 0, 0)
    queue = getattr(getattr(pool, "_pool", None), "__dict__", {}).get("_queue")  # created on first use
    getters = getattr(queue, "_getters", ())
    waiting = sum(1 for g in getters if not g.done())
    return PoolUsage(max(0, pool.checkedout()), waiting, pool.size())

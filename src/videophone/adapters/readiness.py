"""Readiness of a node (``/readyz``): the database answers and is migrated to the head, and Redis
answers when the node uses it.  Each check has a short timeout; a failed check says what is wrong in
words safe to show anyone (no addresses, no secrets: the details go to the log)."""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from videophone.adapters.db.migrate import current_revisions, head_revisions, known_revisions

log = structlog.get_logger(__name__)

CHECK_TIMEOUT_SECONDS = 2.0
OK = "ok"


async def database(engine: AsyncEngine, limit: float = CHECK_TIMEOUT_SECONDS) -> str:
    """``ok``, or why the database is not ready (unreachable, or not at the migrations' head)."""
    try:
        async with asyncio.timeout(limit):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
                current = await connection.run_sync(current_revisions)
    except TimeoutError:
        log.warning("readiness: the database did not answer in time", timeout=limit)
        return f"unreachable: no answer within {limit:g} s"
    except Exception as exc:
        log.warning("readiness: the database is unreachable", error=repr(exc))
        return f"unreachable: {type(exc).__name__}"
    head = head_revisions()
    if current and not current & known_revisions():
        # Migrated past this node's scripts by a newer release (a rolling upgrade: `db upgrade` first,
        # then the nodes one by one).  Migrations keep the previous release working, so it stays ready.
        log.info("readiness: the database is ahead of this node's migrations", at=sorted(current))
        return OK
    if current != head:
        at = ", ".join(sorted(current)) or "none"
        return f"not migrated: at {at}, the head is {', '.join(sorted(head))}"
    return OK


async def redis(client: Any, limit: float = CHECK_TIMEOUT_SECONDS) -> str:
    """``ok``, or why Redis is not ready."""
    try:
        async with asyncio.timeout(limit):
            await client.ping()
    except TimeoutError:
        log.warning("readiness: Redis did not answer in time", timeout=limit)
        return f"unreachable: no answer within {limit:g} s"
    except Exception as exc:
        log.warning("readiness: Redis is unreachable", error=repr(exc))
        return f"unreachable: {type(exc).__name__}"
    return OK


async def checks(engine: AsyncEngine, redis_client: Any | None) -> dict[str, str]:
    """Every check of this node, run at once: name → ``ok`` or the problem."""
    names = ["database"]
    runs = [database(engine)]
    if redis_client is not None:
        names.append("redis")
        runs.append(redis(redis_client))
    return dict(zip(names, await asyncio.gather(*runs), strict=True))

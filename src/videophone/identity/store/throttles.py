"""Throttle rows (``login_throttles``): an attempt is checked and counted by one statement.

``reserve`` is a conditional upsert::

    INSERT INTO login_throttles (key, attempts, window_started_at, next_allowed_at)
    VALUES (:key, 1, :now, :now + delay(1))
    ON CONFLICT (key) DO UPDATE SET attempts = attempts + 1 (or 1 in a new window), …,
                                    next_allowed_at = :now + delay(attempts + 1)
    WHERE login_throttles.next_allowed_at <= :now
    RETURNING attempts

The row is the lock: concurrent attempts on one key queue on it (PostgreSQL re-evaluates the
condition on the row as the previous writer committed it; SQLite writes one at a time), so the
attempt that makes a wait start is the last one let through until the wait is over.  The delay
schedule is the rule's (domain/throttling.py), handed over as a CASE of bound times: no date
arithmetic or power function in SQL, the same statement on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, delete, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import LoginThrottle
from videophone.adapters.db.types import UTCDateTime
from videophone.identity.domain.throttling import ThrottleRule

_T = LoginThrottle.__table__


def _at(when: datetime) -> ColumnElement[datetime]:
    return literal(when, UTCDateTime())


async def reserve(session: AsyncSession, key: str, rule: ThrottleRule, now: datetime) -> int | None:
    """Count an attempt on ``key`` if its wait is over: the attempt's number in the current window,
    or None (nothing changed) while the key must still wait."""
    schedule = rule.schedule()

    def next_after(attempts: int) -> ColumnElement[datetime]:
        return _at(now + timedelta(seconds=schedule[min(attempts, len(schedule)) - 1]))

    # ``attempts`` below is the row's count before this attempt: this one makes it attempts + 1.
    counted = case(
        {n: next_after(n + 1) for n in range(len(schedule))},
        value=_T.c.attempts,
        else_=next_after(len(schedule)),
    )
    stale = _T.c.window_started_at <= _at(now - timedelta(seconds=rule.window))
    insert: Any = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = insert(_T).values(
        key=key, attempts=1, window_started_at=now, next_allowed_at=now + timedelta(seconds=schedule[0])
    )
    stmt = values.on_conflict_do_update(
        index_elements=[_T.c.key],
        set_={
            "attempts": case((stale, 1), else_=_T.c.attempts + 1),
            "window_started_at": case((stale, _at(now)), else_=_T.c.window_started_at),
            "next_allowed_at": case((stale, next_after(1)), else_=counted),
        },
        where=_T.c.next_allowed_at <= _at(now),
    ).returning(_T.c.attempts)
    result = await session.execute(stmt)
    attempts = result.scalar_one_or_none()
    return None if attempts is None else int(attempts)


async def give_back(session: AsyncSession, key: str, rule: ThrottleRule, counted: int, reserved_at: datetime) -> None:
    """Return an attempt counted by ``reserve`` (it turned out a success): one fewer, and if no
    attempt was counted after it, the wait it started is lifted to what the attempt before it left."""
    earlier = reserved_at + timedelta(seconds=rule.delay_after(counted - 1)) if counted > 1 else reserved_at
    await session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key, LoginThrottle.attempts > 0)
        .values(
            attempts=LoginThrottle.attempts - 1,
            next_allowed_at=case(
                (LoginThrottle.attempts == counted, _at(earlier)), else_=LoginThrottle.next_allowed_at
            ),
        )
    )


async def clear(session: AsyncSession, keys: Sequence[str]) -> None:
    await session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(list(keys))))


async def clear_prefix(session: AsyncSession, prefix: str) -> None:
    await session.execute(delete(LoginThrottle).where(LoginThrottle.key.startswith(prefix, autoescape=True)))


async def allowed_at(session: AsyncSession, keys: Sequence[str]) -> datetime | None:
    """The time from which every one of ``keys`` allows an attempt (None: no row)."""
    latest: datetime | None = await session.scalar(
        select(func.max(LoginThrottle.next_allowed_at)).where(LoginThrottle.key.in_(list(keys)))
    )
    return latest


async def purge(session: AsyncSession, now: datetime, longest_window: timedelta) -> int:
    """Drop rows that count for nothing any more: window over and no wait pending."""
    result = await session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.window_started_at <= now - longest_window, LoginThrottle.next_allowed_at <= now
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

"""The ``terminals`` inventory: the operator's units, who has them, their tokens."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Subscriber
from videophone.adapters.db.models_terminals import Terminal


async def terminal_id_with_serial(s: AsyncSession, serial: str) -> int | None:
    return await s.scalar(select(Terminal.id).where(Terminal.serial == serial))


async def lock_terminal_with_serial(s: AsyncSession, serial: str) -> Terminal | None:
    """The unit with this serial, locked for the rest of the transaction."""
    return await s.scalar(select(Terminal).where(Terminal.serial == serial).with_for_update())


async def terminal_with_token_hash(s: AsyncSession, token_hash: str) -> Terminal | None:
    return await s.scalar(select(Terminal).where(Terminal.token_hash == token_hash))


async def serial_of(s: AsyncSession, terminal_id: int) -> str | None:
    return await s.scalar(select(Terminal.serial).where(Terminal.id == terminal_id))


async def terminals_of(s: AsyncSession, subscriber_id: int) -> list[Terminal]:
    """The subscriber's units, in the order they were added."""
    return list(await s.scalars(select(Terminal).where(Terminal.subscriber_id == subscriber_id).order_by(Terminal.id)))


async def terminals_by_id(s: AsyncSession, terminal_ids: Iterable[int]) -> dict[int, Terminal]:
    return {t.id: t for t in await s.scalars(select(Terminal).where(Terminal.id.in_(terminal_ids)))}


async def inventory_page(
    s: AsyncSession, *, state: str, query: str, offset: int, limit: int
) -> tuple[int, list[Terminal]]:
    """How many units match, and the page of them from ``offset``, newest first; ``state`` (if any) is
    the unit's state, ``query`` (if any) part of its serial (in capitals) or of its subscriber's number."""
    stmt = select(Terminal).outerjoin(Subscriber, Subscriber.id == Terminal.subscriber_id)
    if state:
        stmt = stmt.where(Terminal.state == state)
    if query:
        stmt = stmt.where(
            Terminal.serial.contains(query.upper(), autoescape=True)
            | Subscriber.number.contains(query, autoescape=True)
        )
    total = int(await s.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = list(await s.scalars(stmt.order_by(Terminal.id.desc()).offset(offset).limit(limit)))
    return total, rows

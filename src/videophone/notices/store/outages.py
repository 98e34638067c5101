"""Outages, the accounts a listed incident affects and the credits of each (tables ``outages``,
``outage_subscribers``, ``outage_credits``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from videophone.adapters.db import writes
from videophone.adapters.db.models import Subscriber
from videophone.adapters.db.models_outages import Outage, OutageCredit, OutageSubscriber


# -- incidents --------------------------------------------------------------------------------------------
def _outages(state: str) -> Select[Outage]:
    stmt = select(Outage)
    if state:
        stmt = stmt.where(Outage.state == state)
    return stmt


async def count_outages(s: AsyncSession, *, state: str = "") -> int:
    """How many incidents there are (in ``state`` when given)."""
    return int(await s.scalar(select(func.count()).select_from(_outages(state).subquery())) or 0)


async def outages_page(s: AsyncSession, *, state: str = "", offset: int, limit: int) -> list[Outage]:
    """Incidents (in ``state`` when given): open ones first, then the others, newest first."""
    return list(
        await s.scalars(
            _outages(state)
            .order_by((Outage.state == "open").desc(), Outage.started_at.desc(), Outage.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )


async def closed_uncredited_ids(s: AsyncSession) -> list[int]:
    """Closed incidents whose crediting has not finished, oldest first."""
    return list(
        await s.scalars(
            select(Outage.id).where(Outage.state == "closed", Outage.credited_at.is_(None)).order_by(Outage.id)
        )
    )


async def earlier_overlapping(s: AsyncSession, row: Outage) -> list[Outage]:
    """Closed incidents that overlap ``row`` and were closed before it (by ``closed_at``, then id)."""
    assert row.ended_at is not None and row.closed_at is not None
    return list(
        await s.scalars(
            select(Outage).where(
                Outage.id != row.id,
                Outage.state == "closed",
                Outage.started_at < row.ended_at,
                Outage.ended_at > row.started_at,
                or_(
                    Outage.closed_at < row.closed_at,
                    and_(Outage.closed_at == row.closed_at, Outage.id < row.id),
                ),
            )
        )
    )


async def mark_credited(s: AsyncSession, outage_id: int, at: datetime, *, accounts: int, total_fen: int) -> None:
    """Record that the incident's crediting is done, with its totals."""
    await s.execute(
        update(Outage)
        .where(Outage.id == outage_id)
        .values(credited_at=at, credited_accounts=accounts, credited_total_fen=total_fen)
    )


# -- the accounts of a listed incident ----------------------------------------------------------------------
async def listed_numbers(s: AsyncSession, outage_ids: Sequence[int]) -> dict[int, list[str]]:
    """The numbers of the accounts each listed incident affects, in number order."""
    out: dict[int, list[str]] = {}
    if not outage_ids:
        return out
    for oid, number in await s.execute(
        select(OutageSubscriber.outage_id, Subscriber.number)
        .join(Subscriber, Subscriber.id == OutageSubscriber.subscriber_id)
        .where(OutageSubscriber.outage_id.in_(list(outage_ids)))
        .order_by(Subscriber.number)
    ):
        out.setdefault(oid, []).append(number)
    return out


async def listed_accounts(s: AsyncSession, outage_id: int) -> set[int]:
    """The accounts a listed incident affects."""
    return set(
        await s.scalars(
            select(OutageSubscriber.subscriber_id).where(OutageSubscriber.outage_id == outage_id).distinct()
        )
    )


async def listed_among(
    s: AsyncSession, outage_ids: Sequence[int], subscriber_ids: Sequence[int]
) -> Sequence[Row[int, int]]:
    """(outage id, subscriber id) of the listed incidents ``outage_ids`` that affect ``subscriber_ids``."""
    return (
        await s.execute(
            select(OutageSubscriber.outage_id, OutageSubscriber.subscriber_id).where(
                OutageSubscriber.outage_id.in_(outage_ids), OutageSubscriber.subscriber_id.in_(subscriber_ids)
            )
        )
    ).all()


# -- credits ----------------------------------------------------------------------------------------------
async def considered_accounts(s: AsyncSession, outage_id: int, round_: int) -> set[int]:
    """Accounts that already have a credit row (amount possibly 0) for the incident's ``round_``."""
    return set(
        await s.scalars(
            select(OutageCredit.subscriber_id).where(OutageCredit.outage_id == outage_id, OutageCredit.round == round_)
        )
    )


async def considered_among(s: AsyncSession, outage_id: int, round_: int, subscriber_ids: Sequence[int]) -> set[int]:
    """Those of ``subscriber_ids`` that already have a credit row for the incident's ``round_``."""
    return set(
        await s.scalars(
            select(OutageCredit.subscriber_id).where(
                OutageCredit.outage_id == outage_id,
                OutageCredit.round == round_,
                OutageCredit.subscriber_id.in_(subscriber_ids),
            )
        )
    )


def _standing(outage_id: int) -> Any:
    """Credits of the incident above zero that stand (not reversed)."""
    return and_(OutageCredit.outage_id == outage_id, OutageCredit.amount_fen > 0, OutageCredit.reversed_at.is_(None))


async def to_reverse(s: AsyncSession, outage_id: int, round_: int, *, limit: int) -> list[OutageCredit]:
    """Standing credits of rounds before ``round_`` (the cause changed since they were given), by id."""
    return list(
        await s.scalars(
            select(OutageCredit)
            .where(_standing(outage_id), OutageCredit.round < round_)
            .order_by(OutageCredit.id)
            .limit(limit)
            .with_for_update()
        )
    )


async def reversed_totals(s: AsyncSession, outage_id: int) -> tuple[int, int]:
    """How many credits of the incident were reversed, and their sum."""
    count, total = (
        await s.execute(
            select(func.count(OutageCredit.id), func.coalesce(func.sum(OutageCredit.amount_fen), 0)).where(
                OutageCredit.outage_id == outage_id, OutageCredit.reversed_at.is_not(None)
            )
        )
    ).one()
    return int(count), int(total or 0)


async def credits_of(s: AsyncSession, outage_id: int, *, limit: int) -> Sequence[Row[int, str, str, int, int | None]]:
    """(subscriber id, number, name, amount, ledger transaction) of the standing credits above zero,
    largest first."""
    return (
        await s.execute(
            select(
                OutageCredit.subscriber_id,
                Subscriber.number,
                Subscriber.name,
                OutageCredit.amount_fen,
                OutageCredit.transaction_id,
            )
            .join(Subscriber, Subscriber.id == OutageCredit.subscriber_id)
            .where(_standing(outage_id))
            .order_by(OutageCredit.amount_fen.desc(), OutageCredit.subscriber_id)
            .limit(limit)
        )
    ).all()


async def credited_totals(s: AsyncSession, outage_id: int) -> tuple[int, int]:
    """How many accounts the incident credited above zero (credits standing), and their sum."""
    count, total = (
        await s.execute(
            select(func.count(OutageCredit.id), func.coalesce(func.sum(OutageCredit.amount_fen), 0)).where(
                _standing(outage_id)
            )
        )
    ).one()
    return int(count), int(total or 0)


async def write_credits(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert of ``outage_credits`` rows (the unique (outage, subscriber, round) index refuses a second)."""
    await writes.write_rows(conn, OutageCredit, rows)

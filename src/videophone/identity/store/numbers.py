"""The number pool (``phone_numbers``) and the record of number changes (R-02)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import NumberChange, PhoneNumber
from videophone.identity.domain.numbers import NumberRole, NumberState


async def numbers_taken_between(s: AsyncSession, start: str, end: str) -> Sequence[str]:
    """Every number of the pool ``start``–``end`` that has a row (assigned or quarantined)."""
    return (
        await s.scalars(select(PhoneNumber.number).where(PhoneNumber.number >= start, PhoneNumber.number <= end))
    ).all()


async def quarantine_over(s: AsyncSession, now: datetime, limit: int) -> Sequence[str]:
    """Up to ``limit`` quarantined numbers whose quarantine is over at ``now``."""
    return (
        await s.scalars(
            select(PhoneNumber.number)
            .where(PhoneNumber.state == NumberState.QUARANTINED, PhoneNumber.quarantined_until <= now)
            .limit(limit)
        )
    ).all()


async def reclaim(
    s: AsyncSession, number: str, subscriber_id: int | None, now: datetime, role: NumberRole = NumberRole.PRIMARY
) -> bool:
    """Assign a quarantined number whose quarantine is over: a conditional UPDATE, so of two transactions
    reclaiming the same number only one changes the row.  Whether this one did."""
    result = await s.execute(
        update(PhoneNumber)
        .where(
            PhoneNumber.number == number,
            PhoneNumber.state == NumberState.QUARANTINED,
            PhoneNumber.quarantined_until <= now,
        )
        .values(
            state=NumberState.ASSIGNED, subscriber_id=subscriber_id, assigned_at=now, quarantined_until=None, role=role
        )
        .execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def second_number_of(s: AsyncSession, subscriber_id: int) -> str | None:
    """The second number the subscriber holds now, if any."""
    return await s.scalar(
        select(PhoneNumber.number)
        .where(
            PhoneNumber.subscriber_id == subscriber_id,
            PhoneNumber.role == NumberRole.SECOND,
            PhoneNumber.state == NumberState.ASSIGNED,
        )
        .limit(1)
    )


async def number_changes_newest_first(s: AsyncSession, subscriber_id: int) -> Sequence[NumberChange]:
    return (
        await s.scalars(
            select(NumberChange).where(NumberChange.subscriber_id == subscriber_id).order_by(NumberChange.id.desc())
        )
    ).all()


async def number_changes_of(s: AsyncSession, subscriber_id: int) -> Sequence[NumberChange]:
    """In no particular order (the data export)."""
    return (await s.scalars(select(NumberChange).where(NumberChange.subscriber_id == subscriber_id))).all()

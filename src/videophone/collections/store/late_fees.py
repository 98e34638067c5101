"""The late fees' accruals: which accounts the ``late-fees`` job looks at, the last day accrued, and the
bulk write of the new days (``adapters/db/writes.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Row, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db import writes
from videophone.adapters.db.models import Bill, LateFeeAccrual, LedgerLine, LedgerTransaction, Subscriber
from videophone.collections.store.debts import owing


async def candidates(s: AsyncSession, today: date, *, receivable: str, paid_since: datetime) -> Sequence[int]:
    """Accounts with a bill due before ``today`` that owe something on ``receivable`` or whose
    ``receivable`` was reduced (paid, credited) since ``paid_since``; by id."""
    paid_lately = (
        select(LedgerLine.subscriber_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerLine.transaction_id)
        .where(
            LedgerLine.account == receivable,
            LedgerLine.amount_fen < 0,
            LedgerTransaction.created_at >= paid_since,
        )
    )
    return (
        await s.scalars(
            select(Subscriber.id)
            .where(
                Subscriber.id.in_(select(Bill.subscriber_id).where(Bill.due_date < today)),
                or_(Subscriber.id.in_(owing(receivable)), Subscriber.id.in_(paid_lately)),
            )
            .order_by(Subscriber.id)
        )
    ).all()


async def last_accrued_days(s: AsyncSession, ids: Sequence[int]) -> Sequence[Row[int, date]]:
    """``(subscriber_id, the last day accrued)`` of those of ``ids`` accrued before."""
    return (
        await s.execute(
            select(LateFeeAccrual.subscriber_id, func.max(LateFeeAccrual.day))
            .where(LateFeeAccrual.subscriber_id.in_(list(ids)))
            .group_by(LateFeeAccrual.subscriber_id)
        )
    ).all()


async def write_accruals(s: AsyncSession, rows: list[dict[str, object]]) -> None:
    """One ``late_fee_accruals`` row per (subscriber, day), by the per-database bulk writer; unique, so a
    concurrent run's days raise ``IntegrityError``."""
    conn = await s.connection()
    await writes.write_rows(conn, LateFeeAccrual, rows)

"""What an account's debts are read from: its bills, its receivable postings (one row per ledger
transaction), the late fees' accrual days and its disputes (``services.debts`` builds the timeline);
and who owes something at all."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Row, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Bill, Dispute, LateFeeAccrual, LedgerLine, LedgerTransaction


def owing(receivable: str) -> Select[int | None]:
    """The subscribers whose ``receivable`` account sums to more than zero (a subquery to filter by)."""
    return (
        select(LedgerLine.subscriber_id)
        .where(LedgerLine.account == receivable, LedgerLine.subscriber_id.is_not(None))
        .group_by(LedgerLine.subscriber_id)
        .having(func.sum(LedgerLine.amount_fen) > 0)
    )


async def bills_of(s: AsyncSession, ids: Sequence[int]) -> Sequence[Row[int, int, str, str, date]]:
    """``(id, subscriber_id, number, period, due_date)`` of every bill of ``ids``."""
    return (
        await s.execute(
            select(Bill.id, Bill.subscriber_id, Bill.number, Bill.period, Bill.due_date).where(
                Bill.subscriber_id.in_(ids)
            )
        )
    ).all()


async def late_fee_days_of(s: AsyncSession, ids: Sequence[int]) -> Sequence[Row[int | None, date]]:
    """``(transaction_id, day)`` of the late fees of ``ids`` that were posted."""
    return (
        await s.execute(
            select(LateFeeAccrual.transaction_id, LateFeeAccrual.day).where(
                LateFeeAccrual.subscriber_id.in_(ids), LateFeeAccrual.transaction_id.is_not(None)
            )
        )
    ).all()


async def receivable_postings_of(
    s: AsyncSession, ids: Sequence[int], receivable: str
) -> Sequence[Row[int | None, int, str, int | None, datetime, int]]:
    """``(subscriber_id, transaction id, kind, bill_id, created_at, amount)``: what each ledger
    transaction moved on the ``receivable`` account of ``ids``."""
    return (
        await s.execute(
            select(
                LedgerLine.subscriber_id,
                LedgerTransaction.id,
                LedgerTransaction.kind,
                LedgerTransaction.bill_id,
                LedgerTransaction.created_at,
                func.sum(LedgerLine.amount_fen),
            )
            .join(LedgerTransaction, LedgerTransaction.id == LedgerLine.transaction_id)
            .where(LedgerLine.account == receivable, LedgerLine.subscriber_id.in_(ids))
            .group_by(
                LedgerLine.subscriber_id,
                LedgerTransaction.id,
                LedgerTransaction.kind,
                LedgerTransaction.bill_id,
                LedgerTransaction.created_at,
            )
        )
    ).all()


async def disputes_of(
    s: AsyncSession, ids: Sequence[int]
) -> Sequence[Row[int, int, int, datetime, datetime | None, str]]:
    """``(subscriber_id, bill_id, amount_fen, opened_at, resolved_at, state)`` of every dispute of ``ids``."""
    return (
        await s.execute(
            select(
                Dispute.subscriber_id,
                Dispute.bill_id,
                Dispute.amount_fen,
                Dispute.opened_at,
                Dispute.resolved_at,
                Dispute.state,
            ).where(Dispute.subscriber_id.in_(ids))
        )
    ).all()

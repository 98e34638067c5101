"""Ledger figures: revenue per month (lines of the revenue accounts, by account, per billing period — a
posting without a period counts in the local month it was posted) and the accounts that owe with a
bill past its due date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Bill, LedgerLine, LedgerTransaction, Subscriber
from videophone.reporting.store.local_time import local


async def revenue_per_month(
    s: AsyncSession, accounts: Sequence[str], since: datetime, *, dialect: str, tz: ZoneInfo, now: datetime
) -> Sequence[Row[str, str, int]]:
    """(month, account, sum of the lines) of ``accounts`` posted since ``since``; revenue accounts are
    credited, so the sums are negative."""
    month = func.coalesce(LedgerTransaction.period, local(dialect, LedgerTransaction.created_at, "month", tz, now))
    month_label = month.label("month")
    return (
        await s.execute(
            select(month_label, LedgerLine.account, func.sum(LedgerLine.amount_fen))
            .join(LedgerTransaction, LedgerTransaction.id == LedgerLine.transaction_id)
            .where(LedgerLine.account.in_(accounts), LedgerTransaction.created_at >= since)
            .group_by(month_label, LedgerLine.account)
        )
    ).all()


async def owing_with_bill_past_due(s: AsyncSession, today: date, *, receivable: str) -> list[int]:
    """Ids (ascending) of the accounts whose ``receivable`` ledger balance is above zero and that have a
    bill due before ``today``."""
    owing = (
        select(LedgerLine.subscriber_id)
        .where(LedgerLine.account == receivable, LedgerLine.subscriber_id.is_not(None))
        .group_by(LedgerLine.subscriber_id)
        .having(func.sum(LedgerLine.amount_fen) > 0)
    )
    return list(
        await s.scalars(
            select(Subscriber.id)
            .where(
                Subscriber.id.in_(owing),
                Subscriber.id.in_(select(Bill.subscriber_id).where(Bill.due_date < today)),
            )
            .order_by(Subscriber.id)
        )
    )

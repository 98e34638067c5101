"""The payments received (``payments``): by receipt, by gateway trade, a subscriber's, and the
console's lists."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Payment, Subscriber


async def by_receipt(s: AsyncSession, receipt_no: str) -> Payment | None:
    return await s.scalar(select(Payment).where(Payment.receipt_no == receipt_no))


async def intent_paid_by_trade(s: AsyncSession, trade_no: str) -> str | None:
    """The intent of the payment credited for the gateway's ``trade_no`` (``None``: none credited,
    or one without an intent)."""
    return await s.scalar(select(Payment.intent_id).where(Payment.gateway_trade_no == trade_no))


async def latest_of(s: AsyncSession, subscriber_id: int, limit: int) -> Sequence[Payment]:
    """The subscriber's last ``limit`` payments, latest received first."""
    return (
        await s.scalars(
            select(Payment)
            .where(Payment.subscriber_id == subscriber_id)
            .order_by(Payment.received_at.desc(), Payment.id.desc())
            .limit(limit)
        )
    ).all()


async def latest_with_numbers(s: AsyncSession, limit: int) -> Sequence[Row[Payment, str]]:
    """``(payment, subscriber number)`` of the last ``limit`` payments recorded."""
    return (
        await s.execute(
            select(Payment, Subscriber.number)
            .join(Subscriber, Subscriber.id == Payment.subscriber_id)
            .order_by(Payment.created_at.desc(), Payment.id.desc())
            .limit(limit)
        )
    ).all()


async def latest_arrived_by(s: AsyncSession, arrivals: Sequence[str], limit: int) -> Sequence[Row[Payment, str]]:
    """``(payment, subscriber number)`` of the last ``limit`` payments that arrived in one of the ways
    ``arrivals``."""
    return (
        await s.execute(
            select(Payment, Subscriber.number)
            .join(Subscriber, Subscriber.id == Payment.subscriber_id)
            .where(Payment.arrival.in_(arrivals))
            .order_by(Payment.created_at.desc(), Payment.id.desc())
            .limit(limit)
        )
    ).all()

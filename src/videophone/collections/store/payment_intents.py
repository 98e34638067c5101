"""The payment intents (``payment_intents``).  An intent leaves a state by a conditional ``UPDATE …
WHERE state = …``: of concurrent transactions exactly one changes the row (the others wait on it and
then find nothing to update), so the functions that move an intent return how many rows they changed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import PaymentIntent, Subscriber


def _changed(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def cancel_if_pending(s: AsyncSession, intent_id: str, now: datetime) -> int:
    result = await s.execute(
        update(PaymentIntent)
        .where(PaymentIntent.id == intent_id, PaymentIntent.state == "pending")
        .values(state="cancelled", updated_at=now)
    )
    return _changed(result)


async def fail_if_pending(s: AsyncSession, intent_id: str, now: datetime) -> int:
    result = await s.execute(
        update(PaymentIntent)
        .where(PaymentIntent.id == intent_id, PaymentIntent.state == "pending")
        .values(state="failed", updated_at=now)
    )
    return _changed(result)


async def pay_if_in(
    s: AsyncSession, intent_id: str, state: str, *, now: datetime, paid_at: datetime, trade_no: str
) -> int:
    """Move the intent from ``state`` to ``paid`` by the gateway's ``trade_no``."""
    result = await s.execute(
        update(PaymentIntent)
        .where(PaymentIntent.id == intent_id, PaymentIntent.state == state)
        .values(state="paid", updated_at=now, paid_at=paid_at, gateway_trade_no=trade_no)
    )
    return _changed(result)


async def set_transaction(s: AsyncSession, intent_id: str, transaction_id: int | None) -> None:
    """Link the intent to the ledger transaction of its payment."""
    await s.execute(update(PaymentIntent).where(PaymentIntent.id == intent_id).values(transaction_id=transaction_id))


async def pending_since(s: AsyncSession, cutoff: datetime) -> Sequence[Row[str, datetime]]:
    """``(id, created_at)`` of the 200 oldest intents pending since ``cutoff`` or before."""
    return (
        await s.execute(
            select(PaymentIntent.id, PaymentIntent.created_at)
            .where(PaymentIntent.state == "pending", PaymentIntent.created_at <= cutoff)
            .order_by(PaymentIntent.created_at)
            .limit(200)
        )
    ).all()


async def latest_of(s: AsyncSession, subscriber_id: int, limit: int) -> Sequence[PaymentIntent]:
    """The subscriber's last ``limit`` intents, newest first."""
    return (
        await s.scalars(
            select(PaymentIntent)
            .where(PaymentIntent.subscriber_id == subscriber_id)
            .order_by(PaymentIntent.created_at.desc(), PaymentIntent.id.desc())
            .limit(limit)
        )
    ).all()


async def pending_with_numbers(s: AsyncSession, limit: int) -> Sequence[Row[PaymentIntent, str]]:
    """``(intent, subscriber number)`` of the last ``limit`` intents pending, newest first."""
    return (
        await s.execute(
            select(PaymentIntent, Subscriber.number)
            .join(Subscriber, Subscriber.id == PaymentIntent.subscriber_id)
            .where(PaymentIntent.state == "pending")
            .order_by(PaymentIntent.created_at.desc())
            .limit(limit)
        )
    ).all()

"""What the arrears job and the arrears list read: the accounts to look at, who is suspended for
arrears, the overdue reminders already sent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Bill, Notification, ServiceRestriction, Subscriber
from videophone.collections.store.debts import owing


async def candidates(s: AsyncSession, today: date, *, receivable: str, terminated: str) -> Sequence[int]:
    """Accounts not ``terminated`` that owe something (on ``receivable``) with a bill past due, or are
    suspended for arrears; by id."""
    with_due = select(Bill.subscriber_id).where(Bill.due_date < today).distinct()
    suspended = select(ServiceRestriction.subscriber_id).where(
        ServiceRestriction.reason == "arrears", ServiceRestriction.ended_at.is_(None)
    )
    return (
        await s.scalars(
            select(Subscriber.id)
            .where(
                Subscriber.service_state != terminated,
                or_(
                    Subscriber.id.in_(suspended),
                    Subscriber.id.in_(owing(receivable)) & Subscriber.id.in_(with_due),
                ),
            )
            .order_by(Subscriber.id)
        )
    ).all()


async def suspended_among(s: AsyncSession, ids: Sequence[int]) -> Sequence[int]:
    """Those of ``ids`` with an ``arrears`` restriction open."""
    return (
        await s.scalars(
            select(ServiceRestriction.subscriber_id).where(
                ServiceRestriction.subscriber_id.in_(list(ids)),
                ServiceRestriction.reason == "arrears",
                ServiceRestriction.ended_at.is_(None),
            )
        )
    ).all()


async def overdue_reminders_of(s: AsyncSession, ids: Sequence[int]) -> Sequence[Row[int, dict[str, Any]]]:
    """``(subscriber_id, params)`` of every ``payment_overdue`` notification sent to ``ids``."""
    return (
        await s.execute(
            select(Notification.subscriber_id, Notification.params).where(
                Notification.subscriber_id.in_(list(ids)), Notification.kind == "payment_overdue"
            )
        )
    ).all()


async def owing_with_bill_past_due(
    s: AsyncSession, today: date, *, receivable: str
) -> Sequence[Row[int, str, str, str, str]]:
    """``(id, number, name, service_state, service_reason)`` of the accounts (terminated ones too)
    that owe something on ``receivable`` and have a bill due before ``today``; by id."""
    return (
        await s.execute(
            select(
                Subscriber.id,
                Subscriber.number,
                Subscriber.name,
                Subscriber.service_state,
                Subscriber.service_reason,
            )
            .where(
                Subscriber.id.in_(owing(receivable)),
                Subscriber.id.in_(select(Bill.subscriber_id).where(Bill.due_date < today)),
            )
            .order_by(Subscriber.id)
        )
    ).all()

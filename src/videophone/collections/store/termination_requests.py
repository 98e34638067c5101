"""The termination requests (``termination_requests``): the one awaiting payment, the latest, and the
console's lists."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Subscriber
from videophone.adapters.db.models_termination import TerminationRequest
from videophone.collections.domain.termination import RequestState


async def awaiting_payment_of(s: AsyncSession, subscriber_id: int) -> TerminationRequest | None:
    """The subscriber's request awaiting payment, if any."""
    return await s.scalar(
        select(TerminationRequest).where(
            TerminationRequest.subscriber_id == subscriber_id,
            TerminationRequest.state == RequestState.AWAITING_PAYMENT.value,
        )
    )


async def latest_of(s: AsyncSession, subscriber_id: int) -> TerminationRequest | None:
    """The subscriber's latest request, whatever its state."""
    return await s.scalar(
        select(TerminationRequest)
        .where(TerminationRequest.subscriber_id == subscriber_id)
        .order_by(TerminationRequest.id.desc())
        .limit(1)
    )


async def awaiting_payment_among(s: AsyncSession, ids: Sequence[int]) -> Sequence[int]:
    """Those of ``ids`` with a request awaiting payment."""
    return (
        await s.scalars(
            select(TerminationRequest.subscriber_id).where(
                TerminationRequest.subscriber_id.in_(ids),
                TerminationRequest.state == RequestState.AWAITING_PAYMENT.value,
            )
        )
    ).all()


async def awaiting_payment_with_names(s: AsyncSession) -> Sequence[Row[TerminationRequest, str]]:
    """``(request, subscriber name)`` of every request awaiting payment, oldest first."""
    return (
        await s.execute(
            select(TerminationRequest, Subscriber.name)
            .join(Subscriber, Subscriber.id == TerminationRequest.subscriber_id)
            .where(TerminationRequest.state == RequestState.AWAITING_PAYMENT.value)
            .order_by(TerminationRequest.requested_at, TerminationRequest.id)
        )
    ).all()


async def latest_done(s: AsyncSession, limit: int) -> Sequence[TerminationRequest]:
    """The last ``limit`` requests no longer awaiting payment (closed, withdrawn), newest first."""
    return (
        await s.scalars(
            select(TerminationRequest)
            .where(TerminationRequest.state != RequestState.AWAITING_PAYMENT.value)
            .order_by(TerminationRequest.id.desc())
            .limit(limit)
        )
    ).all()

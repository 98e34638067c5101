"""Identity review (R-03): the reviewers' queue and their decisions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import IdentityDocument, ReviewDecision, Subscriber
from videophone.identity.domain import kyc


async def review_queue(s: AsyncSession, offset: int, limit: int) -> tuple[int, list[tuple[Subscriber, int]]]:
    """How many accounts wait for a reviewer, and a page of them (oldest first) with their number of
    documents: pending registrations, and accounts asked for documents that have since sent one."""
    has_new_document = exists().where(
        IdentityDocument.subscriber_id == Subscriber.id,
        or_(
            Subscriber.documents_requested_at.is_(None),
            IdentityDocument.uploaded_at >= Subscriber.documents_requested_at,
        ),
    )
    condition = or_(
        Subscriber.review_state == kyc.ReviewState.PENDING.value,
        and_(Subscriber.review_state == kyc.ReviewState.DOCUMENTS_REQUESTED.value, has_new_document),
    )
    doc_count = (
        select(func.count(IdentityDocument.id))
        .where(IdentityDocument.subscriber_id == Subscriber.id)
        .correlate(Subscriber)
        .scalar_subquery()
    )
    total = await s.scalar(select(func.count(Subscriber.id)).where(condition))
    rows = await s.execute(
        select(Subscriber, doc_count)
        .where(condition)
        .order_by(Subscriber.created_at, Subscriber.id)
        .offset(offset)
        .limit(limit)
    )
    return int(total or 0), [(sub, int(n or 0)) for sub, n in rows.all()]


async def decisions_newest_first(s: AsyncSession, subscriber_id: int) -> Sequence[ReviewDecision]:
    return (
        await s.scalars(
            select(ReviewDecision)
            .where(ReviewDecision.subscriber_id == subscriber_id)
            .order_by(ReviewDecision.id.desc())
        )
    ).all()


async def decisions_of(s: AsyncSession, subscriber_id: int) -> Sequence[ReviewDecision]:
    """In no particular order (the data export)."""
    return (await s.scalars(select(ReviewDecision).where(ReviewDecision.subscriber_id == subscriber_id))).all()

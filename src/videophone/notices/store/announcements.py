"""Announcements: the staff's list, the job's due ones and their pending recipients, what a subscriber
sees and has read (tables ``announcements``, ``announcement_targets``, ``announcement_deliveries``,
``announcement_reads``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Row, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Subscriber
from videophone.adapters.db.models_announcements import (
    Announcement,
    AnnouncementDelivery,
    AnnouncementRead,
    AnnouncementTarget,
)
from videophone.notices.domain.announcements import Audience


def _visible_to(subscriber_id: int) -> ColumnElement[bool]:
    targeted = exists().where(
        AnnouncementTarget.announcement_id == Announcement.id, AnnouncementTarget.subscriber_id == subscriber_id
    )
    return or_(Announcement.audience == Audience.ALL.value, targeted)


def _read_by(subscriber_id: int) -> ColumnElement[bool]:
    return and_(AnnouncementRead.announcement_id == Announcement.id, AnnouncementRead.subscriber_id == subscriber_id)


# -- staff ------------------------------------------------------------------------------------------------
async def count_announcements(s: AsyncSession) -> int:
    return int(await s.scalar(select(func.count()).select_from(Announcement)) or 0)


async def announcements_page(s: AsyncSession, *, offset: int, limit: int) -> list[Announcement]:
    """Newest first."""
    return list(
        await s.scalars(
            select(Announcement)
            .order_by(Announcement.publish_at.desc(), Announcement.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )


async def delivery_counts(s: AsyncSession, announcement_ids: Sequence[int]) -> dict[int, int]:
    """How many subscribers were notified so far of each announcement (those with none are left out)."""
    return {
        int(a): int(n)
        for a, n in await s.execute(
            select(AnnouncementDelivery.announcement_id, func.count())
            .where(AnnouncementDelivery.announcement_id.in_(announcement_ids))
            .group_by(AnnouncementDelivery.announcement_id)
        )
    }


async def target_numbers(s: AsyncSession, announcement_ids: Sequence[int]) -> dict[int, list[str]]:
    """The numbers each announcement is aimed at, in the order they were given."""
    numbers: dict[int, list[str]] = {}
    for a, n in await s.execute(
        select(AnnouncementTarget.announcement_id, AnnouncementTarget.number)
        .where(AnnouncementTarget.announcement_id.in_(announcement_ids))
        .order_by(AnnouncementTarget.id)
    ):
        numbers.setdefault(int(a), []).append(n)
    return numbers


# -- the delivery job ---------------------------------------------------------------------------------------
async def due_ids(s: AsyncSession, now: datetime) -> list[int]:
    """Announcements published by ``now`` and not yet delivered, in the order they were published."""
    return list(
        await s.scalars(
            select(Announcement.id)
            .where(Announcement.state != "delivered", Announcement.publish_at <= now)
            .order_by(Announcement.publish_at, Announcement.id)
        )
    )


async def lock_announcement(s: AsyncSession, announcement_id: int) -> Announcement | None:
    """The announcement, locked for the transaction (one node delivers a chunk of it at a time)."""
    return await s.scalar(select(Announcement).where(Announcement.id == announcement_id).with_for_update())


async def pending_recipients(
    s: AsyncSession, announcement: Announcement, *, closed_states: Sequence[str], limit: int
) -> list[int]:
    """Subscribers the announcement is for who have not been notified of it yet (and whose service is
    not in ``closed_states``), lowest id first, at most ``limit``."""
    delivered = exists().where(
        AnnouncementDelivery.announcement_id == announcement.id, AnnouncementDelivery.subscriber_id == Subscriber.id
    )
    stmt = select(Subscriber.id).where(~delivered, Subscriber.service_state.not_in(closed_states))
    if announcement.audience != Audience.ALL.value:
        stmt = stmt.where(
            exists().where(
                AnnouncementTarget.announcement_id == announcement.id, AnnouncementTarget.subscriber_id == Subscriber.id
            )
        )
    return [int(sid) for sid in await s.scalars(stmt.order_by(Subscriber.id).limit(limit))]


# -- the subscriber -----------------------------------------------------------------------------------------
async def published_for(
    s: AsyncSession, subscriber_id: int, now: datetime, *, limit: int
) -> Sequence[Row[Announcement, int | None]]:
    """What is published for the subscriber by ``now``, newest first: (announcement, id of its read
    marker or None when unread)."""
    stmt = (
        select(Announcement, AnnouncementRead.id)
        .outerjoin(AnnouncementRead, _read_by(subscriber_id))
        .where(Announcement.publish_at <= now, _visible_to(subscriber_id))
    )
    return (await s.execute(stmt.order_by(Announcement.publish_at.desc(), Announcement.id.desc()).limit(limit))).all()


async def count_unread(s: AsyncSession, subscriber_id: int, now: datetime) -> int:
    """How many of the announcements published for the subscriber by ``now`` they have not read."""
    return int(
        await s.scalar(
            select(func.count())
            .select_from(Announcement)
            .outerjoin(AnnouncementRead, _read_by(subscriber_id))
            .where(Announcement.publish_at <= now, _visible_to(subscriber_id), AnnouncementRead.id.is_(None))
        )
        or 0
    )


async def unread_ids(
    s: AsyncSession, subscriber_id: int, now: datetime, among: Sequence[int] | None = None
) -> list[int]:
    """Announcements published for the subscriber by ``now`` that they have not read (only those of
    ``among`` when given), at most 1000."""
    already = select(AnnouncementRead.id).where(
        AnnouncementRead.announcement_id == Announcement.id, AnnouncementRead.subscriber_id == subscriber_id
    )
    stmt = select(Announcement.id).where(Announcement.publish_at <= now, _visible_to(subscriber_id), ~already.exists())
    if among is not None:
        stmt = stmt.where(Announcement.id.in_(among))
    return [int(i) for i in await s.scalars(stmt.limit(1000))]

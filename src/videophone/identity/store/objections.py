"""Subscribers' objections to a new agreement version (003 §15): cases for staff."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Subscriber
from videophone.adapters.db.models_announcements import AgreementObjection, Announcement


@dataclass(frozen=True)
class ObjectionPage:
    total: int  # objections in the given state (or all)
    open: int  # open objections, whatever the state asked for
    rows: Sequence[Row[AgreementObjection, Subscriber, datetime | None]]  # with the window's end


async def objection_page(s: AsyncSession, state: str | None, offset: int, limit: int) -> ObjectionPage:
    """A page of objections (only those in ``state`` if given): open cases first (oldest first), then
    decided ones (newest first), each with its subscriber and the end of its objection window."""
    where = [] if state is None else [AgreementObjection.state == state]
    total = int(await s.scalar(select(func.count()).select_from(AgreementObjection).where(*where)) or 0)
    open_count = int(
        await s.scalar(select(func.count()).select_from(AgreementObjection).where(AgreementObjection.state == "open"))
        or 0
    )
    rows = (
        await s.execute(
            select(AgreementObjection, Subscriber, Announcement.objection_window_end)
            .join(Subscriber, Subscriber.id == AgreementObjection.subscriber_id)
            .join(Announcement, Announcement.id == AgreementObjection.announcement_id)
            .where(*where)
            .order_by(
                (AgreementObjection.state != "open"),
                AgreementObjection.decided_at.desc(),
                AgreementObjection.opened_at,
                AgreementObjection.id,
            )
            .offset(offset)
            .limit(limit)
        )
    ).all()
    return ObjectionPage(total, open_count, rows)


async def lock_objection(s: AsyncSession, objection_id: int) -> AgreementObjection | None:
    return await s.scalar(select(AgreementObjection).where(AgreementObjection.id == objection_id).with_for_update())


async def objections_of(s: AsyncSession, subscriber_id: int) -> Sequence[AgreementObjection]:
    return (await s.scalars(select(AgreementObjection).where(AgreementObjection.subscriber_id == subscriber_id))).all()


async def objection_id_of(s: AsyncSession, subscriber_id: int, version: int) -> int | None:
    """The subscriber's objection to ``version``, if they objected (one per version)."""
    return await s.scalar(
        select(AgreementObjection.id).where(
            AgreementObjection.subscriber_id == subscriber_id, AgreementObjection.agreement_version == version
        )
    )

"""The announcements of agreement changes, as identity reads them (the table is the notices context's; an
``agreement_change`` announcement carries the version and the end of its objection window)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import AgreementVersion
from videophone.adapters.db.models_announcements import Announcement


async def published_change_of(s: AsyncSession, version: int, now: datetime) -> Announcement | None:
    """The announcement of ``version``, if it is published by ``now``."""
    return await s.scalar(
        select(Announcement).where(Announcement.agreement_version == version, Announcement.publish_at <= now)
    )


async def announced_versions_after(
    s: AsyncSession, version: int, now: datetime
) -> Sequence[Row[AgreementVersion, Announcement]]:
    """The (at most five) newest versions above ``version`` whose announcement is published by ``now``,
    newest first, each with its announcement."""
    return (
        await s.execute(
            select(AgreementVersion, Announcement)
            .join(Announcement, Announcement.agreement_version == AgreementVersion.version)
            .where(AgreementVersion.version > version, Announcement.publish_at <= now)
            .order_by(AgreementVersion.version.desc())
            .limit(5)
        )
    ).all()


async def changes_with_window_ended(s: AsyncSession, now: datetime) -> list[tuple[int, int]]:
    """``(version, announcement id)`` of every agreement change whose objection window ended by ``now``,
    lowest version first."""
    return [
        (int(v or 0), int(a))
        for v, a in await s.execute(
            select(Announcement.agreement_version, Announcement.id)
            .where(Announcement.agreement_version.is_not(None), Announcement.objection_window_end <= now)
            .order_by(Announcement.agreement_version)
        )
    ]


async def lock_announcement(s: AsyncSession, announcement_id: int) -> Announcement | None:
    """The announcement, its row locked until the transaction ends (one writer of deemed acceptances per
    version at a time)."""
    return await s.scalar(select(Announcement).where(Announcement.id == announcement_id).with_for_update())

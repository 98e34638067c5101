"""The subscribers' notification choices per (category, channel) (table ``notification_preferences``:
only choices made are stored)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.bulk import among
from videophone.adapters.db.models_preferences import NotificationPreference
from videophone.notices.domain.notification_prefs import Key

CHUNK = 5000  # subscribers per query (bound parameters)


async def choices_of(s: AsyncSession, subscriber_ids: Sequence[int]) -> dict[int, dict[Key, bool]]:
    """The choices each of ``subscriber_ids`` (sorted, distinct) made, ``{}`` for one who made none."""
    ids = subscriber_ids
    chosen: dict[int, dict[Key, bool]] = {i: {} for i in ids}
    for i in range(0, len(ids), CHUNK):
        for sub_id, category, channel, enabled in await s.execute(
            select(
                NotificationPreference.subscriber_id,
                NotificationPreference.category,
                NotificationPreference.channel,
                NotificationPreference.enabled,
            ).where(among(NotificationPreference.subscriber_id, ids[i : i + CHUNK]))
        ):
            if sub_id in chosen:  # an id range may hold others
                chosen[sub_id][(category, channel)] = bool(enabled)
    return chosen


async def forget_choices(s: AsyncSession, subscriber_id: int, keys: Sequence[Key]) -> None:
    """Delete the subscriber's stored choices for ``keys`` (the caller adds the new ones)."""
    await s.execute(
        delete(NotificationPreference).where(
            NotificationPreference.subscriber_id == subscriber_id,
            tuple_(NotificationPreference.category, NotificationPreference.channel).in_(list(keys)),
        )
    )

"""The subscriptions that turn calling features on (``domain.features``): one statement for one or many
subscribers, through the subscriber index of ``vas_subscriptions``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Subscriber, ValueAddedService, VasSubscription
from videophone.calling.domain.features import FeatureSubscription


async def feature_subscriptions(
    s: AsyncSession, subscriber_ids: Sequence[int], day: date
) -> dict[int, list[FeatureSubscription]]:
    """The subscriptions of ``subscriber_ids`` to services bound to a feature that are not over by
    ``day`` (the rule decides which cover it)."""
    if not subscriber_ids:
        return {}
    rows = await s.execute(
        select(
            VasSubscription.subscriber_id,
            ValueAddedService.feature,
            VasSubscription.start_date,
            VasSubscription.end_date,
            VasSubscription.stopped_at,
        )
        .join(ValueAddedService, ValueAddedService.id == VasSubscription.vas_id)
        .where(
            VasSubscription.subscriber_id.in_(list(subscriber_ids)),
            ValueAddedService.feature.is_not(None),
            VasSubscription.stopped_at.is_(None),
            VasSubscription.start_date <= day,
            or_(VasSubscription.end_date.is_(None), VasSubscription.end_date > day),
        )
    )
    found: dict[int, list[FeatureSubscription]] = {i: [] for i in subscriber_ids}
    for subscriber_id, feature, start, end, stopped_at in rows:
        found[subscriber_id].append(FeatureSubscription(str(feature), start, end, stopped_at is not None))
    return found


async def service_states(s: AsyncSession, subscriber_ids: Sequence[int]) -> dict[int, str]:
    if not subscriber_ids:
        return {}
    rows = await s.execute(
        select(Subscriber.id, Subscriber.service_state).where(Subscriber.id.in_(list(subscriber_ids)))
    )
    return {i: str(state) for i, state in rows}

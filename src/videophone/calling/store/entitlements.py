"""The subscriptions that turn calling features on (``domain.features``): one statement for one or many
subscribers, through the subscriber index of ``vas_subscriptions``; and the same test as a clause the
signaling hub folds into its invite statement (``covering``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import BindParameter, ColumnElement, Exists, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Subscriber, ValueAddedService, VasSubscription
from videophone.calling.domain.features import Feature, FeatureSubscription


def _live_on(day: date | BindParameter[date]) -> list[ColumnElement[bool]]:
    """A subscription that covers ``day`` and was not stopped (``domain.features.covers``)."""
    return [
        VasSubscription.stopped_at.is_(None),
        VasSubscription.start_date <= day,
        or_(VasSubscription.end_date.is_(None), VasSubscription.end_date > day),
    ]


def covering(subscriber_id: int | BindParameter[int], feature: Feature, day: date | BindParameter[date]) -> Exists:
    """SQL for "one of the subscriber's subscriptions to a service bound to ``feature`` covers ``day``" —
    ``domain.features.covers`` over their subscriptions; whether the account uses its features at all
    (its service state) is the rule's ``in_force``.  The signaling hub folds it into the invite's
    statement with bound parameters (``store.signaling.INVITE_FLAGS``)."""
    return exists().where(
        VasSubscription.subscriber_id == subscriber_id,
        VasSubscription.vas_id == ValueAddedService.id,
        ValueAddedService.feature == feature.value,
        *_live_on(day),
    )


async def covered(s: AsyncSession, subscriber_id: int, feature: Feature, day: date) -> bool:
    """``covering`` for one subscriber, as a query (tests compare it with the rule)."""
    return bool(await s.scalar(select(covering(subscriber_id, feature, day))))


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
            *_live_on(day),
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

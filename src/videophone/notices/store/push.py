"""Web Push subscriptions (table ``push_subscriptions``, R-36)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.bulk import among
from videophone.adapters.db.models import Subscriber
from videophone.adapters.db.models_push import PushSubscription


async def of_subscriber(s: AsyncSession, subscriber_id: int) -> Sequence[PushSubscription]:
    """A subscriber's subscriptions, the oldest first."""
    return (
        await s.scalars(
            select(PushSubscription)
            .where(PushSubscription.subscriber_id == subscriber_id)
            .order_by(PushSubscription.created_at, PushSubscription.id)
        )
    ).all()


async def forget(s: AsyncSession, ids: Sequence[int]) -> int:
    if not ids:
        return 0
    result = await s.execute(delete(PushSubscription).where(PushSubscription.id.in_(list(ids))))
    return int(getattr(result, "rowcount", 0) or 0)


async def forget_endpoint(s: AsyncSession, endpoint: str) -> None:
    """Delete the subscription with this endpoint, whoever's it was (a browser re-subscribing)."""
    await s.execute(delete(PushSubscription).where(PushSubscription.endpoint == endpoint))


async def forget_one(s: AsyncSession, subscriber_id: int, subscription_id: int) -> bool:
    result = await s.execute(
        delete(PushSubscription).where(
            PushSubscription.id == subscription_id, PushSubscription.subscriber_id == subscriber_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def ids_of(s: AsyncSession, subscriber_ids: Sequence[int]) -> dict[int, list[int]]:
    """Each subscriber's subscription ids (``[]`` for one without)."""
    found: dict[int, list[int]] = {i: [] for i in subscriber_ids}
    if not subscriber_ids:
        return found
    for sub_id, sid in await s.execute(
        select(PushSubscription.subscriber_id, PushSubscription.id)
        .where(among(PushSubscription.subscriber_id, list(subscriber_ids)))
        .order_by(PushSubscription.id)
    ):
        if sub_id in found:
            found[sub_id].append(sid)
    return found


Target = Row[int, str, str, str, str]
"""id, endpoint, p256dh, auth, the subscriber's language."""


async def targets_of_devices(s: AsyncSession, subscriber_id: int, device_ids: Sequence[str]) -> Sequence[Target]:
    """The subscriptions of some devices of a subscriber, with the subscriber's language."""
    return (
        await s.execute(
            select(
                PushSubscription.id,
                PushSubscription.endpoint,
                PushSubscription.p256dh,
                PushSubscription.auth,
                Subscriber.language,
            )
            .join(Subscriber, Subscriber.id == PushSubscription.subscriber_id)
            .where(PushSubscription.subscriber_id == subscriber_id, PushSubscription.device_id.in_(list(device_ids)))
        )
    ).all()


async def target(s: AsyncSession, subscription_id: int) -> Row[str, str, str] | None:
    """(endpoint, p256dh, auth) of one subscription, ``None`` when it is gone."""
    return (
        await s.execute(
            select(PushSubscription.endpoint, PushSubscription.p256dh, PushSubscription.auth).where(
                PushSubscription.id == subscription_id
            )
        )
    ).one_or_none()


async def succeeded(s: AsyncSession, ids: Sequence[int], at: datetime) -> None:
    if ids:
        await s.execute(update(PushSubscription).where(PushSubscription.id.in_(list(ids))).values(last_success_at=at))

"""Which calling features a subscriber has now (issue 14): the rule of ``domain.features`` over their
subscriptions, the day taken in the operator's time zone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from videophone.adapters.db.uow import UnitOfWork
from videophone.calling.domain import features as rules
from videophone.calling.domain.features import Feature
from videophone.calling.store import entitlements as store
from videophone.calling.store import subscribers
from videophone.common.deps import Deps
from videophone.kernel.errors import NotFound


async def features_of_many(
    uow: UnitOfWork, deps: Deps, subscriber_ids: Sequence[int], now: datetime
) -> dict[int, frozenset[Feature]]:
    """The features of each of ``subscriber_ids`` at ``now`` (two statements, whatever their number)."""
    day = now.astimezone(deps.operator_tz).date()
    ids = sorted(set(subscriber_ids))
    subscriptions = await store.feature_subscriptions(uow.session, ids, day)
    states = await store.service_states(uow.session, ids)
    return {i: rules.entitlements(subscriptions.get(i, []), day, states.get(i, "")) for i in ids}


async def features_of(uow: UnitOfWork, deps: Deps, subscriber_id: int, now: datetime) -> frozenset[Feature]:
    return (await features_of_many(uow, deps, [subscriber_id], now))[subscriber_id]


async def has(uow: UnitOfWork, deps: Deps, subscriber_id: int, feature: Feature, now: datetime) -> bool:
    return feature in await features_of(uow, deps, subscriber_id, now)


@dataclass(frozen=True)
class ConsoleFeatures:
    """What the console shows of a subscriber's calling features (issue 14)."""

    features: frozenset[Feature]
    second_number: str | None


async def features_now(deps: Deps, subscriber_id: int) -> ConsoleFeatures:
    """What a subscriber has now, for the console; ``NotFound`` for an unknown subscriber."""
    async with deps.uow() as uow:
        if await subscribers.service_state_of(uow.session, subscriber_id) is None:
            raise NotFound("subscriber_not_found")
        had = await features_of(uow, deps, subscriber_id, deps.clock.now())
        second = await subscribers.second_number_of(uow.session, subscriber_id)
        return ConsoleFeatures(had, second)

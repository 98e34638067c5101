"""Entitlements (issue 14): calling asks which features a subscriber has now, from their subscriptions
to services bound to a feature — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.test_orders import subscriber
from videophone.adapters.clock import FakeClock
from videophone.bootstrap import Container
from videophone.calling.domain.features import Feature
from videophone.calling.services import entitlements
from videophone.common.deps import Actor
from videophone.kernel.errors import ValidationFailed


async def features(c: Container, subscriber_id: int) -> frozenset[Feature]:
    async with c.deps.uow() as uow:
        return await entitlements.features_of(uow, c.deps, subscriber_id, c.deps.clock.now())


async def enforcer(c: Container) -> Actor:
    view = await c.staff.create(Actor.system(), "entitlements_enforcer", "执法", "Staff-Passw0rd!", ["administrator"])
    return Actor("staff", view.id, "10.0.0.7")


async def test_ordering_and_removing_turn_features_on_and_off_at_once(container: Container, clock: FakeClock) -> None:
    c = container
    await c.tariffs.ensure_demo_catalog()
    me, actor = await subscriber(c)
    other, _ = await subscriber(c)
    assert await features(c, me.id) == frozenset()

    await c.orders.add_vas(actor, me.id, "caller_id")
    await c.orders.add_vas(actor, me.id, "voicemail")
    assert await features(c, me.id) == {Feature.CALLER_ID, Feature.VOICEMAIL}
    assert await features(c, other.id) == frozenset()  # one subscriber's services are theirs

    clock.advance(timedelta(hours=1))
    await c.orders.remove_vas(actor, me.id, "voicemail")
    # The day stays billed (the subscription ends tomorrow), but the feature stops now.
    assert await features(c, me.id) == {Feature.CALLER_ID}
    clock.advance(timedelta(days=2))
    assert await features(c, me.id) == {Feature.CALLER_ID}

    async with c.deps.uow() as uow:
        many = await entitlements.features_of_many(uow, c.deps, [me.id, other.id, me.id], c.deps.clock.now())
    assert many == {me.id: {Feature.CALLER_ID}, other.id: frozenset()}


async def test_a_fee_only_service_turns_nothing_on(container: Container) -> None:
    c = container
    await c.tariffs.ensure_demo_catalog()
    view = await c.tariffs.create_vas(
        Actor("staff", None, "10.0.0.3"),
        {"code": "ringback", "name_zh": "彩铃", "name_en": "Ringback tone", "monthly_fee": "3.00", "feature": ""},
    )
    assert view.feature is None
    _, services = await c.tariffs.catalog()
    assert {v.code: v.feature for v in services}["caller_id"] == "caller_id"
    me, actor = await subscriber(c)
    await c.orders.add_vas(actor, me.id, "ringback")
    assert await features(c, me.id) == frozenset()

    with pytest.raises(ValidationFailed) as err:
        await c.tariffs.create_vas(
            Actor("staff", None, "10.0.0.3"),
            {"code": "x-ray", "name_zh": "甲", "name_en": "X", "monthly_fee": "1.00", "feature": "teleport"},
        )
    assert [(e.field, e.code) for e in err.value.errors] == [("feature", "feature_unknown")]
    assert "x-ray" not in {v.code for v in (await c.tariffs.catalog())[1]}


async def test_a_violation_measure_stops_features_at_once(container: Container) -> None:
    c = container
    await c.tariffs.ensure_demo_catalog()
    staff = await enforcer(c)
    me, actor = await subscriber(c)
    await c.orders.add_vas(actor, me.id, "caller_id")
    await c.orders.add_vas(actor, me.id, "forwarding")

    await c.violations.issue(staff, me.id, "withdraw_vas", "滥用呼叫转移", vas_code="forwarding")
    assert await features(c, me.id) == {Feature.CALLER_ID}

    await c.violations.issue(staff, me.id, "restrict_outgoing", "骚扰电话")
    assert await features(c, me.id) == {Feature.CALLER_ID}  # incoming calls still come
    suspension = await c.violations.issue(staff, me.id, "suspend", "严重违规")
    assert await features(c, me.id) == frozenset()
    await c.violations.lift(staff, suspension.id, "申诉成立")
    assert await features(c, me.id) == {Feature.CALLER_ID}

"""Tariffs and orders in the store, on SQLite and PostgreSQL (R-20, R-21, ADR 0004)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.factories import person
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import Order, PlanSubscription, VasSubscription
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.identity.services.subscribers import AccountView, RequestInfo
from videophone.kernel.errors import InvalidState, NotFound, PermissionDenied, ValidationFailed

TODAY = date(2026, 11, 1)  # the FakeClock's day in Asia/Shanghai


async def reviewer(c: Container) -> Actor:
    found = [s for s in await c.staff.list() if s.username == "orders_reviewer"]
    if found:
        return Actor("staff", found[0].id, "10.0.0.2")
    view = await c.staff.create(Actor.system(), "orders_reviewer", "审核员", "Staff-Passw0rd!", ["reviewer"])
    return Actor("staff", view.id, "10.0.0.2")


async def subscriber(c: Container, *, verified: bool = True) -> tuple[AccountView, Actor]:
    view = await c.subscribers.register(person(), RequestInfo())
    if verified:
        await c.review.decide(await reviewer(c), view.id, "verify", "")
    return view, Actor("subscriber", view.id, "198.51.100.7")


def staff() -> Actor:
    return Actor("staff", None, "10.0.0.3")


def field_codes(err: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.code for e in err.value.errors}


async def test_price_changes_are_effective_dated_and_audited(container: Container) -> None:
    svc = container.tariffs
    await svc.ensure_demo_catalog()
    await svc.ensure_demo_catalog()  # idempotent
    plans, services = await svc.catalog()
    assert [p.code for p in plans] == ["basic", "plus"]
    assert {v.code for v in services} == {"voicemail", "forwarding", "caller_id", "second_number"}

    new = {
        "effective_from": "2026-12-01",
        "monthly_rent": "20.00",
        "included_minutes": 120,
        "rate_per_minute": "0.125",
        "first_increment_seconds": 60,
        "next_increment_seconds": 30,
    }
    view = await svc.add_plan_price(staff(), "basic", new)
    assert [p.effective_from for p in view.history] == [TODAY, date(2026, 12, 1)]
    with pytest.raises(ValidationFailed) as err:
        await svc.add_plan_price(staff(), "basic", new)
    assert field_codes(err) == {"effective_from": "price_date_taken"}
    with pytest.raises(ValidationFailed) as err:
        await svc.add_plan_price(staff(), "basic", {**new, "effective_from": "2026-10-31"})
    assert field_codes(err) == {"effective_from": "price_date_in_past"}

    before = await svc.price_list(date(2026, 11, 30))
    basic = next(p for p in before.plans if p.code == "basic")
    assert basic.price is not None and (basic.price.monthly_rent, basic.price.rate_per_minute) == ("18.00", "0.15")
    assert [c["code"] for c in before.upcoming_changes] == ["basic"]
    after = await svc.price_list(date(2026, 12, 1))
    basic = next(p for p in after.plans if p.code == "basic")
    assert basic.price is not None and (basic.price.monthly_rent, basic.price.rate_per_minute) == ("20.00", "0.125")
    assert after.upcoming_changes == []

    with pytest.raises(ValidationFailed) as err:
        await svc.add_vas_price(staff(), "voicemail", {"effective_from": TODAY.isoformat(), "monthly_fee": "6"})
    assert field_codes(err) == {"effective_from": "price_date_taken"}
    await svc.add_vas_price(staff(), "voicemail", {"effective_from": "2026-11-15", "monthly_fee": "6"})
    with pytest.raises(ValidationFailed) as err:
        await svc.create_plan(staff(), {**new, "code": "basic", "name_zh": "重复", "name_en": "Dup"})
    assert field_codes(err) == {"code": "tariff_code_taken"}
    with pytest.raises(NotFound):
        await svc.add_plan_price(staff(), "nope", {**new, "effective_from": "2027-01-01"})

    await svc.set_plan_active(staff(), "plus", False)
    assert [p.code for p in (await svc.price_list()).plans] == ["basic"]
    _, records = await container.audit.search(subject_type="plan")
    assert {r.action for r in records} >= {"tariff.plan_create", "tariff.plan_price_add", "tariff.plan_deactivate"}
    _, records = await container.audit.search(action="tariff.vas_price_add")
    assert len(records) == 1


async def test_registration_gets_the_default_plan_only_when_the_catalog_exists(container: Container) -> None:
    bare, _ = await subscriber(container, verified=False)
    assert (await container.orders.current_services(bare.id)).plan is None
    assert await container.orders.orders(bare.id) == []

    await container.tariffs.ensure_demo_catalog()
    me, _ = await subscriber(container, verified=False)
    services = await container.orders.current_services(me.id)
    assert services.plan is not None and (services.plan.code, services.plan.start_date) == ("basic", TODAY)
    assert services.plan.monthly_fee == "18.00" and services.may_order is False
    [order] = await container.orders.orders(me.id)
    assert order.kind == "initial_plan" and order.effective_date == TODAY and order.agreement_version == 1
    assert order.number == f"OD20261101{order.id:04d}"
    assert order.items[0].price_detail["included_minutes"] == 100


async def test_plan_change_takes_effect_next_month(container: Container, clock: FakeClock) -> None:
    await container.tariffs.ensure_demo_catalog()
    me, actor = await subscriber(container)
    clock.advance(timedelta(days=14))
    order = await container.orders.change_plan(actor, me.id, "plus")
    assert (order.kind, order.effective_date) == ("plan_change", date(2026, 12, 1))
    assert order.items[0].price_detail["from_plan"] == "basic"
    assert order.items[0].price_detail["next_increment_seconds"] == 6
    async with container.deps.uow() as uow:
        rows = list(await uow.session.scalars(select(PlanSubscription).order_by(PlanSubscription.start_date)))
    # Half-open periods: the old plan's end_date is the new one's start, so its last day is the day before.
    assert [(r.start_date, r.end_date) for r in rows] == [(TODAY, date(2026, 12, 1)), (date(2026, 12, 1), None)]

    now = await container.orders.current_services(me.id)
    assert now.plan is not None and now.plan.code == "basic" and now.plan.last_day == date(2026, 11, 30)
    assert now.pending_plan is not None and now.pending_plan.code == "plus"
    later = await container.orders.current_services(me.id, date(2026, 12, 1))
    assert later.plan is not None and later.plan.code == "plus" and later.pending_plan is None

    with pytest.raises(InvalidState) as err:
        await container.orders.change_plan(actor, me.id, "basic")
    assert err.value.code == "plan_change_pending"

    other, other_actor = await subscriber(container)
    with pytest.raises(InvalidState) as err:
        await container.orders.change_plan(other_actor, other.id, "basic")
    assert err.value.code == "plan_already_current"
    await container.tariffs.set_plan_active(staff(), "plus", False)
    with pytest.raises(InvalidState) as err:
        await container.orders.change_plan(other_actor, other.id, "plus")
    assert err.value.code == "plan_inactive"
    with pytest.raises(NotFound):
        await container.orders.change_plan(other_actor, other.id, "gold")


async def test_add_and_remove_value_added_services(container: Container, clock: FakeClock) -> None:
    await container.tariffs.ensure_demo_catalog()
    me, actor = await subscriber(container)
    svc = container.orders
    added = await svc.add_vas(actor, me.id, "voicemail")
    assert (added.kind, added.effective_date, added.monthly_fee) == ("vas_add", TODAY, "5.00")
    with pytest.raises(InvalidState) as err:
        await svc.add_vas(actor, me.id, "voicemail")
    assert err.value.code == "vas_already_active"
    with pytest.raises(InvalidState) as err:
        await svc.remove_vas(actor, me.id, "forwarding")
    assert err.value.code == "vas_not_active"
    await svc.add_vas(actor, me.id, "forwarding")
    services = await svc.current_services(me.id)
    assert {v.code for v in services.vas} == {"voicemail", "forwarding"}
    assert services.monthly_fee == "26.00"  # 18 + 5 + 3

    clock.advance(timedelta(days=3))
    removed = await svc.remove_vas(actor, me.id, "voicemail")
    assert (removed.kind, removed.effective_date) == ("vas_remove", date(2026, 11, 4))
    async with container.deps.uow() as uow:
        row = await uow.session.scalar(select(VasSubscription).where(VasSubscription.order_id == added.id))
    assert row is not None and (row.start_date, row.end_date) == (TODAY, date(2026, 11, 5))  # ends end of 11-04
    # Still in force until the end of the day: it cannot be removed again nor added back today.
    today_view = await svc.current_services(me.id)
    assert [v.removable for v in today_view.vas if v.code == "voicemail"] == [False]
    with pytest.raises(InvalidState):
        await svc.remove_vas(actor, me.id, "voicemail")
    with pytest.raises(InvalidState):
        await svc.add_vas(actor, me.id, "voicemail")
    clock.advance(timedelta(days=1))
    assert {v.code for v in (await svc.current_services(me.id)).vas} == {"forwarding"}
    await svc.add_vas(actor, me.id, "voicemail")

    await container.tariffs.set_vas_active(staff(), "second_number", False)
    with pytest.raises(InvalidState) as err:
        await svc.add_vas(actor, me.id, "second_number")
    assert err.value.code == "vas_inactive"


async def test_a_subscriber_who_is_not_verified_cannot_order(container: Container) -> None:
    await container.tariffs.ensure_demo_catalog()
    me, actor = await subscriber(container, verified=False)
    for attempt in (
        container.orders.add_vas(actor, me.id, "voicemail"),
        container.orders.change_plan(actor, me.id, "plus"),
        container.orders.remove_vas(actor, me.id, "voicemail"),
    ):
        with pytest.raises(PermissionDenied) as err:
            await attempt
        assert err.value.code == "capability_missing"
    assert len(await container.orders.orders(me.id)) == 1  # only the initial plan


async def test_orders_are_the_owners_only_and_audited(container: Container) -> None:
    await container.tariffs.ensure_demo_catalog()
    me, actor = await subscriber(container)
    other, _ = await subscriber(container)
    order = await container.orders.add_vas(actor, me.id, "caller_id")
    assert (await container.orders.order(me.id, order.id)).number == order.number
    with pytest.raises(NotFound):
        await container.orders.order(other.id, order.id)
    with pytest.raises(NotFound):
        await container.orders.order_pdf(other.id, order.id)
    number, pdf = await container.orders.order_pdf(me.id, order.id)
    assert number == order.number and pdf.startswith(b"%PDF")
    _, records = await container.audit.search(subject_type="subscriber", subject_id=str(me.id), action="order.vas_add")
    assert records[0].details["number"] == order.number and records[0].actor_id == me.id
    # The service offers no way to change an order; the stored row is what was confirmed.
    assert not any(hasattr(container.orders, name) for name in ("update_order", "delete_order", "cancel"))
    async with container.deps.uow() as uow:
        row = await uow.session.get(Order, order.id)
    assert row is not None and row.state == "confirmed"


async def test_two_simultaneous_orders_of_the_same_service_make_one(container: Container) -> None:
    await container.tariffs.ensure_demo_catalog()
    me, actor = await subscriber(container)
    results = await asyncio.gather(
        *(container.orders.add_vas(actor, me.id, "second_number") for _ in range(2)), return_exceptions=True
    )
    ok = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, InvalidState)]
    assert len(ok) == 1 and len(refused) == 1, results
    async with container.deps.uow() as uow:
        rows = list(await uow.session.scalars(select(VasSubscription).where(VasSubscription.subscriber_id == me.id)))
    assert len(rows) == 1

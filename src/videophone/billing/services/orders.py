"""Orders (R-21): applying for a plan or a value-added service creates an order — an annex of the
agreement with equal force (003 §2) — and changes the subscriptions in the same transaction.

When an order takes effect follows docs/adr/0004-money-orders-billing.md: a plan change from the
first day of next month, the initial plan from the registration day, a service added today, a service
removed at the end of today.  Subscription periods are half-open ``[start_date, end_date)`` (the
table's convention, which rating and billing read): the current plan gets ``end_date`` = the 1st of
next month, a removed service ``end_date`` = tomorrow.  Orders are immutable.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from videophone.adapters.db.models import (
    Order,
    OrderItem,
    Plan,
    PlanSubscription,
    Subscriber,
    ValueAddedService,
    VasSubscription,
)
from videophone.adapters.db.uow import UnitOfWork
from videophone.billing.domain import tariffs as rules
from videophone.billing.services.order_pdf import render_order_pdf
from videophone.billing.services.order_views import CurrentServices, HeldPlan, HeldVas, OrderView
from videophone.billing.services.tariffs import plan_by_code, plan_prices, plan_terms, vas_by_code, vas_prices
from videophone.billing.store import orders as store
from videophone.billing.store import subscriptions as subscription_store
from videophone.billing.store import tariffs as tariff_store
from videophone.common import audit, policy
from videophone.common.deps import Actor, Deps
from videophone.identity.public import agreement
from videophone.kernel.errors import NotFound, PermissionDenied
from videophone.kernel.events import FeatureStarted, FeatureStopped
from videophone.kernel.money import Money

ORDER_STATE_CONFIRMED = "confirmed"


async def _new_order(
    uow: UnitOfWork,
    *,
    subscriber_id: int,
    kind: rules.OrderKind,
    effective: date,
    agreement_version: int,
    now: datetime,
    today: date,
    channel: str,
    items: list[OrderItem],
) -> Order:
    """Insert a confirmed order and its items; the number (``OD`` + date + id) is set after the flush."""
    order = Order(
        number="tmp-" + uuid.uuid4().hex[:24],
        subscriber_id=subscriber_id,
        kind=kind.value,
        state=ORDER_STATE_CONFIRMED,
        effective_date=effective,
        agreement_version=agreement_version,
        created_at=now,
        channel=channel,
    )
    uow.session.add(order)
    await uow.session.flush()
    order.number = rules.order_number(today, order.id)
    for item in items:
        item.order_id = order.id
        uow.session.add(item)
    await uow.session.flush()
    return order


async def _plan_item(uow: UnitOfWork, plan: Plan, day: date, action: rules.ItemAction) -> OrderItem:
    price = rules.price_in_force(await plan_prices(uow, plan.id), day)
    if price is None:
        raise NotFound("plan_price_missing", params={"code": plan.code})
    terms = plan_terms(price)
    detail = {"price_id": price.id, "effective_from": price.effective_from.isoformat(), **terms.to_detail()}
    return OrderItem(
        item_kind="plan",
        code=plan.code,
        name=plan.name_zh,
        action=action.value,
        monthly_fee_fen=terms.monthly_rent.fen,
        price_detail={**detail, "name_en": plan.name_en},
    )


async def _vas_item(uow: UnitOfWork, vas: ValueAddedService, day: date, action: rules.ItemAction) -> OrderItem:
    price = rules.price_in_force(await vas_prices(uow, vas.id), day)
    if price is None:
        raise NotFound("vas_price_missing", params={"code": vas.code})
    fee = Money(int(price.monthly_fee_fen))
    return OrderItem(
        item_kind="vas",
        code=vas.code,
        name=vas.name_zh,
        action=action.value,
        monthly_fee_fen=fee.fen,
        price_detail={
            "price_id": price.id,
            "effective_from": price.effective_from.isoformat(),
            "monthly_fee_fen": fee.fen,
            "monthly_fee": str(fee.yuan),
            "name_en": vas.name_en,
        },
    )


def _order_audit(uow: UnitOfWork, now: datetime, actor: Actor, order: Order, items: list[OrderItem]) -> None:
    audit.record(
        uow,
        now,
        actor,
        f"order.{order.kind}",
        "subscriber",
        order.subscriber_id,
        {
            "order_id": order.id,
            "number": order.number,
            "effective_date": order.effective_date.isoformat(),
            "items": [{"kind": i.item_kind, "code": i.code, "action": i.action} for i in items],
        },
    )


async def subscribe_default_plan(
    uow: UnitOfWork,
    subscriber_id: int,
    day: date,
    agreement_version: int,
    *,
    now: datetime,
    channel: str = "web",
) -> Order | None:
    """Inside the caller's transaction: put a new subscriber on the policy's default plan from ``day``
    (an ``initial_plan`` order).  Nothing happens when that plan does not exist, is inactive or has
    no price in force."""
    _, pol = await policy.current(uow)
    plan = await tariff_store.plan_by_code(uow.session, pol.default_plan_code)
    if plan is None or not plan.active:
        return None
    if rules.price_in_force(await plan_prices(uow, plan.id), day) is None:
        return None
    item = await _plan_item(uow, plan, day, rules.ItemAction.SUBSCRIBE)
    order = await _new_order(
        uow,
        subscriber_id=subscriber_id,
        kind=rules.OrderKind.INITIAL_PLAN,
        effective=day,
        agreement_version=agreement_version,
        now=now,
        today=day,
        channel=channel,
        items=[item],
    )
    uow.session.add(
        PlanSubscription(subscriber_id=subscriber_id, plan_id=plan.id, start_date=day, end_date=None, order_id=order.id)
    )
    _order_audit(uow, now, Actor.system(), order, [item])
    return order


class OrderService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def today(self) -> date:
        return self.deps.clock.now().astimezone(self.deps.operator_tz).date()

    async def _orderer(self, uow: UnitOfWork, subscriber_id: int) -> Subscriber:
        """The subscriber, locked: one order at a time per subscriber (no double add under a race)."""
        sub = await uow.session.get(Subscriber, subscriber_id, with_for_update=True)
        if sub is None:
            raise NotFound("subscriber_not_found")
        rules.check_may_order(sub.review_state)
        return sub

    # -- ordering ----------------------------------------------------------------------------------------
    async def change_plan(self, actor: Actor, subscriber_id: int, plan_code: str, *, channel: str = "web") -> OrderView:
        today = self.today()
        async with self.deps.uow() as uow:
            await self._orderer(uow, subscriber_id)
            plan = await plan_by_code(uow, plan_code)
            rows = await subscription_store.plan_subscriptions_from(uow.session, subscriber_id, today)
            current = next((r for r in rows if r.start_date <= today), None)
            pending = next((r for r in rows if r.start_date > today), None)
            codes = await self._plan_codes(uow, [r.plan_id for r in rows])
            decision = rules.decide_plan_change(
                current_code=codes[current.plan_id] if current else None,
                pending_code=codes[pending.plan_id] if pending else None,
                target_code=plan.code,
                target_active=plan.active,
                today=today,
            )
            action = (
                rules.ItemAction.CHANGE if decision.kind is rules.OrderKind.PLAN_CHANGE else rules.ItemAction.SUBSCRIBE
            )
            item = await _plan_item(uow, plan, today, action)
            item.price_detail = {**item.price_detail, "from_plan": codes[current.plan_id] if current else None}
            now = self.deps.clock.now()
            order = await _new_order(
                uow,
                subscriber_id=subscriber_id,
                kind=decision.kind,
                effective=decision.effective,
                agreement_version=await agreement.current_version_number(uow),
                now=now,
                today=today,
                channel=channel,
                items=[item],
            )
            if current is not None and decision.current_end_date is not None:
                current.end_date = decision.current_end_date
            uow.session.add(
                PlanSubscription(
                    subscriber_id=subscriber_id,
                    plan_id=plan.id,
                    start_date=decision.effective,
                    end_date=None,
                    order_id=order.id,
                )
            )
            _order_audit(uow, now, actor, order, [item])
            view = OrderView.of(order, [item])
            await uow.commit()
            return view

    async def add_vas(self, actor: Actor, subscriber_id: int, vas_code: str, *, channel: str = "web") -> OrderView:
        today = self.today()
        async with self.deps.uow() as uow:
            await self._orderer(uow, subscriber_id)
            vas = await vas_by_code(uow, vas_code)
            held = await subscription_store.held_vas_subscription_id(uow.session, subscriber_id, vas.id, today)
            rules.check_vas_add({vas.code} if held is not None else set(), vas.code, vas.active)
            item = await _vas_item(uow, vas, today, rules.ItemAction.ADD)
            effective = rules.vas_add_effective(today)
            now = self.deps.clock.now()
            order = await _new_order(
                uow,
                subscriber_id=subscriber_id,
                kind=rules.OrderKind.VAS_ADD,
                effective=effective,
                agreement_version=await agreement.current_version_number(uow),
                now=now,
                today=today,
                channel=channel,
                items=[item],
            )
            uow.session.add(
                VasSubscription(
                    subscriber_id=subscriber_id, vas_id=vas.id, start_date=effective, end_date=None, order_id=order.id
                )
            )
            if vas.feature:  # e.g. the second number takes its number now, or the order is not taken
                await uow.publish(FeatureStarted(subscriber_id, vas.feature, now, actor))
            _order_audit(uow, now, actor, order, [item])
            view = OrderView.of(order, [item])
            await uow.commit()
            return view

    async def remove_vas(self, actor: Actor, subscriber_id: int, vas_code: str, *, channel: str = "web") -> OrderView:
        today = self.today()
        async with self.deps.uow() as uow:
            await self._orderer(uow, subscriber_id)
            vas = await vas_by_code(uow, vas_code)
            row = await subscription_store.open_vas_subscription(uow.session, subscriber_id, vas.id)
            rules.check_vas_remove({vas.code} if row is not None else set(), vas.code)
            assert row is not None
            item = await _vas_item(uow, vas, today, rules.ItemAction.REMOVE)
            effective = rules.vas_remove_effective(today)
            now = self.deps.clock.now()
            order = await _new_order(
                uow,
                subscriber_id=subscriber_id,
                kind=rules.OrderKind.VAS_REMOVE,
                effective=effective,
                agreement_version=await agreement.current_version_number(uow),
                now=now,
                today=today,
                channel=channel,
                items=[item],
            )
            row.end_date = rules.vas_remove_end_date(today)
            row.stopped_at = now  # the feature stops at once (the day stays billed)
            if vas.feature:
                await uow.publish(FeatureStopped(subscriber_id, vas.feature, now, actor))
            _order_audit(uow, now, actor, order, [item])
            view = OrderView.of(order, [item])
            await uow.commit()
            return view

    async def _plan_codes(self, uow: UnitOfWork, plan_ids: list[int]) -> dict[int, str]:
        if not plan_ids:
            return {}
        return {int(i): str(c) for i, c in await tariff_store.plan_codes(uow.session, plan_ids)}

    # -- reading -------------------------------------------------------------------------------------------
    async def orders(self, subscriber_id: int) -> list[OrderView]:
        """The subscriber's orders, newest first."""
        async with self.deps.uow() as uow:
            orders = await store.orders_of(uow.session, subscriber_id)
            ids = [o.id for o in orders]
            items = await store.items_of_orders(uow.session, ids) if ids else []
            return [OrderView.of(o, [i for i in items if i.order_id == o.id]) for o in orders]

    async def order(self, subscriber_id: int, order_id: int) -> OrderView:
        """One of the subscriber's own orders; anybody else's is not found."""
        async with self.deps.uow() as uow:
            order, items = await self._own(uow, subscriber_id, order_id)
            return OrderView.of(order, items)

    async def _own(self, uow: UnitOfWork, subscriber_id: int, order_id: int) -> tuple[Order, list[OrderItem]]:
        order = await uow.session.get(Order, order_id)
        if order is None or order.subscriber_id != subscriber_id:
            raise NotFound("order_not_found")
        items = await store.items_of_order(uow.session, order.id)
        return order, items

    async def order_pdf(self, subscriber_id: int, order_id: int) -> tuple[str, bytes]:
        """(order number, PDF) — the order as a printable annex of the agreement."""
        async with self.deps.uow() as uow:
            order, items = await self._own(uow, subscriber_id, order_id)
            sub = await uow.session.get(Subscriber, subscriber_id)
            assert sub is not None
            _, pol = await policy.current(uow)
        view = OrderView.of(order, items)
        return order.number, render_order_pdf(view, sub.number, sub.name, pol.operator_name, self.deps)

    async def current_services(self, subscriber_id: int, day: date | None = None) -> CurrentServices:
        """The plan and value-added services in force on ``day`` with their prices (the portal's view)."""
        day = day or self.today()
        async with self.deps.uow() as uow:
            sub = await uow.session.get(Subscriber, subscriber_id)
            if sub is None:
                raise NotFound("subscriber_not_found")
            plan_rows = await subscription_store.plan_subscriptions_from(uow.session, subscriber_id, day)
            held_plan: HeldPlan | None = None
            pending: HeldPlan | None = None
            for row in plan_rows:
                plan = await uow.session.get(Plan, row.plan_id)
                assert plan is not None
                price = rules.price_in_force(await plan_prices(uow, plan.id), max(day, row.start_date))
                terms = plan_terms(price) if price else None
                held = HeldPlan(
                    plan.code,
                    plan.name_zh,
                    plan.name_en,
                    row.start_date,
                    row.end_date,
                    rules.day_before(row.end_date) if row.end_date else None,
                    terms.monthly_rent.fen if terms else 0,
                    str(terms.monthly_rent.yuan) if terms else "0.00",
                    terms.to_detail() if terms else {},
                )
                if row.start_date <= day and held_plan is None:
                    held_plan = held
                elif row.start_date > day and pending is None:
                    pending = held
            vas_rows = await subscription_store.vas_subscriptions_on(uow.session, subscriber_id, day)
            held_vas: list[HeldVas] = []
            for vrow in vas_rows:
                vas = await uow.session.get(ValueAddedService, vrow.vas_id)
                assert vas is not None
                vprice = rules.price_in_force(await vas_prices(uow, vas.id), day)
                fee = Money(int(vprice.monthly_fee_fen)) if vprice else Money.zero()
                held_vas.append(
                    HeldVas(
                        vas.code,
                        vas.name_zh,
                        vas.name_en,
                        vrow.start_date,
                        vrow.end_date,
                        rules.day_before(vrow.end_date) if vrow.end_date else None,
                        vrow.end_date is None,
                        fee.fen,
                        str(fee.yuan),
                    )
                )
        total = Money((held_plan.monthly_fee_fen if held_plan else 0) + sum(v.monthly_fee_fen for v in held_vas))
        may_order = True
        try:
            rules.check_may_order(sub.review_state)
        except PermissionDenied:
            may_order = False
        return CurrentServices(
            day, sub.review_state, may_order, held_plan, pending, held_vas, total.fen, str(total.yuan)
        )

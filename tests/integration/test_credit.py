"""The credit limit (R-26) on SQLite and PostgreSQL: the limit a subscriber chooses, the month's usage
from the call records, warnings and the bar after calls, payments and limit changes lifting it,
reservations (online charging) — concurrent ones never overshooting — and the invite check."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.integration.test_billing import insert, make_plan, subscription
from tests.integration.test_billing import subscriber as new_subscriber
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import (
    AuditRecord,
    CallRecord,
    CreditReservation,
    CreditWarning,
    Notification,
    Subscriber,
)
from videophone.billing.services import ledger
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.enforcement.services import restrictions
from videophone.identity.services.subscribers import AccountView
from videophone.kernel.errors import ValidationFailed
from videophone.kernel.events import BalanceReduced, CallsEnded
from videophone.kernel.money import Money

NOV = date(2026, 11, 1)


def me(view: AccountView) -> Actor:
    return Actor("subscriber", view.id)


async def limited(c: Container, limit_yuan: int = 50, *, rate: str = "1.00", included: int = 0) -> AccountView:
    """A subscriber on a plan at ``rate`` yuan/min (60/60) with a monthly limit of ``limit_yuan``."""
    sub = await new_subscriber(c)
    plan = await make_plan(c, rate=rate, included=included)
    await insert(c, subscription(sub.id, plan, NOV))
    await c.credit.set_limit(sub.id, limit_yuan, actor=me(sub))
    return sub


async def ended_call(c: Container, caller: AccountView, callee: AccountView, seconds: int) -> str:
    """An answered call of ``seconds`` that just ended, with the call-ended hooks run (rating, credit)."""
    now = c.deps.clock.now()
    call_id = str(uuid.uuid4())
    await insert(
        c,
        CallRecord(
            id=call_id,
            caller_id=caller.id,
            callee_id=callee.id,
            caller_number=caller.number,
            callee_number=callee.number,
            caller_device="web",
            callee_device="web",
            node_id="node-a",
            state="ended",
            started_at=now - timedelta(seconds=seconds + 5),
            answered_at=now - timedelta(seconds=seconds),
            ended_at=now,
            outcome="answered",
            end_reason="hangup",
            billable_seconds=seconds,
        ),
    )
    for hook in c.deps.events.listeners(CallsEnded):
        await hook(CallsEnded((call_id,)))
    return call_id


async def open_call(c: Container, caller: AccountView, callee: AccountView) -> str:
    """A call answered just now and still going."""
    now = c.deps.clock.now()
    call_id = str(uuid.uuid4())
    await insert(
        c,
        CallRecord(
            id=call_id,
            caller_id=caller.id,
            callee_id=callee.id,
            caller_number=caller.number,
            callee_number=callee.number,
            caller_device="web",
            callee_device="web",
            node_id="node-a",
            state="answered",
            started_at=now - timedelta(seconds=5),
            answered_at=now,
        ),
    )
    return call_id


async def pay(c: Container, sub: AccountView, yuan: int) -> None:
    """A counter payment as the payments service posts it, with ``BalanceReduced`` published inside."""
    now = c.deps.clock.now()
    async with c.deps.uow() as uow:
        await ledger.post(
            uow,
            "payment",
            f"test-pay-{uuid.uuid4().hex}",
            [("cash:counter", None, Money.of_yuan(yuan)), ("receivable", sub.id, Money.of_yuan(-yuan))],
            subscriber_id=sub.id,
            at=now,
        )
        await uow.publish(BalanceReduced(sub.id, yuan * 100, "counter_payment", now, Actor("staff", None)))
        await uow.commit()


async def state_of(c: Container, subscriber_id: int) -> tuple[str, str]:
    async with c.deps.uow() as uow:
        sub = await uow.session.get(Subscriber, subscriber_id)
        assert sub is not None
        return sub.service_state, sub.service_reason


async def notification_kinds(c: Container, subscriber_id: int) -> list[str]:
    async with c.deps.uow() as uow:
        rows = await uow.session.scalars(
            select(Notification.kind).where(Notification.subscriber_id == subscriber_id).order_by(Notification.id)
        )
        return list(rows)


async def test_choosing_a_limit_is_validated_audited_and_in_the_history(container: Container) -> None:
    c = container
    sub = await new_subscriber(c)
    status = await c.credit.status(sub.id)
    assert status.limit is None and status.options == [50, 100, 200, 500, 1000] and not status.barred
    for bad in (75, 0, 2000):
        with pytest.raises(ValidationFailed) as err:
            await c.credit.set_limit(sub.id, bad, actor=me(sub))
        assert err.value.errors[0].field == "limit_yuan" and err.value.errors[0].code == "credit_limit_not_offered"
    status = await c.credit.set_limit(sub.id, 100, actor=me(sub))
    assert status.limit == Money.of_yuan(100) and status.remaining == Money.of_yuan(100) and status.percent == 0
    await c.credit.set_limit(sub.id, 100, actor=me(sub))  # no change: nothing recorded
    await c.credit.set_limit(sub.id, None, actor=me(sub))
    assert (await c.credit.status(sub.id)).limit is None
    history = await c.account_history.list(sub.id)
    assert [(e.kind, e.params) for e in reversed(history)] == [
        ("credit_limit_changed", {"limit": "100.00"}),
        ("credit_limit_changed", {"limit": ""}),
    ]
    async with c.deps.uow() as uow:
        audits = list(await uow.session.scalars(select(AuditRecord).where(AuditRecord.action == "credit_limit.set")))
    assert [(a.details["before"], a.details["after"]) for a in audits] == [(None, "100.00"), ("100.00", None)]


async def test_warnings_then_bar_then_payment_restores(container: Container, clock: FakeClock) -> None:
    c = container
    caller = await limited(c, 50)  # 1.00 yuan a minute, limit 50 yuan
    callee = await new_subscriber(c)
    await ended_call(c, caller, callee, 39 * 60)  # 39 yuan: 78 %
    assert await notification_kinds(c, caller.id) == []
    await ended_call(c, caller, callee, 61)  # 2 minutes more → 41 yuan: 82 %
    status = await c.credit.status(caller.id)
    assert status.used == Money.of_yuan(41) and status.percent == 82 and status.warnings == [80]
    assert await notification_kinds(c, caller.id) == ["credit_limit_warning"]
    await ended_call(c, caller, callee, 30)  # 42 yuan: no second 80 % warning
    assert await notification_kinds(c, caller.id) == ["credit_limit_warning"]
    assert await state_of(c, caller.id) == ("active", "")

    await ended_call(c, caller, callee, 8 * 60)  # 50 yuan: the limit
    assert await state_of(c, caller.id) == ("outgoing_barred", "credit_limit")
    assert await notification_kinds(c, caller.id) == [
        "credit_limit_warning",
        "credit_limit_warning",
        "credit_limit_barred",
    ]
    assert not await c.credit.may_place_call(caller.id, 5000)
    events = [
        (e.kind, e.params.get("level") or e.params.get("reason")) for e in await c.account_history.list(caller.id)
    ]
    assert ("credit_limit_warning", 100) in events and ("service_restricted", "credit_limit") in events

    await pay(c, caller, 20)  # pays part of the incurred charges in advance: 20 yuan of room again
    assert await state_of(c, caller.id) == ("active", "")
    status = await c.credit.status(caller.id)
    assert status.prepaid == Money.of_yuan(20) and status.remaining == Money.of_yuan(20) and not status.barred
    assert (await notification_kinds(c, caller.id))[-1] == "credit_limit_restored"
    assert await c.credit.may_place_call(caller.id, 5000)
    async with c.deps.uow() as uow:
        assert await uow.session.scalar(select(CreditWarning.level).where(CreditWarning.level == 100)) == 100


async def test_after_payment_without_a_bar_changes_nothing(container: Container) -> None:
    c = container
    sub = await limited(c, 50)
    before = await c.account_history.list(sub.id)
    await pay(c, sub, 10)
    assert await c.account_history.list(sub.id) == before
    assert await state_of(c, sub.id) == ("active", "")


async def test_suspension_policy_and_limit_changes(container: Container) -> None:
    c = container
    admin = Actor("staff", None)
    await c.policy.update(admin, {"credit_limit_action": "suspended"}, reason="合同第九条")
    caller = await limited(c, 100)
    callee = await new_subscriber(c)
    await ended_call(c, caller, callee, 60 * 60)  # 60 yuan of 100
    assert await state_of(c, caller.id) == ("active", "")
    await c.credit.set_limit(caller.id, 50, actor=me(caller))  # lowered below the usage
    assert await state_of(c, caller.id) == ("suspended", "credit_limit")
    async with c.deps.uow() as uow:
        scopes = [r.scope for r in await restrictions.open_restrictions(uow, caller.id)]
    assert scopes == ["all"]
    await c.credit.set_limit(caller.id, 200, actor=me(caller))  # raised above it
    assert await state_of(c, caller.id) == ("active", "")
    await c.credit.set_limit(caller.id, 50, actor=me(caller))
    await c.credit.set_limit(caller.id, None, actor=me(caller))  # no limit at all
    assert await state_of(c, caller.id) == ("active", "")
    # The 80 % warning fired at 50 (60 ≥ 40), was forgotten when the limit went to 200 (30 %) and
    # fired again under 50.
    kinds = await notification_kinds(c, caller.id)
    assert kinds.count("credit_limit_warning") == 4 and kinds.count("credit_limit_barred") == 2


async def test_reservations_hold_the_headroom_while_a_call_lasts(container: Container, clock: FakeClock) -> None:
    c = container
    caller = await limited(c, 50, rate="0.50", included=2)  # 0.50 yuan/min, 2 minutes included
    callee = await new_subscriber(c)
    await ended_call(c, caller, callee, 20 * 60)  # 2 min free + 18 × 0.50 = 9 yuan
    assert (await c.credit.status(caller.id)).used == Money.of_yuan(9)
    first = await open_call(c, caller, callee)
    seconds = await c.credit.reserve(first, caller.id)
    assert seconds == 82 * 60  # 41 yuan left at 0.50 a minute (the allowance is used up)
    assert await c.credit.reserve(first, caller.id) == seconds  # idempotent
    status = await c.credit.status(caller.id)
    assert status.reserved == Money.of_yuan(41) and status.remaining == Money(0)
    assert not await c.credit.may_place_call(caller.id, 5000)
    # The call ends (its record first, then the hooks): its charge is in the usage, the hold is gone.
    clock.advance(timedelta(minutes=30))
    async with c.deps.uow() as uow:
        row = await uow.session.get(CallRecord, first)
        assert row is not None
        row.state, row.ended_at, row.outcome, row.billable_seconds = "ended", clock.now(), "answered", 1800
        await uow.commit()
    for hook in c.deps.events.listeners(CallsEnded):
        await hook(CallsEnded((first,)))
    status = await c.credit.status(caller.id)
    assert status.used == Money.of_yuan(24) and status.reserved == Money(0) and status.remaining == Money.of_yuan(26)
    async with c.deps.uow() as uow:
        reservation = await uow.session.get(CreditReservation, first)
        assert reservation is not None and reservation.released_at == clock.now()


async def test_an_ended_call_never_rated_does_not_hold_credit(container: Container) -> None:
    c = container
    caller = await limited(c, 50)
    callee = await new_subscriber(c)
    call_id = await open_call(c, caller, callee)
    assert await c.credit.reserve(call_id, caller.id) == 50 * 60
    async with c.deps.uow() as uow:  # ended (e.g. swept after a node died) but no hook ran
        row = await uow.session.get(CallRecord, call_id)
        assert row is not None
        row.state, row.ended_at, row.outcome, row.billable_seconds = "ended", c.deps.clock.now(), "answered", 600
        await uow.commit()
    status = await c.credit.status(caller.id)
    assert status.reserved == Money(0) and status.used == Money.of_yuan(10)


async def test_free_calls_and_unlimited_subscribers_reserve_nothing(container: Container) -> None:
    c = container
    free = await limited(c, 50, rate="0")
    other = await new_subscriber(c)
    call_id = await open_call(c, free, other)
    assert await c.credit.reserve(call_id, free.id) is None
    unlimited = await new_subscriber(c)
    call_id = await open_call(c, unlimited, other)
    assert await c.credit.reserve(call_id, unlimited.id) is None
    async with c.deps.uow() as uow:
        assert await uow.session.get(CreditReservation, call_id) is None


async def test_concurrent_reservations_never_overshoot(container: Container) -> None:
    """Two calls of one subscriber answered at the same moment (say on two nodes): the row lock makes
    the second reserve from what the first left."""
    c = container
    caller = await limited(c, 50, rate="0.30")
    callee = await new_subscriber(c)
    calls = [await open_call(c, caller, callee) for _ in range(4)]
    results = await asyncio.gather(*(c.credit.reserve(call_id, caller.id) for call_id in calls))
    async with c.deps.uow() as uow:
        reserved = [r.reserved_fen for r in await uow.session.scalars(select(CreditReservation))]
    assert len(reserved) == 4 and sum(reserved) <= 5000
    # The first took all that a whole number of minutes allows (166 min = 49.80 yuan); the rest get 0.
    assert sorted(s or 0 for s in results) == [0, 0, 0, 166 * 60]
    assert sum(reserved) == 4980


async def test_usage_counts_calls_cut_off_at_the_limit(container: Container) -> None:
    c = container
    caller = await limited(c, 50)
    callee = await new_subscriber(c)
    now = c.deps.clock.now()
    call_id = str(uuid.uuid4())
    await insert(
        c,
        CallRecord(
            id=call_id,
            caller_id=caller.id,
            callee_id=callee.id,
            caller_number=caller.number,
            callee_number=callee.number,
            caller_device="web",
            callee_device="web",
            node_id="node-a",
            state="ended",
            started_at=now - timedelta(seconds=3010),
            answered_at=now - timedelta(seconds=3000),
            ended_at=now,
            outcome="cut_off_credit",
            end_reason="cut_off_credit",
            billable_seconds=3000,
        ),
    )
    for hook in c.deps.events.listeners(CallsEnded):
        await hook(CallsEnded((call_id,)))
    assert (await c.credit.status(caller.id)).used == Money.of_yuan(50)
    assert await state_of(c, caller.id) == ("outgoing_barred", "credit_limit")

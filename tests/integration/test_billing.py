"""Rating, the ledger and the monthly bill run (R-22) on SQLite and PostgreSQL.

Plans, prices, subscriptions and call records are inserted directly (the tariff and signaling code
that normally writes them is tested elsewhere).  After every scenario the ledger invariants hold:
each transaction balances, the trial balance is zero, and each bill's total is the receivable."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.factories import person
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import (
    Bill,
    BillLine,
    CallCharge,
    CallRecord,
    LedgerTransaction,
    Plan,
    PlanPrice,
    PlanSubscription,
    ValueAddedService,
    VasPrice,
    VasSubscription,
)
from videophone.billing.services import ledger
from videophone.billing.services.rating import load_prices, rated_usage
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.identity.services.subscribers import AccountView, RequestInfo
from videophone.kernel.errors import NotFound, ValidationFailed
from videophone.kernel.money import Money

SHANGHAI_OCT = datetime(2026, 10, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


async def subscriber(c: Container) -> AccountView:
    return await c.subscribers.register(person(), RequestInfo())


async def insert(c: Container, *rows: Any) -> None:
    async with c.deps.uow() as uow:
        uow.session.add_all(rows)
        await uow.commit()


async def make_plan(
    c: Container,
    code: str = "",
    *,
    rent_fen: int = 3000,
    included: int = 10,
    rate: str = "0.10",
    first: int = 60,
    nxt: int = 60,
    effective: date = date(2026, 1, 1),
) -> int:
    now = c.deps.clock.now()
    async with c.deps.uow() as uow:
        plan = Plan(code=code or f"t{uuid.uuid4().hex[:8]}", name_zh="基础套餐", name_en="Basic", created_at=now)
        uow.session.add(plan)
        await uow.session.flush()
        uow.session.add(
            PlanPrice(
                plan_id=plan.id,
                effective_from=effective,
                monthly_rent_fen=rent_fen,
                included_minutes=included,
                rate_per_minute=Decimal(rate),
                first_increment_seconds=first,
                next_increment_seconds=nxt,
                created_at=now,
            )
        )
        await uow.commit()
        return plan.id


async def make_vas(c: Container, fee_fen: int = 500) -> int:
    now = c.deps.clock.now()
    async with c.deps.uow() as uow:
        vas = ValueAddedService(code=f"v{uuid.uuid4().hex[:6]}", name_zh="彩铃", name_en="Ring tone", created_at=now)
        uow.session.add(vas)
        await uow.session.flush()
        uow.session.add(
            VasPrice(vas_id=vas.id, effective_from=date(2026, 1, 1), monthly_fee_fen=fee_fen, created_at=now)
        )
        await uow.commit()
        return vas.id


def subscription(sub_id: int, plan_id: int, start: date, end: date | None = None) -> PlanSubscription:
    return PlanSubscription(subscriber_id=sub_id, plan_id=plan_id, start_date=start, end_date=end)


def call_record(
    caller: AccountView, callee: AccountView, started: datetime, seconds: int, outcome: str = "answered"
) -> CallRecord:
    return CallRecord(
        id=str(uuid.uuid4()),
        caller_id=caller.id,
        callee_id=callee.id,
        caller_number=caller.number,
        callee_number=callee.number,
        caller_device="web",
        callee_device="web",
        node_id="node-a",
        state="ended",
        started_at=started,
        answered_at=started if outcome == "answered" else None,
        ended_at=started + timedelta(seconds=seconds + 5),
        outcome=outcome,
        end_reason="hangup",
        billable_seconds=seconds if outcome == "answered" else 0,
    )


async def assert_ledger_invariants(c: Container) -> None:
    async with c.deps.uow() as uow:
        assert await ledger.unbalanced_transactions(uow) == []
        assert await ledger.trial_balance(uow) == Money.zero()
        bills = list(await uow.session.scalars(select(Bill)))
        latest: dict[int, Bill] = {}
        for b in bills:
            if b.subscriber_id not in latest or b.period > latest[b.subscriber_id].period:
                latest[b.subscriber_id] = b
        for sub_id, b in latest.items():
            assert Money(b.total_due_fen) == await ledger.balance(uow, sub_id), b.number
            lines = list(await uow.session.scalars(select(BillLine).where(BillLine.bill_id == b.id)))
            assert sum(line.amount_fen for line in lines) == b.new_charges_fen
            assert b.total_due_fen == b.previous_balance_fen - b.payments_fen + b.new_charges_fen


async def count(c: Container, model: Any) -> int:
    async with c.deps.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


async def test_bill_run_lines_totals_and_idempotency(container: Container, clock: FakeClock) -> None:
    c = container
    plan_id = await make_plan(c)
    vas_id = await make_vas(c)
    alice, bob, nobody = await subscriber(c), await subscriber(c), await subscriber(c)
    await insert(
        c,
        subscription(alice.id, plan_id, date(2026, 9, 1)),
        subscription(bob.id, plan_id, date(2026, 10, 17)),
        VasSubscription(subscriber_id=alice.id, vas_id=vas_id, start_date=date(2026, 10, 22)),
        call_record(alice, bob, SHANGHAI_OCT, 300),
        call_record(alice, bob, SHANGHAI_OCT + timedelta(hours=1), 481),  # → 540 s rated
        call_record(alice, bob, SHANGHAI_OCT + timedelta(hours=2), 0, outcome="missed"),
        call_record(bob, alice, SHANGHAI_OCT + timedelta(days=10), 30),  # bob: 60 s, within allowance
        call_record(alice, bob, datetime(2026, 10, 31, 16, 30, tzinfo=UTC), 600),  # Nov 1 in Shanghai
    )
    actor = Actor("staff", None)
    await c.adjustments.adjust(actor, alice.id, "2.00", "补收工本费", idempotency_key="k1")
    await c.adjustments.adjust(actor, alice.id, "1", "故障补偿", kind="credit", idempotency_key="k2")

    summary = await c.billing.run("2026-10")
    assert (summary.accounts, summary.bills_created, summary.already_billed) == (2, 2, 0)

    bills = await c.billing.bills(alice.id)
    assert len(bills) == 1
    detail = await c.billing.bill(alice.id, bills[0].id)
    kinds = [(line.kind, line.amount) for line in detail.lines]
    # rent 30.00; VAS 5.00 × 10/31 = 1.61; usage (300 + 540 − 600) s = 4 min × 0.10 = 0.40; +2.00; −1.00
    assert kinds == [("rent", "30.00"), ("vas", "1.61"), ("usage", "0.40"), ("adjustment", "2.00"), ("credit", "-1.00")]
    assert detail.lines[0].quantity == "31/31 天"
    assert detail.lines[2].quantity == "2 / 14:00"
    assert (detail.previous_balance, detail.payments, detail.new_charges, detail.total_due) == (
        "0.00",
        "0.00",
        "33.01",
        "33.01",
    )
    assert detail.total_due_text == "¥33.01"
    assert detail.number == f"B202610{alice.id:010d}"
    assert detail.due_date == date(2026, 11, 1) + timedelta(days=15)
    bob_bill = (await c.billing.bills(bob.id))[0]
    assert bob_bill.total_due == "14.52"  # 15/31 of 30.00, no usage charge
    assert await c.billing.bills(nobody.id) == []
    with pytest.raises(NotFound):
        await c.billing.bill(bob.id, bills[0].id)
    await assert_ledger_invariants(c)

    # Again: nothing new.
    before = (await count(c, Bill), await count(c, LedgerTransaction), await count(c, BillLine))
    again = await c.billing.run("2026-10")
    assert (again.accounts, again.bills_created, again.already_billed) == (0, 0, 2)
    assert (await count(c, Bill), await count(c, LedgerTransaction), await count(c, BillLine)) == before
    assert len(await c.billing.runs()) == 2
    await assert_ledger_invariants(c)

    # Next month: previous balance, a payment, the call that was Nov 1 in Shanghai.
    async with c.deps.uow() as uow:
        await ledger.post(
            uow,
            "payment",
            "pay:test:1",
            [(ledger.RECEIVABLE, alice.id, Money(-2000)), ("cash:gateway", None, Money(2000))],
            subscriber_id=alice.id,
        )
        await uow.commit()
    clock.set(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
    await c.billing.run("2026-11")
    nov = next(b for b in await c.billing.bills(alice.id) if b.period == "2026-11")
    nov_detail = await c.billing.bill(alice.id, nov.id)
    assert nov_detail.previous_balance == "33.01" and nov_detail.payments == "20.00"
    assert [line.kind for line in nov_detail.lines] == ["rent", "vas", "usage"]
    assert nov_detail.lines[2].amount == "0.00"  # 600 s within the 10 included minutes
    assert nov_detail.total_due == "48.01"  # 33.01 − 20.00 + 30.00 + 5.00
    await assert_ledger_invariants(c)
    total, found = await c.billing.search(number=alice.number)
    assert total == 2 and {b.period for b in found} == {"2026-10", "2026-11"}
    total, _ = await c.billing.search(period="2026-10")
    assert total == 2


async def test_period_validation(container: Container) -> None:
    for period, code in (("2026-11", "period_not_ended"), ("2026-13", "period_format"), ("", "period_format")):
        with pytest.raises(ValidationFailed) as err:
            await container.billing.run(period)
        assert err.value.errors[0].code == code


async def test_rating_is_idempotent_and_month_to_date(container: Container, clock: FakeClock) -> None:
    c = container
    plan_id = await make_plan(c, included=1, rate="0.60", first=60, nxt=6)
    alice, bob = await subscriber(c), await subscriber(c)
    now = clock.now()  # 2026-11-01 10:00 Shanghai
    calls = [call_record(alice, bob, now + timedelta(minutes=i), s) for i, s in enumerate((61, 61, 7))]
    await insert(c, subscription(alice.id, plan_id, date(2026, 10, 1)), *calls)
    for record in calls:
        await c.rating.rate_calls([record.id])
    async with c.deps.uow() as uow:
        rows = sorted(
            (r.rated_seconds, r.included_seconds, r.amount_fen) for r in await uow.session.scalars(select(CallCharge))
        )
    # 66 s (60 included, 6 s × 0.60/60 = 0.06), 66 s → 0.66, 60 s → 0.60
    assert rows == [(60, 0, 60), (66, 0, 66), (66, 60, 6)]
    await c.rating.rate_calls([calls[0].id])
    await c.rating.rate_period("2026-11")
    async with c.deps.uow() as uow:
        again = sorted(
            (r.rated_seconds, r.included_seconds, r.amount_fen) for r in await uow.session.scalars(select(CallCharge))
        )
    assert again == rows
    usage = await c.rating.month_to_date(alice.id)
    assert (usage.calls, usage.rated_seconds, usage.minutes, usage.usage, usage.included_left_seconds) == (
        3,
        192,
        4,
        Money(132),
        0,
    )
    assert (await c.rating.month_to_date(bob.id)).calls == 0


async def test_rating_the_calls_that_ended_in_one_batch(container: Container, clock: FakeClock) -> None:
    """The call-ended hook gets every call that ended meanwhile: scattered callers (read as an IN list),
    calls of two months, unanswered calls among them — the same charges as rating the periods."""
    c = container
    plan_id = await make_plan(c, included=1, rate="0.60", first=60, nxt=6)
    subs = [await subscriber(c) for _ in range(6)]
    alice, carol = subs[0], subs[5]  # ids far apart: not one dense range
    await insert(c, *(subscription(s.id, plan_id, date(2026, 9, 1)) for s in subs))
    nov = clock.now()  # 2026-11-01 10:00 Shanghai
    oct_ = nov - timedelta(days=3)
    calls = [
        call_record(alice, subs[1], oct_, 61),
        call_record(alice, subs[1], nov, 61),
        call_record(alice, subs[2], nov + timedelta(minutes=5), 7),
        call_record(carol, subs[1], nov, 30),
        call_record(carol, subs[2], nov + timedelta(minutes=9), 0, outcome="missed"),
    ]
    await insert(c, *calls)
    written = await c.rating.rate_calls([r.id for r in calls])
    assert written == 4  # the missed call has nothing to rate

    async def charges() -> list[tuple[str, str, int, int, int]]:
        async with c.deps.uow() as uow:
            return sorted(
                (r.call_id, r.period, r.rated_seconds, r.included_seconds, r.amount_fen)
                for r in await uow.session.scalars(select(CallCharge))
            )

    batched = await charges()
    assert sorted((p, rated, inc, fen) for _, p, rated, inc, fen in batched) == sorted(
        [("2026-10", 66, 60, 6), ("2026-11", 66, 60, 6), ("2026-11", 60, 0, 60), ("2026-11", 60, 60, 0)]
    )
    assert await c.rating.rate_calls([r.id for r in calls]) == 0  # idempotent
    assert (await c.rating.rate_period("2026-10"))["rows_written"] == 0
    assert (await c.rating.rate_period("2026-11"))["rows_written"] == 0
    assert await charges() == batched
    assert await c.rating.rate_calls([]) == 0
    assert await c.rating.rate_calls(["no-such-call"]) == 0


async def usage_now(c: Container, ids: list[int], period: str) -> tuple[dict[int, Any], list[int]]:
    async with c.deps.uow() as uow:
        prices = await load_prices(uow)
        usage, _, again = await rated_usage(uow, ids, period, c.deps.operator_tz, c.deps.clock.now(), prices)
        await uow.commit()
    return {i: (u.calls, u.seconds, u.amount.fen) for i, u in usage.items()}, again


async def test_the_bill_run_takes_the_stored_rating_only_where_it_is_provably_current(
    container: Container, clock: FakeClock
) -> None:
    """ADR 0006: as many charges as qualifying calls, one price over the month and every charge
    naming it — else the month is rated again before it is billed."""
    c = container
    plan_id = await make_plan(c, included=1, rate="0.60", first=60, nxt=6, effective=date(2026, 1, 1))
    subs = [await subscriber(c) for _ in range(5)]
    rated, unrated, midmonth, repriced, idle = subs
    await insert(
        c,
        *(subscription(s.id, plan_id, date(2026, 9, 1)) for s in (rated, unrated, repriced, idle)),
        subscription(midmonth.id, plan_id, date(2026, 10, 12)),  # no plan before the 12th: no single price
    )
    calls = {
        s.id: [call_record(s, idle, SHANGHAI_OCT + timedelta(hours=h), 61) for h in range(3)]
        for s in (rated, unrated, midmonth, repriced)
    }
    await insert(c, *(r for rows in calls.values() for r in rows))
    await c.rating.rate_calls([r.id for s in (rated, midmonth, repriced) for r in calls[s.id]])
    # A charge that names another price than the month's (as if rated before a plan was replaced).
    async with c.deps.uow() as uow:
        row = await uow.session.get(CallCharge, calls[repriced.id][0].id)
        assert row is not None
        row.plan_price_id = row.plan_price_id + 1000 if row.plan_price_id else 1
        await uow.commit()
    ids = [s.id for s in subs]
    usage, again = await usage_now(c, ids, "2026-10")
    # rated: stored; unrated: calls without charges; midmonth: no single price; repriced: stale price
    assert sorted(again) == sorted([unrated.id, midmonth.id, repriced.id])
    # 3 calls of 66 s, 60 s included: 6 + 66 + 66 s at 0.60/min
    assert usage[rated.id] == usage[unrated.id] == usage[repriced.id] == (3, 198, 138)
    assert usage[midmonth.id] == (3, 183, 0)  # before its plan began: no price, no increments, nothing charged
    assert usage[idle.id] == (0, 0, 0)
    # Everything rated again is stored now: the next look trusts all but the month with no single price.
    _, again = await usage_now(c, ids, "2026-10")
    assert again == [midmonth.id]
    async with c.deps.uow() as uow:
        row = await uow.session.get(CallCharge, calls[repriced.id][0].id)
        price_id = await uow.session.scalar(select(PlanPrice.id).where(PlanPrice.plan_id == plan_id))
        assert row is not None and row.plan_price_id == price_id
    summary = await c.billing.run("2026-10")
    assert summary.bills_created == 5
    await assert_ledger_invariants(c)


async def test_a_chunk_read_by_id_range_leaves_the_accounts_between_alone(container: Container) -> None:
    """The run reads a chunk's accounts by id range (bulk.among); an account inside the range that is
    not billed (no plan) keeps its pending adjustment, its service and its balance to itself."""
    c = container
    plan_id = await make_plan(c)
    vas_id = await make_vas(c)
    a, between, b = await subscriber(c), await subscriber(c), await subscriber(c)
    assert a.id < between.id < b.id
    await insert(
        c,
        subscription(a.id, plan_id, date(2026, 9, 1)),
        subscription(b.id, plan_id, date(2026, 9, 1)),
        VasSubscription(subscriber_id=between.id, vas_id=vas_id, start_date=date(2026, 9, 1)),
    )
    actor = Actor("staff", None)
    await c.adjustments.adjust(actor, between.id, "7.00", "补收", idempotency_key="between")
    await c.adjustments.adjust(actor, a.id, "1.00", "补收", idempotency_key="a")
    summary = await c.billing.run("2026-10")
    assert summary.bills_created == 2
    assert await c.billing.bills(between.id) == []
    a_bill = (await c.billing.bills(a.id))[0]
    assert a_bill.total_due == "31.00" and (await c.billing.bills(b.id))[0].total_due == "30.00"
    async with c.deps.uow() as uow:
        pending = await uow.session.scalar(
            select(LedgerTransaction.bill_id).where(LedgerTransaction.idempotency_key == f"adj:{between.id}:between")
        )
        assert pending is None  # still waiting for a bill of its own
        assert await ledger.balance(uow, between.id) == Money(700)
    await assert_ledger_invariants(c)


async def test_ledger_post_rules_and_adjustment_idempotency(container: Container) -> None:
    c = container
    alice = await subscriber(c)
    async with c.deps.uow() as uow:
        with pytest.raises(ValueError):
            await ledger.post(uow, "charge", "x", [(ledger.RECEIVABLE, alice.id, Money(1))], subscriber_id=alice.id)
        lines = [(ledger.RECEIVABLE, alice.id, Money(100)), (ledger.REVENUE_RENT, None, Money(-100))]
        assert await ledger.post(uow, "charge", "same", lines, subscriber_id=alice.id) is not None
        assert await ledger.post(uow, "charge", "same", lines, subscriber_id=alice.id) is None
        await uow.commit()
        assert await ledger.balance(uow, alice.id) == Money(100)
    actor = Actor("staff", None)
    first = await c.adjustments.adjust(actor, alice.id, "-0.50", "多收退还", idempotency_key="abc")
    second = await c.adjustments.adjust(actor, alice.id, "-0.50", "多收退还", idempotency_key="abc")
    assert first == second and first.amount_yuan == "-0.50" and first.balance_yuan == "0.50"
    credit = await c.adjustments.adjust(actor, alice.id, "0.50", "补偿", kind="credit", idempotency_key="def")
    assert credit.amount_yuan == "-0.50" and credit.balance_yuan == "0.00"
    for bad in ({"amount_yuan": "0"}, {"amount_yuan": "1.234"}, {"reason": ""}, {"kind": "gift"}):
        args: dict[str, Any] = {"amount_yuan": "1", "reason": "r", "kind": "adjustment", **bad}
        with pytest.raises(ValidationFailed):
            await c.adjustments.adjust(
                actor, alice.id, args["amount_yuan"], args["reason"], kind=args["kind"], idempotency_key="z"
            )
    with pytest.raises(ValidationFailed):
        await c.adjustments.adjust(actor, alice.id, "-1", "r", kind="credit", idempotency_key="z")
    with pytest.raises(NotFound):
        await c.adjustments.adjust(actor, 999999, "1", "r", idempotency_key="z")
    await assert_ledger_invariants(c)


async def test_an_interrupted_bill_run_is_marked_failed_at_once(container: Container) -> None:
    """Cancelled or interrupted (Ctrl-C) rather than killed, the run says so itself before it ends."""
    c = container
    plan_id = await make_plan(c)
    for _ in range(2):
        sub = await subscriber(c)
        await insert(c, subscription(sub.id, plan_id, date(2026, 10, 1)))
    c.billing.chunk_size = 1

    def interrupt(done: int, total: int) -> None:
        if done == 1:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await c.billing.run("2026-10", progress=interrupt)
    run = (await c.billing.runs())[0]
    assert (run.state, run.bills_created, run.finished_at) == ("failed", 1, c.deps.clock.now())
    summary = await c.billing.run("2026-10")
    assert (summary.bills_created, summary.already_billed) == (1, 1)
    assert [r.state for r in await c.billing.runs()] == ["finished", "failed"]

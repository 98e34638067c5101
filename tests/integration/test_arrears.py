"""Late fees, arrears suspension / termination / restoration and the debts view (R-24, R-25) on SQLite
and PostgreSQL: the jobs are idempotent, missed days are caught up, disputes are set aside, payments
restore at once, and nothing is written off on termination."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from tests.integration.test_billing import assert_ledger_invariants, insert, make_plan, subscription
from tests.integration.test_billing import subscriber as new_subscriber
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import (
    AuditRecord,
    Dispute,
    LateFeeAccrual,
    LedgerTransaction,
    Notification,
    OutboxMessage,
    PhoneNumber,
    PlanSubscription,
    ServiceRestriction,
    Subscriber,
)
from videophone.billing.services import ledger
from videophone.bootstrap import Container
from videophone.collections.domain.late_fees import accrue
from videophone.collections.services.debts import account_debts, load
from videophone.common.deps import Actor
from videophone.kernel.events import BalanceReduced
from videophone.kernel.money import Money

STAFF = Actor("staff", None)
TZ_NOON = 4  # 04:00 UTC = 12:00 in Shanghai


async def billed_subscriber(c: Container, clock: FakeClock, rent_fen: int = 3100) -> tuple[int, date]:
    """A subscriber with an October bill of ``rent_fen`` issued 1 November; returns (id, due date)."""
    plan_id = await make_plan(c, rent_fen=rent_fen)
    sub = await new_subscriber(c)
    await insert(c, subscription(sub.id, plan_id, date(2026, 9, 1)))
    clock.set(datetime(2026, 11, 1, 2, 0, tzinfo=UTC))
    await c.billing.run("2026-10")
    bill = (await c.billing.bills(sub.id))[0]
    return sub.id, bill.due_date


def at_local_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, TZ_NOON, tzinfo=UTC)


async def pay(c: Container, sub_id: int, fen: int, key: str) -> None:
    """A counter payment as the payments service posts it, with ``BalanceReduced`` (the arrears
    restoration) in the same transaction."""
    now = c.deps.clock.now()
    async with c.deps.uow() as uow:
        amount = Money(fen)
        await ledger.post(
            uow,
            "payment",
            f"pay:test:{key}",
            [(ledger.RECEIVABLE, sub_id, -amount), ("cash:counter", None, amount)],
            subscriber_id=sub_id,
            at=now,
        )
        await uow.publish(BalanceReduced(sub_id, fen, "counter_payment", now, STAFF))
        await uow.commit()


async def kinds(c: Container, sub_id: int) -> list[str]:
    async with c.deps.uow() as uow:
        rows = await uow.session.scalars(
            select(Notification.kind).where(Notification.subscriber_id == sub_id).order_by(Notification.id)
        )
        return list(rows)


async def state(c: Container, sub_id: int) -> tuple[str, str]:
    async with c.deps.uow() as uow:
        sub = await uow.session.get(Subscriber, sub_id)
        assert sub is not None
        return sub.service_state, sub.service_reason


async def accruals(c: Container, sub_id: int) -> list[tuple[date, int, int, bool]]:
    async with c.deps.uow() as uow:
        rows = await uow.session.execute(
            select(
                LateFeeAccrual.day, LateFeeAccrual.principal_fen, LateFeeAccrual.fee_fen, LateFeeAccrual.transaction_id
            )
            .where(LateFeeAccrual.subscriber_id == sub_id)
            .order_by(LateFeeAccrual.day)
        )
        return [(d, p, f, t is not None) for d, p, f, t in rows]


async def test_late_fees_accrue_once_per_day_catch_up_and_reach_the_next_bill(
    container: Container, clock: FakeClock
) -> None:
    c = container
    sub_id, due = await billed_subscriber(c, clock)  # ¥31.00 → 3 ‰ = 9.3 fen → 9 fen a day
    clock.set(at_local_noon(due + timedelta(days=1)))
    assert (await c.late_fees.run())["days"] == 0  # the day after the due date is not over yet
    clock.set(at_local_noon(due + timedelta(days=3)))
    first = await c.late_fees.run()
    again = await c.late_fees.run()
    assert (first["days"], first["fen"], again["days"]) == (2, 18, 0)
    assert await accruals(c, sub_id) == [
        (due + timedelta(days=1), 3100, 9, True),
        (due + timedelta(days=2), 3100, 9, True),
    ]
    # The job misses a week; then two runs at once: every day once, the same fees as a daily run.
    clock.set(at_local_noon(due + timedelta(days=10)))
    await asyncio.gather(c.late_fees.run(), c.late_fees.run())
    rows = await accruals(c, sub_id)
    assert [r[0] for r in rows] == [due + timedelta(days=n) for n in range(1, 10)]
    assert all(r[2] == 9 for r in rows)
    async with c.deps.uow() as uow:
        keys = list(
            await uow.session.scalars(
                select(LedgerTransaction.idempotency_key).where(
                    LedgerTransaction.kind == "late_fee", LedgerTransaction.subscriber_id == sub_id
                )
            )
        )
        timelines, _ = await load(uow, [sub_id], c.deps.operator_tz)
    assert sorted(keys) == [f"latefee:{sub_id}:{(due + timedelta(days=n)).isoformat()}" for n in range(1, 10)]
    # What was posted equals the pure computation over the same timeline (late fees left out).
    tl = timelines[sub_id]
    bare = type(tl)(tuple(d for d in tl.debts if d.kind != "late_fee"), tl.credits, tl.disputes)
    pure = accrue(bare, due + timedelta(days=1), due + timedelta(days=9), c.deps.operator_tz, Decimal("3"), 0)
    assert [f.fee for f in pure] == [r[2] for r in rows]
    debts = await c.arrears.debts(sub_id)
    assert debts.late_fees_unpaid == Money(81) and debts.overdue == Money(3181)
    # Paying the bill's amount settles the bill (oldest), the late fees stay owed; no more fees accrue.
    await pay(c, sub_id, 3100, "bill")
    clock.set(at_local_noon(due + timedelta(days=12)))
    await c.late_fees.run()
    rows = await accruals(c, sub_id)
    assert rows[-1][0] == due + timedelta(days=10)  # the 10th (paid during the 10th+: still overdue then)
    assert len(rows) == 10
    debts = await c.arrears.debts(sub_id)
    assert debts.bills[0].settled and debts.late_fees_unpaid == Money(90) and debts.overdue_principal == Money(0)
    clock.set(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    await c.billing.run("2026-11")
    bill = (await c.billing.bills(sub_id))[0]
    detail = await c.billing.bill(sub_id, bill.id)
    assert ("late_fee", "10 天", "0.90") in [(x.kind, x.quantity, x.amount) for x in detail.lines]
    await assert_ledger_invariants(c)


async def test_open_dispute_accrues_no_fee_and_does_not_suspend(container: Container, clock: FakeClock) -> None:
    c = container
    sub_id, due = await billed_subscriber(c, clock)
    bill = (await c.billing.bills(sub_id))[0]
    await insert(
        c,
        Dispute(
            subscriber_id=sub_id,
            bill_id=bill.id,
            amount_fen=3100,
            reason="不认可",
            state="open",
            opened_at=at_local_noon(due - timedelta(days=2)),
            due_at=at_local_noon(due + timedelta(days=13)),
        ),
    )
    clock.set(at_local_noon(due + timedelta(days=45)))
    await c.late_fees.run()
    result = await c.arrears.run()
    rows = await accruals(c, sub_id)
    assert rows and all(fee == 0 and base == 0 and not tx for _, base, fee, tx in rows)
    assert result["suspended"] == 0 and await state(c, sub_id) == ("active", "")
    debts = await c.arrears.debts(sub_id)
    assert (debts.overdue, debts.disputed, debts.balance) == (Money(0), Money(3100), Money(3100))
    assert debts.oldest_overdue_due is None
    await assert_ledger_invariants(c)


async def test_arrears_remind_suspend_restore_on_payment(container: Container, clock: FakeClock) -> None:
    c = container
    sub_id, due = await billed_subscriber(c, clock)
    clock.set(at_local_noon(due + timedelta(days=2)))
    assert (await c.arrears.run())["reminded"] == 1
    assert (await c.arrears.run())["reminded"] == 0  # once per overdue bill
    assert await state(c, sub_id) == ("active", "")
    clock.set(at_local_noon(due + timedelta(days=32)))  # more than one month overdue
    await c.late_fees.run()
    runs = await asyncio.gather(c.arrears.run(), c.arrears.run())
    assert sum(r["suspended"] for r in runs) == 1
    assert await state(c, sub_id) == ("suspended", "arrears")
    assert await kinds(c, sub_id) == ["bill_issued", "payment_overdue", "service_suspended_arrears"]
    async with c.deps.uow() as uow:
        email = await uow.session.scalar(
            select(OutboxMessage.subject)
            .join(Notification, Notification.id == OutboxMessage.notification_id)
            .where(Notification.kind == "service_suspended_arrears", Notification.subscriber_id == sub_id)
        )
    assert email == "因欠费，服务已中止"
    owed = (await c.arrears.debts(sub_id)).overdue
    assert owed.fen > 3100  # late fees included
    # Paying the bill only: the late fees are still due → still suspended.
    await pay(c, sub_id, 3100, "part")
    assert await state(c, sub_id) == ("suspended", "arrears")
    await c.arrears.run()
    assert await state(c, sub_id) == ("suspended", "arrears")
    # Paying the rest restores at once, in the payment's transaction.
    await pay(c, sub_id, owed.fen - 3100, "rest")
    assert await state(c, sub_id) == ("active", "")
    assert (await kinds(c, sub_id))[-1] == "service_restored"
    history = [(e.kind, e.params.get("reason")) for e in reversed(await c.account_history.list(sub_id))]
    assert history == [("service_restricted", "arrears"), ("service_restored", "arrears")]
    assert (await c.arrears.run())["restored"] == 0


async def test_a_staff_credit_that_clears_the_arrears_restores_at_once(container: Container, clock: FakeClock) -> None:
    c = container
    sub_id, due = await billed_subscriber(c, clock)
    clock.set(at_local_noon(due + timedelta(days=40)))
    await c.arrears.run()
    assert await state(c, sub_id) == ("suspended", "arrears")
    # A staff credit reduces what is owed like a payment (issue 13: it used to wait for the job).
    await c.adjustments.adjust(STAFF, sub_id, "31.00", "goodwill", kind="credit", idempotency_key="k1")
    assert await state(c, sub_id) == ("active", "")
    assert (await c.arrears.run())["restored"] == 0


async def test_terminated_after_m_months_number_quarantined_debt_kept(container: Container, clock: FakeClock) -> None:
    c = container
    sub_id, due = await billed_subscriber(c, clock)
    clock.set(at_local_noon(due + timedelta(days=40)))
    await c.late_fees.run()
    await c.arrears.run()
    clock.set(at_local_noon(due + timedelta(days=95)))  # more than three months
    await c.late_fees.run()
    result = await c.arrears.run()
    assert result["terminated"] == 1 and (await c.arrears.run())["terminated"] == 0
    assert await state(c, sub_id) == ("terminated", "arrears")
    async with c.deps.uow() as uow:
        sub = await uow.session.get(Subscriber, sub_id)
        assert sub is not None
        number = await uow.session.get(PhoneNumber, sub.number)
        assert number is not None and number.state == "quarantined" and number.subscriber_id is None
        ends = list(
            await uow.session.scalars(select(PlanSubscription.end_date).where(PlanSubscription.subscriber_id == sub_id))
        )
        assert ends == [clock.now().astimezone(c.deps.operator_tz).date()]
        audit_rows = list(
            await uow.session.scalars(
                select(AuditRecord.action).where(
                    AuditRecord.subject_id == str(sub_id), AuditRecord.action.like("service.%")
                )
            )
        )
        assert audit_rows.count("service.terminate") == 1
        still_open = await uow.session.scalar(
            select(func.count())
            .select_from(ServiceRestriction)
            .where(ServiceRestriction.subscriber_id == sub_id, ServiceRestriction.ended_at.is_(None))
        )
        assert still_open == 1
        balance = await ledger.balance(uow, sub_id)
        debts = await account_debts(uow, sub_id, date(2027, 3, 1), c.deps.operator_tz)
    assert balance.fen > 3100 and debts.balance == balance  # nothing written off
    assert (await kinds(c, sub_id))[-1] == "service_terminated"
    assert "service_terminated" in [e.kind for e in await c.account_history.list(sub_id)]
    # A payment after termination does not bring the service back.
    await pay(c, sub_id, balance.fen, "late")
    assert await state(c, sub_id) == ("terminated", "arrears")
    async with c.deps.uow() as uow:
        assert await ledger.trial_balance(uow) == Money.zero()
        assert await ledger.balance(uow, sub_id) == Money.zero()

"""Whatever reduces what a subscriber owes — a payment at the counter, a gateway payment, a dispute
resolved by a credit, a staff credit — restores a service suspended for arrears, lifts a credit-limit bar
where ADR 0005's rules say so and closes a settled termination **in the same transaction as the money**
(issue 13, ADR 0007), on SQLite and PostgreSQL.

Each path is tried on three accounts (suspended for arrears, barred at the credit limit, awaiting
payment to close a termination).  First with one more in-transaction subscriber of ``BalanceReduced``
that looks at what its transaction sees — the reaction already done — and then fails: the money and the
reaction are both rolled back.  Then without it: both are there."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from structlog.testing import capture_logs

from tests.factories import PASSWORD
from tests.integration.test_arrears import at_local_noon, billed_subscriber
from tests.integration.test_billing import insert, make_plan, subscription
from tests.integration.test_billing import subscriber as new_subscriber
from tests.integration.test_credit import ended_call
from tests.integration.test_payments import Rig, paid, rig  # noqa: F401  (the fixture)
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import LedgerLine, Subscriber
from videophone.adapters.db.models_termination import TerminationRequest
from videophone.adapters.db.uow import UnitOfWork
from videophone.billing.services import ledger
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.enforcement.services import restrictions
from videophone.kernel.events import BalanceReduced
from videophone.kernel.money import Money

STAFF = Actor("staff", None, "10.0.0.7")


@dataclass(frozen=True)
class Case:
    """An account in one of the three situations, what will be paid or credited, and the bill a
    dispute can be filed about."""

    situation: str  # arrears | credit_limit | termination
    subscriber_id: int
    fen: int
    bill_id: int

    @property
    def yuan(self) -> str:
        return str(Money(self.fen).yuan)


def local_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, tzinfo=UTC)


async def suspended_for_arrears(c: Container, clock: FakeClock) -> Case:
    """October's bill of ¥31.00 forty days overdue: the arrears job suspended the account."""
    sub_id, due = await billed_subscriber(c, clock)
    clock.set(at_local_noon(due + timedelta(days=40)))
    await c.arrears.run()
    bill = (await c.billing.bills(sub_id))[0]
    case = Case("arrears", sub_id, bill.total_due_fen, bill.id)
    assert await reacted(c, case) is False
    return case


async def barred_at_the_credit_limit(c: Container, clock: FakeClock) -> Case:
    """A ¥50 limit at ¥1.00 a minute: January's bill paid, 50 minutes of calls in February barred
    outgoing calls.  ¥20.00 paid in advance gives ¥20.00 of room again (ADR 0005 "Credit limit")."""
    clock.set(local_noon(date(2027, 2, 10)))
    sub = await new_subscriber(c)
    plan = await make_plan(c, rent_fen=3000, rate="1.00", included=0)
    await insert(c, subscription(sub.id, plan, date(2027, 1, 1)))
    await c.billing.run("2027-01")
    bill = (await c.billing.bills(sub.id))[0]
    await c.payments.record_counter(STAFF, sub.id, amount_yuan=bill.total_due, method="cash", receipt_no=f"J{sub.id}")
    await c.credit.set_limit(sub.id, 50, actor=Actor("subscriber", sub.id))
    await ended_call(c, sub, await new_subscriber(c), 50 * 60)
    case = Case("credit_limit", sub.id, 2000, bill.id)
    assert await reacted(c, case) is False
    return case


async def awaiting_termination(c: Container, clock: FakeClock) -> Case:
    """The subscriber asked to terminate on 16 March: the final bill (March to that day) is owed."""
    clock.set(local_noon(date(2027, 3, 16)))
    sub = await new_subscriber(c)
    plan = await make_plan(c, rent_fen=3100)
    await insert(c, subscription(sub.id, plan, date(2027, 3, 1)))
    await c.termination.request(sub.id, password=PASSWORD, actor=Actor("subscriber", sub.id))
    (bill,) = await c.billing.bills(sub.id)
    case = Case("termination", sub.id, bill.total_due_fen, bill.id)
    assert case.fen > 0 and await reacted(c, case) is False
    return case


async def reacted_in(uow: UnitOfWork, case: Case) -> bool:
    """Whether the reaction to the reduction is there, as ``uow`` sees it."""
    if case.situation == "termination":
        state = await uow.session.scalar(
            select(TerminationRequest.state).where(TerminationRequest.subscriber_id == case.subscriber_id)
        )
        sub = await uow.session.get(Subscriber, case.subscriber_id, populate_existing=True)
        assert sub is not None
        return state == "closed" and sub.service_state == "terminated"
    return not await restrictions.has_open(uow, case.subscriber_id, case.situation)


async def reacted(c: Container, case: Case) -> bool:
    async with c.deps.uow() as uow:
        done = await reacted_in(uow, case)
        if case.situation != "termination":
            sub = await uow.session.get(Subscriber, case.subscriber_id)
            assert sub is not None and (sub.service_state == "active") == done
        return done


async def money_in(c: Container, case: Case) -> int:
    """How much has been taken off what the subscriber owes so far (receivable credits)."""
    async with c.deps.uow() as uow:
        total = await uow.session.scalar(
            select(func.coalesce(func.sum(LedgerLine.amount_fen), 0)).where(
                LedgerLine.account == ledger.RECEIVABLE,
                LedgerLine.subscriber_id == case.subscriber_id,
                LedgerLine.amount_fen < 0,
            )
        )
        return -int(total or 0)


Reduce = Callable[[Case], Awaitable[object]]


async def proves_one_transaction(c: Container, case: Case, reduce: Reduce) -> None:
    """``reduce`` with a failing subscriber after the real ones, then without it."""
    seen: list[bool] = []

    async def fails_after_looking(uow: UnitOfWork, event: BalanceReduced) -> None:
        if event.subscriber_id == case.subscriber_id:
            seen.append(await reacted_in(uow, case))
            raise RuntimeError("a subscriber of BalanceReduced failed")

    before = await money_in(c, case)
    events = c.deps.events
    events.in_transaction(BalanceReduced, fails_after_looking)
    try:
        # (the gateway's route logs the error and answers 500, the others raise)
        with capture_logs(), contextlib.suppress(RuntimeError):
            await reduce(case)
    finally:
        events.unsubscribe(BalanceReduced, fails_after_looking)
    assert seen == [True], case  # in the transaction of the money, the reaction had happened …
    assert await money_in(c, case) == before  # … and both rolled back together
    assert await reacted(c, case) is False

    await reduce(case)
    assert await money_in(c, case) == before + case.fen
    assert await reacted(c, case) is True, case


async def every_situation(c: Container, clock: FakeClock, reduce: Reduce, prepare: Reduce | None = None) -> None:
    for situation in (suspended_for_arrears, barred_at_the_credit_limit, awaiting_termination):
        case = await situation(c, clock)
        if prepare is not None:
            await prepare(case)
        await proves_one_transaction(c, case, reduce)


async def test_a_payment_at_the_counter(container: Container, clock: FakeClock) -> None:
    c = container

    async def counter(case: Case) -> object:
        return await c.payments.record_counter(
            STAFF, case.subscriber_id, amount_yuan=case.yuan, method="cash", receipt_no=f"R{case.subscriber_id}"
        )

    await every_situation(c, clock, counter)


async def test_a_gateway_payment(rig: Rig, clock: FakeClock) -> None:  # noqa: F811
    c = rig.c

    async def gateway(case: Case) -> object:
        intent = await c.payments.start(case.subscriber_id, case.yuan)
        response = await rig.send(paid(intent.id, case.fen, f"T{intent.id}"))
        if response.status_code != 200:
            raise RuntimeError(f"the notification was answered {response.status_code}")
        assert response.text == "success"
        return response

    await every_situation(c, clock, gateway)


async def test_a_dispute_resolved_by_a_credit(container: Container, clock: FakeClock) -> None:
    c = container
    disputes: dict[int, int] = {}

    async def file(case: Case) -> object:
        me = Actor("subscriber", case.subscriber_id)
        view = await c.disputes.open(me, case.subscriber_id, case.bill_id, amount_yuan=case.yuan, reason="费用有误")
        disputes[case.subscriber_id] = view.id
        return view

    async def credit(case: Case) -> object:
        return await c.disputes.adjust(STAFF, disputes[case.subscriber_id], case.yuan, "核实后全额退还")

    await every_situation(c, clock, credit, prepare=file)


async def test_a_staff_credit(container: Container, clock: FakeClock) -> None:
    c = container

    async def staff_credit(case: Case) -> object:
        return await c.adjustments.adjust(
            STAFF, case.subscriber_id, case.yuan, "goodwill", kind="credit", idempotency_key=f"k{case.subscriber_id}"
        )

    await every_situation(c, clock, staff_credit)


async def test_an_outage_credit_that_settles_the_final_bill_closes_the_termination(
    container: Container, clock: FakeClock
) -> None:
    """Outage credits reduce what is owed too (R-27): one that covers the last ¥1.25 owed closes the
    termination in the crediting's transaction."""
    c = container
    started = datetime(2026, 6, 6, tzinfo=UTC)
    clock.set(datetime(2026, 6, 20, 4, tzinfo=UTC))
    sub = await new_subscriber(c)
    await insert(c, subscription(sub.id, await make_plan(c, rent_fen=3000), date(2026, 5, 1)))
    outage = await c.outages.record(
        STAFF, title="机房断电", started_at=started, scope="all", description="", cause="operator"
    )
    status = await c.termination.request(sub.id, password=PASSWORD, actor=Actor("subscriber", sub.id))
    owed = Money.of_yuan(status.remaining)
    case = Case("termination", sub.id, 125, 0)  # 30 h of a ¥30.00 month: 3000 × 30 / 720
    await c.payments.record_counter(
        STAFF, sub.id, amount_yuan=str((owed - Money(case.fen)).yuan), method="cash", receipt_no="O-1"
    )
    assert await reacted(c, case) is False
    closed = await c.outages.close(STAFF, outage.outage.id, started + timedelta(hours=30))
    assert [cr.amount_fen for cr in closed.credits] == [case.fen]
    assert await reacted(c, case) is True

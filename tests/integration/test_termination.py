"""Termination (R-32) on SQLite and PostgreSQL: the subscriber's request produces the final bill at once
and bars the service; the account closes (number quarantined) only when a payment settles everything;
a partial payment keeps it open; withdrawal restores the service; the operator terminates at once
keeping the debt; inactive accounts are notified, then terminated; the job is idempotent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD
from tests.integration.test_billing import insert, make_plan, subscription
from tests.integration.test_billing import subscriber as new_subscriber
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import (
    AuditRecord,
    AuthSession,
    Bill,
    Notification,
    PhoneNumber,
    PlanSubscription,
    Subscriber,
)
from videophone.adapters.db.models_termination import InactivityNotice, TerminationRequest
from videophone.billing.services import ledger
from videophone.bootstrap import Container
from videophone.calling.domain.call_rules import ServiceState
from videophone.common.deps import Actor
from videophone.kernel.errors import InvalidState, ValidationFailed

STAFF = Actor("staff", None)


def local_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, tzinfo=UTC)  # 12:00 in Shanghai


async def setup(c: Container, clock: FakeClock) -> tuple[int, str]:
    """A subscriber on a ¥30.00 plan since 1 October, nothing billed yet, on 16 November."""
    clock.set(local_noon(date(2026, 10, 1)))
    plan_id = await make_plan(c, rent_fen=3000)
    sub = await new_subscriber(c)
    await insert(c, subscription(sub.id, plan_id, date(2026, 10, 1)))
    clock.set(local_noon(date(2026, 11, 16)))
    return sub.id, sub.number


async def subscriber_row(c: Container, sub_id: int) -> Subscriber:
    async with c.deps.uow() as uow:
        sub = await uow.session.get(Subscriber, sub_id)
        assert sub is not None
        return sub


async def number_state(c: Container, number: str) -> str:
    async with c.deps.uow() as uow:
        row = await uow.session.get(PhoneNumber, number)
        assert row is not None
        return row.state


async def kinds(c: Container, sub_id: int) -> list[str]:
    async with c.deps.uow() as uow:
        return list(
            await uow.session.scalars(
                select(Notification.kind).where(Notification.subscriber_id == sub_id).order_by(Notification.id)
            )
        )


async def pay(c: Container, sub_id: int, yuan: str, receipt: str) -> None:
    await c.payments.record_counter(STAFF, sub_id, amount_yuan=yuan, method="cash", receipt_no=receipt)


async def test_request_final_bill_payment_closes_and_quarantines(container: Container, clock: FakeClock) -> None:
    c = container
    sub_id, number = await setup(c, clock)
    status = await c.termination.request(
        sub_id, password=PASSWORD, note="moving abroad", actor=Actor("subscriber", sub_id)
    )
    assert status.request is not None and status.request.state == "awaiting_payment"
    assert status.request.termination_date == date(2026, 11, 16)
    # Final bills at once: October in full, November prorated to the termination date (15 of 30 days).
    bills = {b.period: b for b in await c.billing.bills(sub_id)}
    assert set(bills) == {"2026-10", "2026-11"}
    assert bills["2026-10"].new_charges == "30.00"
    assert bills["2026-11"].new_charges == "15.00"
    assert bills["2026-11"].total_due == "45.00"
    assert [b["period"] for b in status.request.final_bills] == ["2026-10", "2026-11"]
    assert status.remaining == "45.00"
    sub = await subscriber_row(c, sub_id)
    assert (sub.service_state, sub.service_reason) == (ServiceState.SUSPENDED.value, "termination")
    async with c.deps.uow() as uow:
        ends = set(
            await uow.session.scalars(select(PlanSubscription.end_date).where(PlanSubscription.subscriber_id == sub_id))
        )
    assert ends == {date(2026, 11, 16)}
    # The monthly run later skips the periods billed by the final bill, and bills nothing after.
    clock.set(local_noon(date(2026, 12, 1)))
    assert (await c.billing.run("2026-11")).bills_created == 0
    clock.set(local_noon(date(2027, 1, 1)))
    assert (await c.billing.run("2026-12")).bills_created == 0

    # A partial payment keeps the account open; it stays barred; the number is still theirs.
    await pay(c, sub_id, "20.00", "R-1")
    status = await c.termination.status(sub_id)
    assert status.request is not None and status.request.state == "awaiting_payment"
    assert status.remaining == "25.00"
    assert (await subscriber_row(c, sub_id)).service_state == ServiceState.SUSPENDED.value
    assert await number_state(c, number) == "assigned"

    # Paying the rest closes it in the payment's own transaction; the number goes to quarantine.
    await pay(c, sub_id, "25.00", "R-2")
    status = await c.termination.status(sub_id)
    assert status.request is not None and status.request.state == "closed"
    assert status.remaining == "0.00" and status.refund_due == "0.00"
    sub = await subscriber_row(c, sub_id)
    assert (sub.service_state, sub.service_reason) == (ServiceState.TERMINATED.value, "subscriber")
    assert await number_state(c, number) == "quarantined"
    assert {"termination_requested", "termination_closed"} <= set(await kinds(c, sub_id))
    async with c.deps.uow() as uow:
        actions = set(
            await uow.session.scalars(select(AuditRecord.action).where(AuditRecord.subject_id == str(sub_id)))
        )
    assert {"termination.request", "termination.close"} <= actions


async def test_overpayment_closes_with_refund_due(container: Container, clock: FakeClock) -> None:
    c = container
    sub_id, _ = await setup(c, clock)
    await c.termination.request(sub_id, password=PASSWORD, actor=Actor("subscriber", sub_id))
    await pay(c, sub_id, "50.00", "R-9")
    status = await c.termination.status(sub_id)
    assert status.request is not None and status.request.state == "closed"
    assert status.refund_due == "5.00" and status.request.refund_due == "5.00"
    assert [r.refund_due for r in await c.termination.recent()] == ["5.00"]


async def test_nothing_owed_closes_at_once(container: Container, clock: FakeClock) -> None:
    c = container
    sub = await new_subscriber(c)  # no plan: the final bill has nothing to charge
    status = await c.termination.request(sub.id, password=PASSWORD, actor=Actor("subscriber", sub.id))
    assert status.request is not None and status.request.state == "closed"
    assert status.service_state == ServiceState.TERMINATED.value


async def test_wrong_password_or_twice_changes_nothing(container: Container, clock: FakeClock) -> None:
    c = container
    sub_id, _ = await setup(c, clock)
    with pytest.raises(ValidationFailed) as err:
        await c.termination.request(sub_id, password="nope", actor=Actor("subscriber", sub_id))
    assert err.value.errors[0].code == "termination_password_wrong"
    assert await c.billing.bills(sub_id) == []
    assert (await subscriber_row(c, sub_id)).service_state == ServiceState.ACTIVE.value
    await c.termination.request(sub_id, password=PASSWORD, actor=Actor("subscriber", sub_id))
    with pytest.raises(InvalidState) as again:
        await c.termination.request(sub_id, password=PASSWORD, actor=Actor("subscriber", sub_id))
    assert again.value.code == "termination_already_requested"


async def test_withdrawal_restores_service_and_plan(container: Container, clock: FakeClock) -> None:
    c = container
    sub_id, number = await setup(c, clock)
    await c.termination.request(sub_id, password=PASSWORD, actor=Actor("subscriber", sub_id))
    clock.set(local_noon(date(2026, 11, 20)))
    status = await c.termination.withdraw(sub_id, actor=Actor("subscriber", sub_id))
    assert status.request is not None and status.request.state == "withdrawn"
    assert status.service_state == ServiceState.ACTIVE.value
    async with c.deps.uow() as uow:
        spans = sorted(
            (s.start_date, s.end_date)
            for s in await uow.session.scalars(select(PlanSubscription).where(PlanSubscription.subscriber_id == sub_id))
        )
    assert spans == [(date(2026, 10, 1), date(2026, 11, 16)), (date(2026, 11, 20), None)]
    assert await number_state(c, number) == "assigned"
    # Paying the final bill after withdrawal does not close anything; withdrawing twice is refused.
    await pay(c, sub_id, "45.00", "R-3")
    assert (await subscriber_row(c, sub_id)).service_state == ServiceState.ACTIVE.value
    with pytest.raises(InvalidState):
        await c.termination.withdraw(sub_id, actor=Actor("subscriber", sub_id))
    # December is billed normally from the resumed plan.
    clock.set(local_noon(date(2027, 1, 1)))
    await c.billing.run("2026-12")
    dec = [b for b in await c.billing.bills(sub_id) if b.period == "2026-12"]
    assert dec and dec[0].new_charges == "30.00"


async def test_operator_termination_keeps_the_debt(container: Container, clock: FakeClock) -> None:
    c = container
    sub_id, number = await setup(c, clock)
    with pytest.raises(ValidationFailed):
        await c.termination.operator_terminate(STAFF, sub_id, reason="breach", note="  ")
    view = await c.termination.operator_terminate(STAFF, sub_id, reason="breach", note="fraudulent use, case 17")
    assert view.initiator == "operator" and view.state == "closed" and view.owed_at_request == "45.00"
    sub = await subscriber_row(c, sub_id)
    assert (sub.service_state, sub.service_reason) == (ServiceState.TERMINATED.value, "breach")
    assert await number_state(c, number) == "quarantined"
    async with c.deps.uow() as uow:
        assert await ledger.balance(uow, sub_id) == ledger.Money(4500)
        bills = list(await uow.session.scalars(select(Bill.period).where(Bill.subscriber_id == sub_id)))
    assert sorted(bills) == ["2026-10", "2026-11"]
    assert "termination_by_operator_breach" in await kinds(c, sub_id)
    with pytest.raises(InvalidState):
        await c.termination.operator_terminate(STAFF, sub_id, reason="illegal", note="again")


async def test_inactivity_notice_then_termination_idempotent(container: Container, clock: FakeClock) -> None:
    c = container
    clock.set(local_noon(date(2025, 1, 1)))
    idle = await new_subscriber(c)
    used = await new_subscriber(c)
    days, notice = 365, 30  # the policy's defaults
    notice_day = date(2025, 1, 1) + timedelta(days=days - notice)
    clock.set(local_noon(notice_day - timedelta(days=1)))
    assert (await c.termination.run_inactivity())["notified"] == 0
    clock.set(local_noon(notice_day))
    first = await c.termination.run_inactivity()
    assert first["notified"] == 2
    assert (await c.termination.run_inactivity())["notified"] == 0  # idempotent
    assert [n.subscriber_id for n in await c.termination.under_notice()] == [idle.id, used.id]
    assert "termination_inactivity_notice" in await kinds(c, idle.id)
    # One of them signs in during the notice: the notice is cleared.
    now = c.deps.clock.now() + timedelta(days=2)
    clock.set(now)
    await insert(
        c,
        AuthSession(
            token_hash="x" * 64,
            principal_type="subscriber",
            principal_id=used.id,
            kind="browser",
            csrf_token="c",
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=30),
        ),
    )
    assert (await c.termination.run_inactivity())["cleared"] == 1
    clock.set(local_noon(date(2025, 1, 1) + timedelta(days=days)))
    done = await c.termination.run_inactivity()
    assert done["terminated"] == 1
    assert (await c.termination.run_inactivity())["terminated"] == 0
    assert (await subscriber_row(c, idle.id)).service_state == ServiceState.TERMINATED.value
    assert (await subscriber_row(c, used.id)).service_state == ServiceState.ACTIVE.value
    async with c.deps.uow() as uow:
        states = dict((n.subscriber_id, n.state) for n in await uow.session.scalars(select(InactivityNotice)))
        reasons = list(await uow.session.scalars(select(TerminationRequest.reason)))
    assert states == {idle.id: "terminated", used.id: "cleared"}
    assert reasons == ["inactivity"]

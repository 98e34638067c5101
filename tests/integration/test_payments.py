"""Payments (R-23) on SQLite and PostgreSQL, with the built-in gateway running in-process: the
service's app and the gateway's app talk to each other through ``httpx.ASGITransport`` exactly as
they do over the network (signed checkout link, signed notification, signed query)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from structlog.testing import capture_logs

from tests.integration.test_billing import (
    assert_ledger_invariants,
    insert,
    make_plan,
    subscriber,
    subscription,
)
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import (
    AccountEvent,
    AuditRecord,
    GatewayNotification,
    LedgerTransaction,
    Notification,
    Payment,
    PaymentIntent,
    Refund,
    Subscriber,
)
from videophone.adapters.payment_gateway import BuiltinGatewayClient, signed
from videophone.billing.services import ledger
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.enforcement.services import restrictions
from videophone.gateway.app import Gateway, GatewayConfig
from videophone.kernel.errors import ValidationFailed
from videophone.kernel.money import Money
from videophone.web.app import create_app

MERCHANT = "videophone-demo"
SECRET = "integration-test-gateway-secret-0123456789"
STAFF = Actor("staff", None, "127.0.0.1")


@dataclass
class Rig:
    c: Container
    gateway: Gateway
    browser: httpx.AsyncClient  # talks to the gateway's pages
    service: httpx.AsyncClient  # talks to the service (as the gateway does)

    async def checkout(self, subscriber_id: int, amount: str, bill_id: int | None = None) -> tuple[str, str]:
        view = await self.c.payments.start(subscriber_id, amount, bill_id)
        return view.id, view.redirect_url

    async def press(self, redirect_url: str, action: str = "pay") -> httpx.Response:
        """Open the hosted pay page and press pay (or cancel); returns the redirect back."""
        page = await self.browser.get(redirect_url)
        assert page.status_code == 200, page.text
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text))
        return await self.browser.post("/pay/confirm", data={**fields, "action": action})

    def notice(self, intent_id: str) -> dict[str, str]:
        trade = self.gateway.store.get(MERCHANT, intent_id)
        assert trade is not None
        return self.gateway.notification(trade)

    async def send(self, payload: dict[str, str]) -> httpx.Response:
        return await self.service.post("/api/v1/payments/gateway/notify", data=payload)


@pytest.fixture
async def rig(container: Container, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Rig]:
    service_app = create_app(container, manage_lifecycle=False)
    service_transport = httpx.ASGITransport(app=service_app)
    gateway = Gateway(
        GatewayConfig(
            merchants={MERCHANT: SECRET},
            db_path=tmp_path / "gateway.sqlite3",
            clock=clock,
            notify_transport=service_transport,
        )
    )
    gateway_transport = httpx.ASGITransport(app=gateway.app(run_notifier=False))
    container.payments.gateway = BuiltinGatewayClient("http://gateway", MERCHANT, SECRET, transport=gateway_transport)
    async with (
        httpx.AsyncClient(transport=gateway_transport, base_url="http://gateway") as browser,
        httpx.AsyncClient(transport=service_transport, base_url="http://service") as service,
    ):
        yield Rig(container, gateway, browser, service)
    gateway.store.close()


async def count(c: Container, model: Any, *where: Any) -> int:
    async with c.deps.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def outcomes(c: Container, intent_id: str) -> list[str]:
    async with c.deps.uow() as uow:
        rows = await uow.session.scalars(
            select(GatewayNotification.outcome)
            .where(GatewayNotification.intent_id == intent_id)
            .order_by(GatewayNotification.id)
        )
        return list(rows)


async def balance(c: Container, subscriber_id: int) -> Money:
    async with c.deps.uow() as uow:
        return await ledger.balance(uow, subscriber_id)


async def intent_state(c: Container, intent_id: str) -> str:
    async with c.deps.uow() as uow:
        row = await uow.session.get(PaymentIntent, intent_id)
        assert row is not None
        return row.state


async def test_pay_through_the_gateway_settles_once_and_duplicates_change_nothing(rig: Rig) -> None:
    c = rig.c
    sub = await subscriber(c)
    intent_id, url = await rig.checkout(sub.id, "58.20")
    assert url.startswith("http://gateway/pay?") and await intent_state(c, intent_id) == "pending"

    back = await rig.press(url)
    assert back.status_code == 303
    assert back.headers["location"] == f"{c.deps.public_url}/payments?intent={intent_id}"
    assert await intent_state(c, intent_id) == "pending"  # nothing until the notification arrives
    assert await rig.gateway.deliver_due() == 1  # acknowledged with "success"
    assert await intent_state(c, intent_id) == "paid"
    assert await balance(c, sub.id) == Money(-5820)  # no debt yet: it stays as credit
    key = LedgerTransaction.idempotency_key == f"pay:gw:{intent_id}"
    assert await count(c, LedgerTransaction, key) == 1
    assert await count(c, Payment, Payment.intent_id == intent_id) == 1
    assert await count(c, AccountEvent, AccountEvent.kind == "payment_received") == 1
    assert await count(c, Notification, Notification.kind == "payment_received") == 1

    # the same notification again (a gateway retry), and a late one after that: nothing changes
    for _ in range(2):
        r = await rig.send(rig.notice(intent_id))
        assert r.status_code == 200 and r.text == "success"
    assert await count(c, LedgerTransaction, key) == 1
    assert await count(c, Payment) == 1
    assert await balance(c, sub.id) == Money(-5820)
    assert await outcomes(c, intent_id) == ["applied", "duplicate", "duplicate"]
    assert await rig.gateway.deliver_due() == 0  # the gateway has nothing left to send
    await assert_ledger_invariants(c)

    mine = await c.payments.mine(sub.id)
    assert mine.credit == "58.20" and mine.owed == "0.00"
    assert [i.state for i in mine.intents] == ["paid"] and mine.payments[0].method == "gateway"


async def test_out_of_order_and_mismatched_notifications_change_nothing(rig: Rig) -> None:
    c = rig.c
    sub = await subscriber(c)
    paid_id, url = await rig.checkout(sub.id, "10")
    await rig.press(url)
    await rig.gateway.deliver_due()
    # a "closed" for a paid intent (out of order) is ignored
    r = await rig.send(signed({**rig.notice(paid_id), "status": "closed", "notify_id": "n_x"}, SECRET))
    assert r.text == "success"
    assert await intent_state(c, paid_id) == "paid"

    # cancelled at the gateway: the intent is cancelled; the same "closed" again changes nothing
    # (a "paid" arriving afterwards is money received: test_a_late_confirmation_is_credited_once)
    closed_id, url = await rig.checkout(sub.id, "20")
    await rig.press(url, "cancel")
    await rig.gateway.deliver_due()
    assert await intent_state(c, closed_id) == "cancelled"
    await rig.send(rig.notice(closed_id))
    assert await intent_state(c, closed_id) == "cancelled"

    # an amount or merchant that does not match the intent changes nothing
    odd_id, url = await rig.checkout(sub.id, "30")
    page = await rig.browser.get(url)
    assert page.status_code == 200
    base = {
        "merchant_id": MERCHANT,
        "out_trade_no": odd_id,
        "trade_no": "T-odd",
        "amount_fen": "1",
        "status": "paid",
        "paid_at": "",
        "notify_id": "n_odd",
    }
    await rig.send(signed(base, SECRET))
    await rig.send(signed({**base, "amount_fen": "3000", "merchant_id": "someone-else"}, SECRET))
    await rig.send(signed({**base, "out_trade_no": "pi_nobody", "amount_fen": "3000"}, SECRET))
    assert await intent_state(c, odd_id) == "pending"

    assert await outcomes(c, paid_id) == ["applied", "ignored"]
    assert await outcomes(c, closed_id) == ["closed", "ignored"]
    assert await outcomes(c, odd_id) == ["amount_mismatch", "merchant_mismatch"]
    assert await outcomes(c, "pi_nobody") == ["unknown_intent"]
    assert await count(c, Payment) == 1
    assert await balance(c, sub.id) == Money(-1000)
    await assert_ledger_invariants(c)


async def test_a_bad_signature_is_refused_logged_and_changes_nothing(rig: Rig) -> None:
    c = rig.c
    sub = await subscriber(c)
    intent_id, url = await rig.checkout(sub.id, "12.34")
    await rig.press(url)
    good = rig.notice(intent_id)
    with capture_logs() as logs:
        r1 = await rig.send({**good, "amount_fen": "999999"})  # tampered
        r2 = await rig.send({**good, "sign": "0" * 64})
        r3 = await rig.send(signed(good, "not-the-merchant-secret-000000000000000"))
        r4 = await rig.service.post("/api/v1/payments/gateway/notify", content=b"garbage")
    assert [r.status_code for r in (r1, r2, r3, r4)] == [400, 400, 400, 400]
    assert r1.text == "fail"
    warnings = [e for e in logs if e["log_level"] == "warning" and "bad signature" in e["event"]]
    assert len(warnings) == 4
    assert await intent_state(c, intent_id) == "pending"
    assert await count(c, Payment) == 0 and await balance(c, sub.id) == Money.zero()
    async with c.deps.uow() as uow:
        rows = list(await uow.session.scalars(select(GatewayNotification).order_by(GatewayNotification.id)))
    assert [(r.outcome, r.signature_ok) for r in rows] == [("bad_signature", False)] * 4
    assert rows[0].payload["amount_fen"] == "999999"  # kept as received
    # the genuine one still works afterwards
    assert await rig.gateway.deliver_due() == 1
    assert await intent_state(c, intent_id) == "paid"


async def test_two_concurrent_notifications_give_one_ledger_entry(rig: Rig) -> None:
    c = rig.c
    sub = await subscriber(c)
    intent_id, url = await rig.checkout(sub.id, "88.80")
    await rig.press(url)
    payload = rig.notice(intent_id)
    results = await asyncio.gather(*(c.payments.handle_notification(payload) for _ in range(4)))
    assert results == [True] * 4
    assert await count(c, LedgerTransaction, LedgerTransaction.idempotency_key == f"pay:gw:{intent_id}") == 1
    assert await count(c, Payment) == 1
    assert await count(c, AccountEvent, AccountEvent.kind == "payment_received") == 1
    assert sorted(await outcomes(c, intent_id)) == ["applied", "duplicate", "duplicate", "duplicate"]
    assert await balance(c, sub.id) == Money(-8880)
    await assert_ledger_invariants(c)


async def test_a_lost_notification_is_settled_by_reconciliation(rig: Rig, clock: FakeClock) -> None:
    c = rig.c
    sub = await subscriber(c)
    lost_id, url = await rig.checkout(sub.id, "40")
    await rig.press(url)  # paid at the gateway; its notification never arrives
    cancelled_id, url2 = await rig.checkout(sub.id, "15")
    await rig.press(url2, "cancel")
    waiting_id, _ = await rig.checkout(sub.id, "5")  # the page was never opened
    unheard_id, _ = await rig.checkout(sub.id, "6")

    too_early = await c.payments.reconcile()
    assert too_early["checked"] == 0  # younger than policy.payment_reconcile_minutes (10)
    clock.advance(timedelta(minutes=11))
    counts = await c.payments.reconcile()
    assert counts["applied"] == 1 and counts["cancelled"] == 1 and counts["pending"] == 2
    assert await intent_state(c, lost_id) == "paid"
    assert await intent_state(c, cancelled_id) == "cancelled"
    assert await intent_state(c, waiting_id) == "pending"
    assert await balance(c, sub.id) == Money(-4000)
    assert await outcomes(c, lost_id) == ["reconciled_applied"]

    # the notification turns up late after all: nothing changes
    assert await rig.gateway.deliver_due() == 2
    assert await outcomes(c, lost_id) == ["reconciled_applied", "duplicate"]
    assert await count(c, Payment) == 1 and await balance(c, sub.id) == Money(-4000)

    # reconciling again is harmless; a day later the intents the gateway never heard of fail
    assert (await c.payments.reconcile())["applied"] == 0
    clock.advance(timedelta(days=1))
    counts = await c.payments.reconcile()
    assert counts["failed"] == 2
    assert await intent_state(c, waiting_id) == "failed" and await intent_state(c, unheard_id) == "failed"
    await assert_ledger_invariants(c)


async def test_reconciliation_survives_an_unreachable_gateway(container: Container, clock: FakeClock) -> None:
    c = container

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    c.payments.gateway = BuiltinGatewayClient("http://gateway", MERCHANT, SECRET, transport=httpx.MockTransport(refuse))
    sub = await subscriber(c)
    intent = await c.payments.start(sub.id, "9.99")
    clock.advance(timedelta(days=2))
    counts = await c.payments.reconcile()
    assert counts == {"checked": 1, "applied": 0, "cancelled": 0, "failed": 0, "pending": 0, "errors": 1}
    assert await intent_state(c, intent.id) == "pending"  # not failed while the gateway cannot answer


async def test_counter_payments_with_unique_receipts(container: Container) -> None:
    c = container
    sub, other = await subscriber(c), await subscriber(c)
    first = await c.payments.record_counter(
        STAFF, sub.id, amount_yuan="100", method="cash", receipt_no="R-0001", note="营业厅"
    )
    assert first.balance == "-100.00" and first.method == "cash"
    again = await c.payments.record_counter(STAFF, sub.id, amount_yuan="100.00", method="cash", receipt_no="R-0001")
    assert again.id == first.id
    for kwargs in (
        {"subscriber_id": sub.id, "amount_yuan": "99", "method": "cash"},
        {"subscriber_id": sub.id, "amount_yuan": "100", "method": "bank_transfer"},
        {"subscriber_id": other.id, "amount_yuan": "100", "method": "cash"},
    ):
        sub_id = kwargs.pop("subscriber_id")
        with pytest.raises(ValidationFailed) as err:
            await c.payments.record_counter(STAFF, sub_id, receipt_no="R-0001", **kwargs)  # type: ignore[arg-type]
        assert err.value.errors[0].code == "receipt_no_taken"
    with pytest.raises(ValidationFailed) as err:
        await c.payments.record_counter(
            STAFF, sub.id, amount_yuan="0", method="cheque", receipt_no=" ", received_at="2099-01-01T00:00"
        )
    assert {(e.field, e.code) for e in err.value.errors} == {
        ("amount_yuan", "amount_zero"),
        ("method", "invalid_choice"),
        ("receipt_no", "required"),
        ("received_at", "payment_received_at_future"),
    }
    transfer = await c.payments.record_counter(
        STAFF, sub.id, amount_yuan="20.5", method="bank_transfer", receipt_no="BT-9", received_at="2026-10-31T09:30"
    )
    assert transfer.received_at.astimezone(c.deps.operator_tz).hour == 9  # typed in the operator's local time
    assert await count(c, Payment) == 2
    assert await count(c, LedgerTransaction, LedgerTransaction.kind == "payment") == 2
    assert await count(c, AuditRecord, AuditRecord.action == "payment.counter") == 2
    assert await balance(c, sub.id) == Money(-12050)
    await assert_ledger_invariants(c)


async def test_refunds_are_limited_to_the_credit_held(container: Container) -> None:
    c = container
    sub = await subscriber(c)
    with pytest.raises(ValidationFailed) as err:
        await c.payments.refund(STAFF, sub.id, amount_yuan="1", method="cash", reason="多缴")
    assert err.value.errors[0].code == "refund_no_credit"
    await c.payments.record_counter(STAFF, sub.id, amount_yuan="50", method="cash", receipt_no="R-77")
    with pytest.raises(ValidationFailed) as err:
        await c.payments.refund(STAFF, sub.id, amount_yuan="50.01", method="cash", reason="多缴")
    assert err.value.errors[0].code == "refund_exceeds_credit" and err.value.errors[0].params["max"] == "50.00"
    with pytest.raises(ValidationFailed) as err:
        await c.payments.refund(STAFF, sub.id, amount_yuan="5", method="gift", reason="")
    assert {e.code for e in err.value.errors} == {"invalid_choice", "required"}

    refund = await c.payments.refund(STAFF, sub.id, amount_yuan="30", method="bank_transfer", reason="多缴退回")
    assert refund.balance == "-20.00"
    await c.payments.refund(STAFF, sub.id, amount_yuan="20", method="cash", reason="余额退清")
    assert await balance(c, sub.id) == Money.zero()
    with pytest.raises(ValidationFailed):
        await c.payments.refund(STAFF, sub.id, amount_yuan="0.01", method="cash", reason="再退")
    assert await count(c, Refund) == 2
    assert await count(c, AccountEvent, AccountEvent.kind == "refund_issued") == 2
    assert await count(c, Notification, Notification.kind == "refund_issued") == 2
    assert await count(c, AuditRecord, AuditRecord.action == "payment.refund") == 2
    await assert_ledger_invariants(c)


async def test_concurrent_refunds_cannot_spend_the_credit_twice(container: Container) -> None:
    c = container
    sub = await subscriber(c)
    await c.payments.record_counter(STAFF, sub.id, amount_yuan="10", method="cash", receipt_no="R-conc")
    results = await asyncio.gather(
        *(c.payments.refund(STAFF, sub.id, amount_yuan="10", method="cash", reason="退款") for _ in range(3)),
        return_exceptions=True,
    )
    assert sum(1 for r in results if not isinstance(r, BaseException)) == 1
    assert all(isinstance(r, ValidationFailed) for r in results if isinstance(r, BaseException))
    assert await balance(c, sub.id) == Money.zero()


async def test_a_payment_settles_the_bill_and_the_overpayment_stays_as_credit(rig: Rig) -> None:
    c = rig.c
    sub = await subscriber(c)
    plan_id = await make_plan(c, rent_fen=3000, included=0)
    await insert(c, subscription(sub.id, plan_id, date(2026, 10, 1)))
    await c.billing.run("2026-10")
    bill = (await c.billing.bills(sub.id))[0]
    assert bill.total_due == "30.00"
    assert [(b.bill_id, b.paid) for b in (await c.payments.mine(sub.id)).bills] == [(bill.id, False)]

    _, url = await rig.checkout(sub.id, "20")  # part of it
    await rig.press(url)
    await rig.gateway.deliver_due()
    status = (await c.payments.mine(sub.id)).bills[0]
    assert (status.remaining, status.paid) == ("10.00", False)

    _, url = await rig.checkout(sub.id, "25", bill.id)  # the rest and 15 more
    await rig.press(url)
    await rig.gateway.deliver_due()
    mine = await c.payments.mine(sub.id)
    assert (mine.bills[0].remaining, mine.bills[0].paid) == ("0.00", True)
    assert mine.balance == "-15.00" and mine.credit == "15.00"
    with pytest.raises(ValidationFailed) as err:
        await c.payments.start(sub.id, "1", bill.id + 999)
    assert err.value.errors[0].code == "payment_bill_unknown"
    async with c.deps.uow() as uow:  # (the payments are not on a bill yet: the next bill shows them)
        assert await ledger.unbalanced_transactions(uow) == []
        assert await ledger.trial_balance(uow) == Money.zero()


async def test_payment_restores_an_arrears_suspension(rig: Rig) -> None:
    c = rig.c
    sub = await subscriber(c)
    async with c.deps.uow() as uow:
        await restrictions.impose(uow, c.deps.clock.now(), sub.id, "arrears", "all", actor=Actor.system())
        await uow.commit()
    async with c.deps.uow() as uow:
        row = await uow.session.get(Subscriber, sub.id)
        assert row is not None and row.service_reason == "arrears"
    _, url = await rig.checkout(sub.id, "1")  # nothing is overdue any more once paid
    await rig.press(url)
    await rig.gateway.deliver_due()
    async with c.deps.uow() as uow:
        assert not await restrictions.has_open(uow, sub.id, "arrears")
        row = await uow.session.get(Subscriber, sub.id)
        assert row is not None and row.service_state == "active"


def paid(intent_id: str, amount_fen: int, trade_no: str) -> dict[str, str]:
    """What the gateway posts when it confirms ``intent_id`` paid under ``trade_no``."""
    body = {
        "merchant_id": MERCHANT,
        "out_trade_no": intent_id,
        "trade_no": trade_no,
        "amount_fen": str(amount_fen),
        "status": "paid",
        "paid_at": "2026-11-01T03:00:00+00:00",
        "notify_id": f"n-{trade_no}",
    }
    return signed(body, SECRET)


async def test_a_late_confirmation_is_credited_once_and_shown_to_staff(rig: Rig, clock: FakeClock) -> None:
    """Money the gateway confirms after the intent was closed — cancelled, given up as failed, or
    paid already under another trade number — is credited like any gateway payment: oldest debt
    first, the arrears suspension lifted, once per trade number, audited and listed for staff."""
    c = rig.c
    sub = await subscriber(c)
    plan_id = await make_plan(c, rent_fen=3000, included=0)
    await insert(c, subscription(sub.id, plan_id, date(2026, 10, 1)))
    await c.billing.run("2026-10")
    bill = (await c.billing.bills(sub.id))[0]
    assert bill.total_due == "30.00"
    async with c.deps.uow() as uow:
        await restrictions.impose(uow, c.deps.clock.now(), sub.id, "arrears", "all", actor=Actor.system())
        await uow.commit()

    # 1. cancelled at the gateway, then confirmed paid after all
    cancelled_id, url = await rig.checkout(sub.id, "30", bill.id)
    await rig.press(url, "cancel")
    assert await rig.gateway.deliver_due() == 1
    assert await intent_state(c, cancelled_id) == "cancelled"
    r = await rig.send(paid(cancelled_id, 3000, "T-late-1"))
    assert r.status_code == 200 and r.text == "success"
    assert await intent_state(c, cancelled_id) == "paid"
    assert await balance(c, sub.id) == Money.zero()
    mine = await c.payments.mine(sub.id)
    assert [(b.bill_id, b.paid) for b in mine.bills] == [(bill.id, True)]  # the oldest debt settled
    async with c.deps.uow() as uow:
        assert not await restrictions.has_open(uow, sub.id, "arrears")  # the after-payment hooks ran
        row = await uow.session.get(Subscriber, sub.id)
        assert row is not None and row.service_state == "active"
    for _ in range(2):  # the gateway retries: nothing twice
        assert (await rig.send(paid(cancelled_id, 3000, "T-late-1"))).text == "success"
    assert await outcomes(c, cancelled_id) == ["closed", "late_credit", "duplicate", "duplicate"]

    # 2. given up as failed (the gateway had not heard of it for a day), then confirmed
    expired_id, _ = await rig.checkout(sub.id, "12")
    clock.advance(timedelta(days=1, minutes=11))
    assert (await c.payments.reconcile())["failed"] == 1
    assert await intent_state(c, expired_id) == "failed"
    r = await rig.send(paid(expired_id, 1200, "T-late-2"))
    assert r.text == "success" and await intent_state(c, expired_id) == "paid"

    # 3. paid twice: a second trade for an intent paid already is a second payment
    r = await rig.send(paid(cancelled_id, 3000, "T-double-3"))
    assert r.text == "success"
    assert (await rig.send(paid(cancelled_id, 3000, "T-double-3"))).text == "success"
    assert (await rig.send(paid(cancelled_id, 3000, "T-late-1"))).text == "success"
    assert await outcomes(c, cancelled_id) == [
        "closed", "late_credit", "duplicate", "duplicate", "double_credit", "duplicate", "duplicate",
    ]  # fmt: skip
    assert await balance(c, sub.id) == Money(-4200)  # 12 + 30 of credit
    assert await count(c, Payment) == 3
    assert await count(c, AccountEvent, AccountEvent.kind == "payment_received") == 3
    assert await count(c, Notification, Notification.kind == "payment_received") == 3
    actions = AuditRecord.action.in_(
        ["payment.late_after_cancel", "payment.late_after_expiry", "payment.double_payment"]
    )
    assert await count(c, AuditRecord, actions) == 3
    async with c.deps.uow() as uow:
        audited = await uow.session.scalar(select(AuditRecord).where(AuditRecord.action == "payment.double_payment"))
    assert audited is not None and audited.actor_type == "system"
    assert audited.details["intent_state_before"] == "paid" and audited.details["trade_no"] == "T-double-3"

    console = await c.payments.console()
    late = console["late_confirmations"]
    assert [(p["arrival"], p["gateway_trade_no"], p["amount"], p["late"]) for p in late] == [
        ("double_payment", "T-double-3", "30.00", True),
        ("late_after_expiry", "T-late-2", "12.00", True),
        ("late_after_cancel", "T-late-1", "30.00", True),
    ]
    assert {p["subscriber_number"] for p in late} == {sub.number}
    assert {(p["arrival"], p["late"]) for p in console["payments"]} == {(p["arrival"], True) for p in late}
    async with c.deps.uow() as uow:  # (the payments are not on a bill yet: the next bill shows them)
        assert await ledger.unbalanced_transactions(uow) == []
        assert await ledger.trial_balance(uow) == Money.zero()


@pytest.mark.parametrize("case", ["cancelled", "paid_twice"])
async def test_concurrent_identical_late_notifications_credit_once(rig: Rig, case: str) -> None:
    c = rig.c
    sub = await subscriber(c)
    intent_id, url = await rig.checkout(sub.id, "7.50")
    await rig.press(url, "cancel" if case == "cancelled" else "pay")
    await rig.gateway.deliver_due()
    expected = "late_credit" if case == "cancelled" else "double_credit"
    payload = paid(intent_id, 750, "T-race")
    results = await asyncio.gather(*(c.payments.handle_notification(payload) for _ in range(10)))
    assert results == [True] * 10
    late = await outcomes(c, intent_id)
    assert sorted(late[1:]) == sorted([expected] + ["duplicate"] * 9)
    assert await count(c, Payment, Payment.gateway_trade_no == "T-race") == 1
    assert await count(c, Payment) == (1 if case == "cancelled" else 2)
    assert await balance(c, sub.id) == Money(-750 if case == "cancelled" else -1500)
    assert await count(c, AccountEvent, AccountEvent.kind == "payment_received") == (1 if case == "cancelled" else 2)
    await assert_ledger_invariants(c)

"""Billing disputes (R-25) on SQLite and PostgreSQL: filing about a bill or one call, the staff queue
and the evidence, deciding once (a credit that the next bill shows, or a rejection with reasons), the
audit trail, account history and notifications, and concurrent filings and decisions."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.integration.test_billing import (
    assert_ledger_invariants,
    call_record,
    insert,
    make_plan,
    subscriber,
    subscription,
)
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import (
    AccountEvent,
    AuditRecord,
    CallQualitySample,
    Dispute,
    LedgerLine,
    LedgerTransaction,
    Notification,
    OutboxMessage,
)
from videophone.billing.services import ledger
from videophone.bootstrap import Container
from videophone.collections.services.debts import account_debts
from videophone.common.deps import Actor
from videophone.identity.services.subscribers import AccountView
from videophone.kernel.errors import Conflict, InvalidState, NotFound, ValidationFailed
from videophone.kernel.money import Money

OCT_10 = datetime(2026, 10, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
STAFF = Actor("staff", None, "10.0.0.9")


async def billed_october(c: Container) -> tuple[AccountView, AccountView, int, list[str]]:
    """Alice on a plan without included minutes (0.50/min): three calls in October, billed.
    Returns alice, bob, the October bill id and the call ids (charges 1.50, 2.50, 0.50)."""
    plan_id = await make_plan(c, rent_fen=3000, included=0, rate="0.50")
    alice, bob = await subscriber(c), await subscriber(c)
    calls = [
        call_record(alice, bob, OCT_10, 150),  # 3 min → 1.50
        call_record(alice, bob, OCT_10 + timedelta(hours=1), 290),  # 5 min → 2.50
        call_record(alice, bob, OCT_10 + timedelta(hours=2), 20),  # 1 min → 0.50
        call_record(bob, alice, OCT_10 + timedelta(hours=3), 60),  # bob's call: not on alice's bill
    ]
    await insert(c, subscription(alice.id, plan_id, date(2026, 9, 1)), *calls)
    now = calls[0].started_at + timedelta(seconds=160)
    await insert(
        c,
        *(
            CallQualitySample(
                call_id=calls[0].id,
                subscriber_id=who,
                at=now,
                final=True,
                rtt_ms=rtt,
                packet_loss_pct=loss,
                frames_per_second=24.0,
            )
            for who, rtt, loss in ((alice.id, 420.0, 9.5), (bob.id, 80.0, 0.5))
        ),
    )
    await c.billing.run("2026-10")
    bill = (await c.billing.bills(alice.id))[0]
    return alice, bob, bill.id, [call.id for call in calls]


async def rows(c: Container, model: Any, *where: Any) -> list[Any]:
    async with c.deps.uow() as uow:
        return list(await uow.session.scalars(select(model).where(*where)))


async def test_dispute_a_call_resolve_with_a_credit_and_see_it_on_the_next_bill(
    container: Container, clock: FakeClock
) -> None:
    c = container
    alice, bob, bill_id, (first, second, third, _) = await billed_october(c)

    disputable = await c.disputes.disputable(alice.id, bill_id)
    assert disputable.new_charges == "34.50"  # 30.00 rent + 4.50 calls
    assert [(x.call_id, x.amount) for x in disputable.calls] == [(first, "1.50"), (second, "2.50"), (third, "0.50")]
    with pytest.raises(NotFound):
        await c.disputes.disputable(bob.id, bill_id)

    opened_at = clock.now()
    view = await c.disputes.open(Actor("subscriber", alice.id), alice.id, bill_id, call_id=first, reason="通话质量极差")
    assert (view.state, view.amount, view.call_number, view.overdue) == ("open", "1.50", bob.number, False)
    assert view.due_at == opened_at + timedelta(days=15)  # policy: dispute_response_days = 15
    (row,) = await rows(c, Dispute, Dispute.id == view.id)
    assert (row.bill_id, row.call_id, row.amount_fen, row.state, row.resolved_at) == (bill_id, first, 150, "open", None)

    # One open dispute per (bill, call); the bill as a whole and another call may still be disputed.
    with pytest.raises(Conflict) as err:
        await c.disputes.open(Actor("subscriber", alice.id), alice.id, bill_id, call_id=first, reason="again")
    assert err.value.code == "dispute_already_open" and err.value.params == {"dispute_id": view.id}
    whole = await c.disputes.open(
        Actor("subscriber", alice.id), alice.id, bill_id, amount_yuan="10", reason="月租不应全额收取"
    )
    assert (whole.amount, whole.call_id) == ("10.00", None)
    assert (await c.disputes.disputable(alice.id, bill_id)).open_dispute_id == whole.id

    # Acknowledged: audit, account history, in-app notification and its email, with the deadline.
    (audit_row,) = await rows(
        c, AuditRecord, AuditRecord.action == "dispute.open", AuditRecord.subject_id == str(view.id)
    )
    assert audit_row.actor_type == "subscriber" and audit_row.details["call_id"] == first
    events = await rows(c, AccountEvent, AccountEvent.subscriber_id == alice.id, AccountEvent.kind == "dispute_opened")
    assert {e.params["dispute_id"]: e.params["amount"] for e in events} == {view.id: "1.50", whole.id: "10.00"}
    notes = await rows(c, Notification, Notification.subscriber_id == alice.id, Notification.kind == "dispute_opened")
    assert notes[0].params["due_date"] == "2026-11-16" and notes[0].params["bill_number"].startswith("B202610")
    mails = await rows(c, OutboxMessage, OutboxMessage.notification_id == notes[0].id)
    assert len(mails) == 1 and "2026-11-16" in mails[0].body and mails[0].recipient == alice.email

    # Staff: the queue (open first, nearest deadline first) and the evidence.
    total, counts, items = await c.disputes.queue()
    assert total == 2 and counts == {"open": 2, "overdue": 0}
    assert [i.id for i in items] == [view.id, whole.id]
    assert items[0].subscriber_number == alice.number
    detail = await c.disputes.detail(view.id, STAFF)
    assert detail.bill.id == bill_id and [line.kind for line in detail.bill.lines] == ["rent", "usage"]
    (evidence,) = detail.calls
    assert (evidence.id, evidence.billable_seconds, evidence.outcome, evidence.end_reason, evidence.node_id) == (
        first,
        150,
        "answered",
        "hangup",
        "node-a",
    )
    assert (evidence.rated_seconds, evidence.charged_seconds, evidence.charge) == (180, 180, "1.50")
    assert evidence.quality_caller.summary.rtt_avg_ms == 420.0 and evidence.quality_caller.assessment != "good"
    assert evidence.quality_callee.summary.loss_avg_pct == 0.5
    assert sorted(s.side for s in evidence.samples) == ["callee", "caller"]
    assert len(await rows(c, AuditRecord, AuditRecord.action == "dispute.view")) == 1
    whole_detail = await c.disputes.detail(whole.id)
    assert [x.id for x in whole_detail.calls] == [first, second, third]  # every call rated on the bill

    # Decide: a credit larger than the disputed amount is refused, then 1.20 is credited.
    with pytest.raises(ValidationFailed) as verr:
        await c.disputes.adjust(STAFF, view.id, "1.51", "核实")
    assert verr.value.errors[0].code == "dispute_credit_too_high"
    clock.advance(timedelta(days=2))
    decided = await c.disputes.adjust(STAFF, view.id, "1.20", "网络质量数据显示丢包严重，减免通话费")
    assert (decided.dispute.state, decided.dispute.credit, decided.dispute.resolution) == (
        "adjusted",
        "1.20",
        "网络质量数据显示丢包严重，减免通话费",
    )
    assert decided.transaction_id is not None
    with pytest.raises(InvalidState) as ierr:
        await c.disputes.adjust(STAFF, view.id, "0.30", "again")
    assert ierr.value.code == "dispute_already_decided"
    with pytest.raises(InvalidState):
        await c.disputes.reject(STAFF, view.id, "again")
    (tx,) = await rows(c, LedgerTransaction, LedgerTransaction.idempotency_key == f"dispute:{view.id}")
    assert tx.kind == "credit" and tx.id == decided.transaction_id and tx.bill_id is None
    lines = {(line.account, line.amount_fen) for line in await rows(c, LedgerLine, LedgerLine.transaction_id == tx.id)}
    assert lines == {(ledger.RECEIVABLE, -120), (ledger.ADJUSTMENT, 120)}
    async with c.deps.uow() as uow:
        assert await ledger.balance(uow, alice.id) == Money(3450 - 120)
    assert [e.params for e in await rows(c, AccountEvent, AccountEvent.kind == "dispute_adjusted")] == [
        {"dispute_id": view.id, "credit": "1.20"}
    ]
    (note,) = await rows(c, Notification, Notification.kind == "dispute_adjusted")
    assert note.subscriber_id == alice.id and note.params["credit"] == "1.20"
    (adjust_audit,) = await rows(c, AuditRecord, AuditRecord.action == "dispute.adjust")
    assert adjust_audit.ip == "10.0.0.9" and adjust_audit.details["transaction_id"] == tx.id

    # The November bill shows the credit as a line of its own.
    clock.set(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
    await c.billing.run("2026-11")
    nov = next(b for b in await c.billing.bills(alice.id) if b.period == "2026-11")
    nov_detail = await c.billing.bill(alice.id, nov.id)
    credits = [(line.description, line.amount) for line in nov_detail.lines if line.kind == "credit"]
    assert credits == [(f"减免 · 费用争议 #{view.id}", "-1.20")]
    assert nov_detail.total_due == "63.30"  # 34.50 + 30.00 rent − 1.20
    await assert_ledger_invariants(c)
    mine = await c.disputes.mine(alice.id)
    assert [(d.id, d.state, d.credit) for d in mine] == [(whole.id, "open", "0.00"), (view.id, "adjusted", "1.20")]
    assert mine[0].overdue  # opened Nov 1, due Nov 16, now Dec 2


async def test_reject_with_an_explanation_the_subscriber_sees(container: Container, clock: FakeClock) -> None:
    c = container
    alice, _, bill_id, (_, second, _, _) = await billed_october(c)
    view = await c.disputes.open(
        Actor("subscriber", alice.id), alice.id, bill_id, call_id=second, amount_yuan="1", reason="没打这么久"
    )
    for bad in ("", "   ", None):
        with pytest.raises(ValidationFailed) as err:
            await c.disputes.reject(STAFF, view.id, bad)
        assert err.value.errors[0].code == "required"
    decided = await c.disputes.reject(STAFF, view.id, "通话记录显示通话时长 290 秒，计费正确")
    assert (decided.dispute.state, decided.dispute.credit_fen, decided.transaction_id) == ("rejected", 0, None)
    (mine,) = await c.disputes.mine(alice.id)
    assert (mine.state, mine.resolution, mine.resolved_at) == (
        "rejected",
        "通话记录显示通话时长 290 秒，计费正确",
        clock.now(),
    )
    (note,) = await rows(c, Notification, Notification.kind == "dispute_rejected")
    assert "290" in note.params["explanation"]
    assert [e.params for e in await rows(c, AccountEvent, AccountEvent.kind == "dispute_rejected")] == [
        {"dispute_id": view.id}
    ]
    assert len(await rows(c, AuditRecord, AuditRecord.action == "dispute.reject")) == 1
    with pytest.raises(InvalidState):
        await c.disputes.adjust(STAFF, view.id, "1", "changed my mind")
    assert await rows(c, LedgerTransaction, LedgerTransaction.kind == "credit") == []
    # Decided, so the same call may be disputed again.
    again = await c.disputes.open(Actor("subscriber", alice.id), alice.id, bill_id, call_id=second, reason="仍有异议")
    assert again.amount == "2.50"


async def test_bad_filings_change_nothing(container: Container, clock: FakeClock) -> None:
    c = container
    alice, bob, bill_id, (first, _, _, bobs) = await billed_october(c)
    me = Actor("subscriber", alice.id)
    with pytest.raises(NotFound) as nf:
        await c.disputes.open(Actor("subscriber", bob.id), bob.id, bill_id, reason="not my bill")
    assert nf.value.code == "dispute_bill_not_found"
    with pytest.raises(NotFound):
        await c.disputes.open(me, alice.id, 999999, reason="r")
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"call_id": bobs}, "call_id", "dispute_call_not_on_bill"),  # bob's call, charged to bob
        ({"call_id": "no-such-call"}, "call_id", "dispute_call_not_on_bill"),
        ({"call_id": first, "amount_yuan": "1.51"}, "amount_yuan", "dispute_amount_too_high"),
        ({"call_id": first, "amount_yuan": "0"}, "amount_yuan", "dispute_amount_not_positive"),
        ({"amount_yuan": "34.51"}, "amount_yuan", "dispute_amount_too_high"),
        ({"call_id": first, "reason": ""}, "reason", "required"),
        ({"reason": "x" * 1001}, "reason", "too_long"),
    ]
    for kwargs, field, code in cases:
        args: dict[str, Any] = {"reason": "有异议", **kwargs}
        with pytest.raises(ValidationFailed) as err:
            await c.disputes.open(me, alice.id, bill_id, **args)
        assert (err.value.errors[0].field, err.value.errors[0].code) == (field, code), kwargs
    assert await rows(c, Dispute) == []
    assert await rows(c, Notification, Notification.kind != "bill_issued") == []  # the bill run's only
    with pytest.raises(NotFound):
        await c.disputes.detail(12345)
    with pytest.raises(NotFound):
        await c.disputes.adjust(STAFF, 12345, "1", "x")
    with pytest.raises(ValidationFailed):
        await c.disputes.queue(state="lost")


async def test_overdue_disputes_stand_out_in_the_queue(container: Container, clock: FakeClock) -> None:
    c = container
    alice, _, bill_id, (first, second, third, _) = await billed_october(c)
    me = Actor("subscriber", alice.id)
    early = await c.disputes.open(me, alice.id, bill_id, call_id=first, reason="r1")
    clock.advance(timedelta(days=10))
    late = await c.disputes.open(me, alice.id, bill_id, call_id=second, reason="r2")
    decided = await c.disputes.open(me, alice.id, bill_id, call_id=third, reason="r3")
    await c.disputes.reject(STAFF, decided.id, "计费正确")
    clock.advance(timedelta(days=6))  # early: 16 days old (overdue); late: 6 days
    total, counts, items = await c.disputes.queue()
    assert counts == {"open": 2, "overdue": 1}
    assert [(i.id, i.overdue) for i in items] == [(early.id, True), (late.id, False), (decided.id, False)]
    total, _, items = await c.disputes.queue(state="overdue")
    assert total == 1 and items[0].id == early.id
    total, _, items = await c.disputes.queue(state="rejected")
    assert [i.id for i in items] == [decided.id]
    total, _, _ = await c.disputes.queue(number=alice.number[-6:])
    assert total == 3
    total, _, _ = await c.disputes.queue(number="99999999999")
    assert total == 0


async def test_concurrent_filings_and_decisions_happen_once(container: Container, clock: FakeClock) -> None:
    c = container
    alice, _, bill_id, (first, _, _, _) = await billed_october(c)
    me = Actor("subscriber", alice.id)
    results = await asyncio.gather(
        *(c.disputes.open(me, alice.id, bill_id, call_id=first, reason=f"r{i}") for i in range(4)),
        return_exceptions=True,
    )
    opened = [r for r in results if not isinstance(r, BaseException)]
    assert len(opened) == 1, results
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, BaseException))
    dispute_id = opened[0].id

    decisions = await asyncio.gather(
        c.disputes.adjust(STAFF, dispute_id, "1.50", "退还"),
        c.disputes.adjust(STAFF, dispute_id, "1.00", "退还"),
        c.disputes.reject(STAFF, dispute_id, "驳回"),
        return_exceptions=True,
    )
    done = [d for d in decisions if not isinstance(d, BaseException)]
    assert len(done) == 1, decisions
    assert all(isinstance(d, InvalidState) for d in decisions if isinstance(d, BaseException))
    credits = await rows(c, LedgerTransaction, LedgerTransaction.kind == "credit")
    assert len(credits) == (1 if done[0].dispute.state == "adjusted" else 0)
    assert len(await rows(c, AccountEvent, AccountEvent.kind.in_(("dispute_adjusted", "dispute_rejected")))) == 1
    async with c.deps.uow() as uow:
        assert await ledger.unbalanced_transactions(uow) == []
        assert await ledger.trial_balance(uow) == Money.zero()


async def test_an_open_disputed_amount_is_not_overdue_while_open(container: Container, clock: FakeClock) -> None:
    """The contract with late fees and arrears (services.debts reads the dispute rows): while open, the
    disputed amount is not overdue; a rejection makes it overdue again, a credit pays it."""
    c = container
    alice, _, bill_id, (first, _, _, _) = await billed_october(c)
    tz = c.deps.operator_tz
    clock.set(datetime(2026, 11, 20, 2, 0, tzinfo=UTC))  # the October bill was due on Nov 16
    today = clock.now().astimezone(tz).date()

    async def overdue() -> tuple[Money, Money]:
        async with c.deps.uow() as uow:
            debts = await account_debts(uow, alice.id, today, tz)
        return debts.overdue_principal, debts.disputed

    assert await overdue() == (Money(3450), Money(0))
    whole = await c.disputes.open(Actor("subscriber", alice.id), alice.id, bill_id, amount_yuan="10", reason="r")
    call = await c.disputes.open(Actor("subscriber", alice.id), alice.id, bill_id, call_id=first, reason="r")
    assert await overdue() == (Money(3450 - 1000 - 150), Money(1150))
    await c.disputes.reject(STAFF, whole.id, "计费正确")
    assert await overdue() == (Money(3450 - 150), Money(150))
    await c.disputes.adjust(STAFF, call.id, "1.50", "退还")
    assert await overdue() == (Money(3450 - 150), Money(0))

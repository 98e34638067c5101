"""Outage credits (R-27) on SQLite and PostgreSQL: a 30-hour outage credits exactly the prorated
service fees and the next bill shows it; a 23-hour one credits nothing; closing twice never credits
twice; listed accounts only; an interrupted crediting resumes; audit and notifications."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.integration.test_billing import (
    assert_ledger_invariants,
    insert,
    make_plan,
    make_vas,
    subscriber,
    subscription,
)
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import (
    AuditRecord,
    BillLine,
    LedgerTransaction,
    Notification,
    OutboxMessage,
    VasSubscription,
)
from videophone.adapters.db.models_outages import OutageCredit
from videophone.billing.services import ledger
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.kernel.errors import InvalidState, NotFound, ValidationFailed
from videophone.kernel.money import Money

STAFF = Actor("staff", None, "10.0.0.7")
# 6 June 2026 08:00 in Shanghai; June has 30 days.
JUNE_6 = datetime(2026, 6, 6, 0, 0, tzinfo=UTC)


async def balance(c: Container, sub_id: int) -> Money:
    async with c.deps.uow() as uow:
        return await ledger.balance(uow, sub_id)


async def test_a_30_hour_outage_credits_the_prorated_fees_and_the_next_bill_shows_it(
    container: Container, clock: FakeClock
) -> None:
    c = container
    clock.set(datetime(2026, 6, 20, tzinfo=UTC))
    plan_id = await make_plan(c, rent_fen=3000)
    vas_id = await make_vas(c, fee_fen=600)
    alice, bob = await subscriber(c), await subscriber(c)
    await insert(
        c,
        subscription(alice.id, plan_id, date(2026, 5, 1)),
        subscription(bob.id, plan_id, date(2026, 5, 1)),
        VasSubscription(subscriber_id=alice.id, vas_id=vas_id, start_date=date(2026, 5, 1)),
    )
    recorded = await c.outages.record(
        STAFF, title="机房断电", started_at=JUNE_6, scope="all", description="A 机房 UPS 故障", cause="operator"
    )
    assert recorded.outage.state == "open" and recorded.credits == []
    assert await balance(c, alice.id) == Money.zero()

    closed = await c.outages.close(STAFF, recorded.outage.id, JUNE_6 + timedelta(hours=30))
    # Alice: (3000 + 600) × 30 h / 720 h = 150; Bob: 3000 × 30 / 720 = 125.
    got = {cr.number: cr.amount_fen for cr in closed.credits}
    assert got == {alice.number: 150, bob.number: 125}
    assert closed.outage.qualifies and closed.outage.credited_accounts == 2
    assert closed.outage.credited_total_fen == 275 and closed.outage.credited_at is not None
    assert await balance(c, alice.id) == Money(-150)

    async with c.deps.uow() as uow:
        tx = await uow.session.scalar(
            select(LedgerTransaction).where(
                LedgerTransaction.idempotency_key == f"outage:{recorded.outage.id}:{alice.id}"
            )
        )
        assert tx is not None and tx.kind == "credit" and "机房断电" in tx.memo
        notes = list(await uow.session.scalars(select(Notification).where(Notification.kind == "outage_credit")))
        assert sorted(n.subscriber_id for n in notes) == sorted([alice.id, bob.id])
        assert {n.params["credit"] for n in notes} == {"1.5", "1.25"} or {n.params["credit"] for n in notes} == {
            "1.50",
            "1.25",
        }
        assert await uow.session.scalar(select(OutboxMessage.id).where(OutboxMessage.body.contains("机房断电")))
        actions = list(
            await uow.session.scalars(select(AuditRecord.action).where(AuditRecord.subject_type == "outage"))
        )
        assert sorted(actions) == ["outage.close", "outage.record"]

    # The June bill (run in July) shows the credit as a credit line.
    clock.set(datetime(2026, 7, 2, tzinfo=UTC))
    await c.billing.run("2026-06")
    bill = (await c.billing.bills(alice.id))[0]
    detail = await c.billing.bill(alice.id, bill.id)
    credit_lines = [line for line in detail.lines if line.kind == "credit"]
    assert [line.amount_fen for line in credit_lines] == [-150]
    assert "机房断电" in credit_lines[0].description
    assert detail.new_charges == "34.50"  # 30 rent + 6 VAS − 1.50
    await assert_ledger_invariants(c)


async def test_a_23_hour_outage_gives_nothing_and_closing_twice_credits_once(
    container: Container, clock: FakeClock
) -> None:
    c = container
    clock.set(datetime(2026, 6, 20, tzinfo=UTC))
    plan_id = await make_plan(c, rent_fen=3000)
    alice = await subscriber(c)
    await insert(c, subscription(alice.id, plan_id, date(2026, 5, 1)))

    short = await c.outages.record(
        STAFF, title="短时中断", started_at=JUNE_6, ended_at=JUNE_6 + timedelta(hours=23, minutes=59), cause="operator"
    )
    assert short.outage.state == "closed" and not short.outage.qualifies
    assert short.credits == [] and short.outage.credited_total_fen == 0
    assert await balance(c, alice.id) == Money.zero()

    long = await c.outages.record(STAFF, title="光缆被挖断", started_at=JUNE_6 + timedelta(days=2), cause="operator")
    end = JUNE_6 + timedelta(days=3, hours=6)  # 30 hours
    first = await c.outages.close(STAFF, long.outage.id, end)
    again = await c.outages.close(STAFF, long.outage.id, end)
    again_no_end = await c.outages.close(STAFF, long.outage.id, None)
    assert first.outage.credited_total_fen == again.outage.credited_total_fen == 125
    assert again_no_end.outage.credited_total_fen == 125
    assert await balance(c, alice.id) == Money(-125)
    with pytest.raises(InvalidState) as err:
        await c.outages.close(STAFF, long.outage.id, end + timedelta(hours=1))
    assert err.value.code == "outage_already_closed"
    # The job finds nothing left to credit.
    assert await c.outages.credit_pending() == {"outages": 0, "accounts_credited": 0}
    async with c.deps.uow() as uow:
        rows = list(await uow.session.scalars(select(OutageCredit)))
        assert [(r.subscriber_id, r.amount_fen) for r in rows] == [(alice.id, 125)]
        closes = list(await uow.session.scalars(select(AuditRecord).where(AuditRecord.action == "outage.close")))
        assert len(closes) == 1


async def test_listed_accounts_only_overlaps_not_twice_and_bad_input_changes_nothing(
    container: Container, clock: FakeClock
) -> None:
    c = container
    clock.set(datetime(2026, 6, 20, tzinfo=UTC))
    plan_id = await make_plan(c, rent_fen=3000)
    alice, bob = await subscriber(c), await subscriber(c)
    await insert(c, subscription(alice.id, plan_id, date(2026, 5, 1)), subscription(bob.id, plan_id, date(2026, 5, 1)))

    with pytest.raises(ValidationFailed) as err:
        await c.outages.record(
            STAFF, title="x", started_at=JUNE_6, scope="listed", numbers=[alice.number, "09999"], cause="operator"
        )
    assert err.value.errors[0].code == "outage_unknown_numbers"
    with pytest.raises(ValidationFailed):
        await c.outages.record(STAFF, title="", started_at=None)
    assert (await c.outages.listing())[0] == 0
    with pytest.raises(NotFound):
        await c.outages.close(STAFF, 999, JUNE_6)

    first = await c.outages.record(
        STAFF,
        title="片区故障",
        started_at=JUNE_6,
        ended_at=JUNE_6 + timedelta(hours=48),
        scope="listed",
        numbers=f"{alice.number}",
        cause="operator",
    )
    assert first.outage.affected_numbers == [alice.number]
    assert {cr.number: cr.amount_fen for cr in first.credits} == {alice.number: 200}
    assert await balance(c, bob.id) == Money.zero()
    # A wider incident overlapping the first by a day: Alice gets only the new day, Bob all three.
    second = await c.outages.record(
        STAFF,
        title="全网故障",
        started_at=JUNE_6 + timedelta(hours=24),
        ended_at=JUNE_6 + timedelta(hours=96),
        cause="operator",
    )
    assert {cr.number: cr.amount_fen for cr in second.credits} == {alice.number: 200, bob.number: 300}
    assert await balance(c, alice.id) == Money(-400)
    total, items = await c.outages.listing()
    assert total == 2 and [i.id for i in items] == [second.outage.id, first.outage.id]


async def test_an_interrupted_crediting_resumes_without_crediting_twice(container: Container, clock: FakeClock) -> None:
    c = container
    clock.set(datetime(2026, 6, 20, tzinfo=UTC))
    plan_id = await make_plan(c, rent_fen=3000)
    subs = [await subscriber(c) for _ in range(5)]
    await insert(c, *(subscription(s.id, plan_id, date(2026, 5, 1)) for s in subs))
    c.outages.chunk_size = 2
    calls = 0
    real = c.outages._credit_chunk

    async def dies_on_second_chunk(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("killed")
        return await real(*args, **kwargs)

    c.outages._credit_chunk = dies_on_second_chunk  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        await c.outages.record(
            STAFF, title="断电", started_at=JUNE_6, ended_at=JUNE_6 + timedelta(hours=30), cause="operator"
        )
    async with c.deps.uow() as uow:
        assert len(list(await uow.session.scalars(select(OutageCredit)))) == 2
    c.outages._credit_chunk = real  # type: ignore[method-assign]
    assert await c.outages.credit_pending() == {"outages": 1, "accounts_credited": 3}
    assert await c.outages.credit_pending() == {"outages": 0, "accounts_credited": 0}
    for s in subs:
        assert await balance(c, s.id) == Money(-125)
    async with c.deps.uow() as uow:
        assert len(list(await uow.session.scalars(select(Notification)))) == 5
    await assert_ledger_invariants(c)


async def test_a_30_hour_force_majeure_outage_credits_nothing_and_the_affected_are_told_why(
    container: Container, clock: FakeClock
) -> None:
    c = container
    clock.set(datetime(2026, 6, 20, tzinfo=UTC))
    plan_id = await make_plan(c, rent_fen=3000)
    alice, bob = await subscriber(c), await subscriber(c)
    await insert(c, subscription(alice.id, plan_id, date(2026, 5, 1)), subscription(bob.id, plan_id, date(2026, 5, 1)))
    with pytest.raises(ValidationFailed) as err:
        await c.outages.record(STAFF, title="台风", started_at=JUNE_6, cause="force_majeure", evidence=" ")
    assert [(e.field, e.code) for e in err.value.errors] == [("evidence", "outage_evidence_required")]

    storm = await c.outages.record(
        STAFF,
        title="台风“山竹”",
        started_at=JUNE_6,
        ended_at=JUNE_6 + timedelta(hours=30),
        cause="force_majeure",
        evidence="市气象台台风红色预警",
    )
    assert storm.outage.qualifies and not storm.outage.earns_credit
    assert storm.credits == [] and storm.outage.credited_total_fen == 0 and storm.outage.credited_at is not None
    assert await balance(c, alice.id) == Money.zero() == await balance(c, bob.id)
    async with c.deps.uow() as uow:
        notes = list(await uow.session.scalars(select(Notification).where(Notification.kind == "outage_no_credit")))
        assert sorted(n.subscriber_id for n in notes) == sorted([alice.id, bob.id])
        assert notes[0].params["cause_code"] == "force_majeure" and "不可抗力" in notes[0].params["cause_zh"]
        assert not list(await uow.session.scalars(select(LedgerTransaction)))
        record = await uow.session.scalar(select(AuditRecord).where(AuditRecord.action == "outage.record"))
        assert record is not None and record.details["cause"] == "force_majeure"
    # The same 30 hours, our own fault: credited.
    ours = await c.outages.record(
        STAFF,
        title="核心网故障",
        started_at=JUNE_6 + timedelta(days=5),
        ended_at=JUNE_6 + timedelta(days=5, hours=30),
        cause="operator",
    )
    assert ours.outage.earns_credit and {cr.number: cr.amount_fen for cr in ours.credits} == {
        alice.number: 125,
        bob.number: 125,
    }
    await assert_ledger_invariants(c)


async def test_a_cause_corrected_after_the_bill_is_reversed_on_the_next_bill_and_given_back_if_ours(
    container: Container, clock: FakeClock
) -> None:
    c = container
    clock.set(datetime(2026, 6, 20, tzinfo=UTC))
    plan_id = await make_plan(c, rent_fen=3000)
    alice = await subscriber(c)
    await insert(c, subscription(alice.id, plan_id, date(2026, 5, 1)))
    cut = await c.outages.record(
        STAFF, title="光缆中断", started_at=JUNE_6, ended_at=JUNE_6 + timedelta(hours=30), cause="operator"
    )
    assert {cr.number: cr.amount_fen for cr in cut.credits} == {alice.number: 125}
    clock.set(datetime(2026, 7, 2, tzinfo=UTC))
    await c.billing.run("2026-06")
    june = (await c.billing.bills(alice.id))[0]
    june_detail = await c.billing.bill(alice.id, june.id)
    assert [ln.amount_fen for ln in june_detail.lines if ln.kind == "credit"] == [-125]

    # After the June bill: the cut was the road works of another company (§13) — the credit is reversed.
    clock.set(datetime(2026, 7, 10, tzinfo=UTC))
    corrected = await c.outages.change_cause(
        STAFF, cut.outage.id, cause="third_party", evidence="市政施工挖断光缆，施工单位事故报告 2026-031"
    )
    assert corrected.outage.cause == "third_party" and corrected.outage.credit_round == 1
    assert corrected.credits == [] and corrected.outage.credited_total_fen == 0
    assert corrected.reversed_accounts == 1 and corrected.reversed_total_fen == 125
    assert await balance(c, alice.id) == Money(3000)  # the June bill (28.75) unpaid + the 1.25 reversed
    # Changing it again to another cause that is not ours changes nothing more (still no credit, round kept).
    again = await c.outages.change_cause(STAFF, cut.outage.id, cause="internet", evidence="用户侧宽带故障")
    assert again.outage.credit_round == 1 and again.reversed_total_fen == 125
    assert await c.outages.credit_pending() == {"outages": 0, "accounts_credited": 0}

    clock.set(datetime(2026, 8, 2, tzinfo=UTC))
    await c.billing.run("2026-07")
    july = next(b for b in await c.billing.bills(alice.id) if b.id != june.id)
    detail = await c.billing.bill(alice.id, july.id)
    reversal = [ln for ln in detail.lines if ln.kind == "adjustment"]
    assert [ln.amount_fen for ln in reversal] == [125]
    assert reversal[0].description.startswith("调账 · 服务中断补偿冲回 #") and "光缆中断" in reversal[0].description
    async with c.deps.uow() as uow:
        en = await uow.session.scalar(
            select(BillLine.description_en).where(BillLine.bill_id == july.id, BillLine.kind == "adjustment")
        )
        assert en is not None and en.startswith("Adjustment · Outage credit reversed #")
        notes = list(
            await uow.session.scalars(select(Notification).where(Notification.kind == "outage_credit_reversed"))
        )
        assert [(n.subscriber_id, n.params["credit"], n.params["cause_code"]) for n in notes] == [
            (alice.id, "1.25", "third_party")
        ]
        changes = list(await uow.session.scalars(select(AuditRecord).where(AuditRecord.action == "outage.cause")))
        assert [(a.details["from"], a.details["to"]) for a in changes] == [
            ("operator", "third_party"),
            ("third_party", "internet"),
        ]

    # Reviewed once more: it was our fault after all — credited again (a new ledger entry), shown on the next bill.
    back = await c.outages.change_cause(STAFF, cut.outage.id, cause="operator", evidence="复核：我方维护失误")
    assert back.outage.credit_round == 2 and back.outage.earns_credit
    assert {cr.number: cr.amount_fen for cr in back.credits} == {alice.number: 125}
    async with c.deps.uow() as uow:
        keys = set(await uow.session.scalars(select(LedgerTransaction.idempotency_key)))
        assert {f"outage:{cut.outage.id}:{alice.id}", f"outage:{cut.outage.id}:{alice.id}:2"} <= keys
    clock.set(datetime(2026, 9, 2, tzinfo=UTC))
    await c.billing.run("2026-08")
    august = max(await c.billing.bills(alice.id), key=lambda b: b.period)
    lines = (await c.billing.bill(alice.id, august.id)).lines
    assert [ln.amount_fen for ln in lines if ln.kind == "credit"] == [-125]
    await assert_ledger_invariants(c)


async def test_an_interrupted_reversal_resumes_without_reversing_twice(container: Container, clock: FakeClock) -> None:
    c = container
    clock.set(datetime(2026, 6, 20, tzinfo=UTC))
    plan_id = await make_plan(c, rent_fen=3000)
    subs = [await subscriber(c) for _ in range(5)]
    await insert(c, *(subscription(s.id, plan_id, date(2026, 5, 1)) for s in subs))
    out = await c.outages.record(
        STAFF, title="断电", started_at=JUNE_6, ended_at=JUNE_6 + timedelta(hours=30), cause="operator"
    )
    c.outages.chunk_size = 2
    calls = 0
    real = c.outages._reverse_some

    async def dies_on_second_chunk(outage_id: int) -> int:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("killed")
        return await real(outage_id)

    c.outages._reverse_some = dies_on_second_chunk  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        await c.outages.change_cause(STAFF, out.outage.id, cause="government", evidence="主管部门通知 2026-7 号")
    c.outages._reverse_some = real  # type: ignore[method-assign]
    assert sum([await balance(c, s.id) == Money.zero() for s in subs]) == 2
    assert await c.outages.credit_pending() == {"outages": 1, "accounts_credited": 0}
    assert await c.outages.credit_pending() == {"outages": 0, "accounts_credited": 0}
    for s in subs:
        assert await balance(c, s.id) == Money.zero()
    detail = await c.outages.detail(out.outage.id)
    assert detail.reversed_accounts == 5 and detail.outage.credited_at is not None
    await assert_ledger_invariants(c)

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

"""The dashboard's figures (R-52) equal the data inserted, on SQLite and PostgreSQL: subscribers by
state, calls and minutes per local day, revenue by account and payments per month, arrears ageing,
disputes against their deadlines."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from tests.integration.test_billing import call_record, insert, make_plan, subscriber, subscription
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import Bill, Dispute, Payment, Subscriber
from videophone.billing.services import ledger
from videophone.bootstrap import Container
from videophone.kernel.money import Money
from videophone.notices.api.outages_answers import DashboardAnswer

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 20 Nov 2026, 12:00 in Shanghai


async def test_dashboard_numbers_equal_the_data(container: Container, clock: FakeClock) -> None:
    c = container
    clock.set(datetime(2026, 9, 1, tzinfo=UTC))
    plan_id = await make_plan(c, rent_fen=3000, included=0, rate="0.50")
    alice, bob, carol = await subscriber(c), await subscriber(c), await subscriber(c)
    async with c.deps.uow() as uow:
        await uow.session.execute(update(Subscriber).where(Subscriber.id == carol.id).values(service_state="suspended"))
        await uow.commit()
    await insert(c, subscription(alice.id, plan_id, date(2026, 9, 1)), subscription(bob.id, plan_id, date(2026, 9, 1)))
    # Calls: 23:30 Shanghai on 18 Nov (15:30 UTC) counts on the 18th, 00:30 on the 19th on the 19th.
    late_18 = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)
    early_19 = datetime(2026, 11, 18, 16, 30, tzinfo=UTC)
    await insert(
        c,
        call_record(alice, bob, late_18, 120),
        call_record(bob, alice, late_18 + timedelta(minutes=5), 60),
        call_record(alice, bob, early_19, 90),
        call_record(alice, bob, early_19 + timedelta(minutes=1), 0, outcome="no_answer"),
        call_record(alice, bob, datetime(2026, 9, 1, tzinfo=UTC), 600),  # outside the 30 days
    )
    # September billed in October (rent 30 each, usage 10 min × 0.50 = 5.00 for Alice).
    clock.set(datetime(2026, 10, 2, tzinfo=UTC))
    await c.billing.run("2026-09")
    async with c.deps.uow() as uow:
        tx = await ledger.post(
            uow,
            "payment",
            f"test-pay:{uuid.uuid4()}",
            [(ledger.RECEIVABLE, bob.id, Money(-3000)), ("cash:counter", None, Money(3000))],
            subscriber_id=bob.id,
            at=datetime(2026, 10, 5, tzinfo=UTC),
        )
        assert tx is not None
        uow.session.add(
            Payment(
                subscriber_id=bob.id,
                method="cash",
                amount_fen=3000,
                receipt_no=f"R{uuid.uuid4().hex[:8]}",
                arrival="counter",
                transaction_id=tx.id,
                received_at=datetime(2026, 10, 5, tzinfo=UTC),
                created_at=datetime(2026, 10, 5, tzinfo=UTC),
            )
        )
        await uow.commit()
    alice_bill = (await c.billing.bills(alice.id))[0]
    async with c.deps.uow() as uow:  # Alice's September bill fell due on 15 October
        await uow.session.execute(update(Bill).where(Bill.id == alice_bill.id).values(due_date=date(2026, 10, 15)))
        opened = datetime(2026, 11, 1, tzinfo=UTC)
        for state, due, resolved in (
            ("open", NOW + timedelta(days=3), None),  # open, within the deadline
            ("open", NOW - timedelta(days=1), None),  # open, overdue
            ("rejected", opened + timedelta(days=10), opened + timedelta(days=2)),  # answered in time
            ("adjusted", opened + timedelta(days=1), opened + timedelta(days=5)),  # answered late
            ("rejected", opened + timedelta(days=10), opened + timedelta(days=3)),  # answered in time
        ):
            uow.session.add(
                Dispute(
                    subscriber_id=alice.id,
                    bill_id=alice_bill.id,
                    call_id=None,
                    amount_fen=1,
                    reason="test",
                    state=state,
                    opened_at=opened,
                    due_at=due,
                    resolved_at=resolved,
                    resolved_by=None,
                    resolution="",
                    credit_fen=0,
                    transaction_id=None,
                )
            )
        await uow.commit()

    clock.set(NOW)
    data = DashboardAnswer.model_validate((await c.dashboard.overview()).data).model_dump(mode="json")

    subs = data["subscribers"]
    assert subs["total"] == 3
    assert {i["key"]: i["count"] for i in subs["service"]} == {"active": 2, "suspended": 1}
    assert sum(i["count"] for i in subs["review"]) == 3

    days = data["calls"]["days"]
    assert len(days) == 30 and days[-1]["day"] == "2026-11-20" and days[0]["day"] == "2026-10-22"
    by_day = {d["day"]: d for d in days}
    assert (by_day["2026-11-18"]["calls"], by_day["2026-11-18"]["seconds"]) == (2, 180)
    assert (by_day["2026-11-19"]["calls"], by_day["2026-11-19"]["answered"], by_day["2026-11-19"]["seconds"]) == (
        2,
        1,
        90,
    )
    assert data["calls"]["total_calls"] == 4 and data["calls"]["total_minutes"] == 4.5

    months = {m["month"]: m for m in data["revenue"]["months"]}
    assert len(months) == 12 and data["revenue"]["months"][-1]["month"] == "2026-11"
    sep = months["2026-09"]
    assert sep["by_account_fen"]["rent"] == 6000 and sep["by_account_fen"]["usage"] == 500
    assert sep["revenue_fen"] == 6500
    assert (months["2026-10"]["payments_count"], months["2026-10"]["payments_fen"]) == (1, 3000)
    assert months["2026-10"]["revenue_fen"] == 0

    buckets = {b["bucket"]: b for b in data["arrears"]["buckets"]}
    # Alice, due 15 Oct: 35.00 less the 2 fen of her two open disputes (not overdue while open)
    assert buckets["31-60"]["accounts"] == 1 and buckets["31-60"]["overdue_fen"] == 3498
    assert data["arrears"]["accounts"] == 1

    disputes = {d["key"]: d["count"] for d in data["disputes"]["counts"]}
    assert disputes == {"open_in_time": 1, "open_overdue": 1, "answered_in_time": 2, "answered_late": 1}

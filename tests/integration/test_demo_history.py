"""`videophone demo` seeds months of history through the services (issue 15, "a demo worth touring"): on a
new database — SQLite and PostgreSQL — the README tour's subscriber finds a bill to pay, a late fee, an
open dispute, calls, payments and notifications; the books add up; a second run adds nothing.

"Today" is pinned through the demo clock file (VIDEOPHONE_CLOCK_FILE, real time plus an offset) to two
days that lay the calendar out differently: before the month's due date (the unpaid, overdue bill is the
one before last) and after it (it is the last one)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import TEST_KEY, _empty_tables
from videophone.adapters.clock import OffsetFileClock
from videophone.bootstrap import Container, build
from videophone.config import Settings
from videophone.demo.history import Calendar
from videophone.demo.people import PEER_EMAIL, TOUR_EMAIL
from videophone.demo.setup import set_up

TZ = ZoneInfo("Asia/Shanghai")


def fen(yuan: str) -> int:
    return int(Decimal(yuan) * 100)


@pytest.fixture(params=["2026-12-06", "2027-01-25"])
async def demo_settings(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> AsyncIterator[Settings]:
    await _empty_tables(database_url)
    clock_file = tmp_path / "clock"
    target = datetime.combine(date.fromisoformat(request.param), datetime.min.time(), tzinfo=TZ) + timedelta(hours=14)
    OffsetFileClock(clock_file).set_offset(target - datetime.now(UTC))
    yield Settings(demo=True, database_url=database_url, data_key=TEST_KEY, data_dir=tmp_path, clock_file=clock_file)


async def _counts(c: Container, subscriber_id: int) -> tuple[int, ...]:
    bills = await c.billing.bills(subscriber_id)
    mine = await c.payments.mine(subscriber_id)
    calls, _ = await c.calls.history(subscriber_id)
    units, claims = await c.terminals.mine(subscriber_id)
    return (
        len(bills),
        len(mine.payments),
        len(mine.intents),
        calls,
        len(await c.disputes.mine(subscriber_id)),
        len(await c.notifications.list(subscriber_id, "zh-CN", limit=200)),
        (await c.contacts.contacts(subscriber_id))[0],
        len(units),
        len(claims),
        len(await c.orders.orders(subscriber_id)),
        len(await c.staff.list()),
        (await c.subscribers.search(""))[0],
        (await c.announcements.list_all())[0],
    )


async def test_the_tour_subscriber_has_a_consistent_history_seeded_once(demo_settings: Settings) -> None:
    done = await set_up(demo_settings)
    assert done.history is not None and done.history.calls > 20
    c = build(demo_settings)
    try:
        today = c.deps.clock.now().astimezone(TZ).date()
        (_, [tour]), (_, [peer]) = await c.subscribers.search(TOUR_EMAIL), await c.subscribers.search(PEER_EMAIL)
        # Registered and verified months ago, still in service (overdue for less than a month).
        assert tour.created_at.astimezone(TZ).date() < today - timedelta(days=80)
        assert tour.review_state == "verified" and tour.service_state == "active"
        for who in (tour, peer):
            bills = [await c.billing.bill(who.id, b.id) for b in await c.billing.bills(who.id)]
            assert len(bills) >= 3
            for b in bills:  # every bill adds up
                assert sum(line.amount_fen for line in b.lines) == fen(b.new_charges)
                assert b.total_due_fen == fen(b.previous_balance) - fen(b.payments) + fen(b.new_charges)
            mine = await c.payments.mine(who.id)
            last = max(bills, key=lambda b: b.issued_at)
            paid_after_last = sum(p.amount_fen for p in mine.payments if p.received_at > last.issued_at)
            # Every payment is on a bill (or after the last one), and the balance is what the last bill
            # says, less what was paid since, plus late fees accrued since (the tour subscriber's only).
            assert sum(p.amount_fen for p in mine.payments) == sum(fen(b.payments) for b in bills) + paid_after_last
            unbilled = mine.balance_fen - (last.total_due_fen - paid_after_last)
            if who is peer:
                assert unbilled == 0
                assert all(p.method == "gateway" for p in mine.payments)
            else:
                assert (
                    0
                    <= unbilled
                    <= mine.balance_fen * 3 * (today - last.issued_at.astimezone(TZ).date()).days // 1000 + 1
                )
            paid = [s for s in mine.bills if s.paid]
            assert len(paid) >= 2 if who is tour else len(paid) >= 3
        # The tour: a bill to pay that is overdue, a late fee on a bill, an open dispute, calls, notices.
        bills = {b.id: await c.billing.bill(tour.id, b.id) for b in await c.billing.bills(tour.id)}
        mine = await c.payments.mine(tour.id)
        overdue = [s for s in mine.bills if not s.paid and bills[s.bill_id].due_date < today]
        assert len(overdue) == 1 and overdue[0].remaining_fen > 0
        assert today - bills[overdue[0].bill_id].due_date < timedelta(days=28)
        assert any(line.kind == "late_fee" and line.amount_fen > 0 for b in bills.values() for line in b.lines)
        assert {p.method for p in mine.payments} == {"gateway", "cash"}
        disputes = await c.disputes.mine(tour.id)
        assert [(d.state, d.bill_id) for d in disputes] == [("open", overdue[0].bill_id)]
        calls, history = await c.calls.history(tour.id, limit=200)
        assert calls > 20 and {"answered", "missed"} <= {item.outcome for item in history}
        kinds = {n.kind for n in await c.notifications.list(tour.id, "zh-CN", limit=200)}
        assert {"bill_issued", "payment_received", "payment_overdue", "dispute_opened", "announcement"} <= kinds
        units, claims = await c.terminals.mine(tour.id)
        assert len(units) == 1 and len(claims) == 1
        assert len(await c.orders.orders(tour.id)) == 2  # the plan at registration, then caller ID
        # Where the calendar put the unpaid bill: the newest whose due date has passed.
        cal = Calendar.of(today, 15)
        assert bills[overdue[0].bill_id].issued_at.astimezone(TZ).date() == cal.unpaid_issue
        before = (await _counts(c, tour.id), await _counts(c, peer.id))
    finally:
        await c.close()

    again = await set_up(demo_settings)
    assert again.history is None
    assert next(login for where, login, _ in again.logins if where == "portal").endswith(TOUR_EMAIL)
    c = build(demo_settings)
    try:
        assert (await _counts(c, tour.id), await _counts(c, peer.id)) == before
    finally:
        await c.close()


def test_the_calendar_leaves_the_unpaid_bill_overdue_for_less_than_a_month() -> None:
    # Before the month's due date the overdue bill is last month's run; from two days after it, this month's.
    assert Calendar.of(date(2026, 12, 6), 15).unpaid_issue == date(2026, 11, 1)
    assert Calendar.of(date(2026, 12, 16), 15).unpaid_issue == date(2026, 11, 1)
    assert Calendar.of(date(2026, 12, 17), 15).unpaid_issue == date(2026, 12, 1)
    assert Calendar.of(date(2027, 1, 31), 15).unpaid_issue == date(2027, 1, 1)
    assert Calendar.of(date(2027, 3, 1), 15).start == date(2026, 11, 1)
    for day in (date(2026, 12, 1) + timedelta(days=n) for n in range(62)):
        cal = Calendar.of(day, 15)
        due = cal.unpaid_issue + timedelta(days=15)
        assert due < day <= date(due.year + due.month // 12, due.month % 12 + 1, due.day)

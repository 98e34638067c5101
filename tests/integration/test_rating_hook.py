"""The call-ended hook rates only the calls that just ended where that provably gives the month's full
rating (``rating.rate_ended``), else the whole month: either way the charges are exactly those of
rating the periods from scratch — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from tests.integration.test_billing import call_record, insert, make_plan, subscriber, subscription
from videophone.adapters.db.models import CallCharge, CallRecord, PlanPrice
from videophone.billing.services import rating
from videophone.billing.services.price_books import load_prices
from videophone.bootstrap import Container

NOV = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 10:00 on 2 November in Shanghai

Row = tuple[Any, ...]


async def charges(c: Container) -> list[Row]:
    """Every stored charge, every column but when it was rated."""
    async with c.deps.uow() as uow:
        return sorted(
            (
                r.call_id,
                r.subscriber_id,
                r.period,
                r.plan_price_id,
                r.rated_seconds,
                r.included_seconds,
                r.charged_seconds,
                r.amount_fen,
                r.started_at,
            )
            for r in await uow.session.scalars(select(CallCharge))
        )


async def rated_from_scratch(c: Container, periods: Sequence[str], in_full: list[list[int]]) -> list[Row]:
    """The charges of rating ``periods`` in full with nothing stored (the stored ones are put back, and
    these ratings are not counted in ``in_full``)."""
    seen = len(in_full)
    before = await charges(c)
    async with c.deps.uow() as uow:
        kept = [
            {k: v for k, v in vars(r).items() if not k.startswith("_")}
            for r in await uow.session.scalars(select(CallCharge))
        ]
        await uow.session.execute(delete(CallCharge))
        await uow.commit()
    for period in periods:
        await c.rating.rate_period(period)
    full = await charges(c)
    async with c.deps.uow() as uow:
        await uow.session.execute(delete(CallCharge))
        uow.session.add_all(CallCharge(**row) for row in kept)
        await uow.commit()
    assert await charges(c) == before
    del in_full[seen:]
    return full


async def end(c: Container, *records: CallRecord) -> int:
    """The calls' records are written as they end, and the hook gets them in one batch."""
    await insert(c, *records)
    return await c.rating.rate_calls([r.id for r in records])


@pytest.fixture
def in_full(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """The callers whose months the hook rated in full, one list per month so rated."""
    seen: list[list[int]] = []
    whole = rating.rate_subscribers

    async def spy(uow: Any, subscriber_ids: Sequence[int], *args: Any, **kwargs: Any) -> Any:
        seen.append(list(subscriber_ids))
        return await whole(uow, subscriber_ids, *args, **kwargs)

    monkeypatch.setattr(rating, "rate_subscribers", spy)
    return seen


async def test_calls_rated_as_they_end_are_the_months_rated_in_full(
    container: Container, in_full: list[list[int]]
) -> None:
    """Calls ending a batch at a time (two callers, ties in start, calls with nothing to rate, a call of
    the month before): each is rated alone, with the allowance the earlier ones left — which runs out
    in the middle of a call — and the charges are those of rating the months in full."""
    c = container
    plan_id = await make_plan(c, included=3, rate="0.60", first=60, nxt=6)
    alice, bob, carol = await subscriber(c), await subscriber(c), await subscriber(c)
    await insert(c, *(subscription(s.id, plan_id, date(2026, 9, 1)) for s in (alice, bob)))

    def at(minutes: int) -> datetime:
        return NOV + timedelta(minutes=minutes)

    same = at(30)
    a = [
        call_record(alice, carol, NOV - timedelta(days=3), 61),  # 30 October: the month before
        call_record(alice, carol, at(0), 61),  # 66 s, included
        call_record(alice, carol, at(10), 45),  # 60 s, included (126 s so far)
        call_record(alice, carol, same, 0),  # answered, nothing billable: nothing to rate
        call_record(alice, carol, same, 100),  # 102 s: 54 s included, 48 s charged — the allowance runs out
        call_record(alice, carol, same, 7),  # the same start: call order is then by id
        call_record(alice, carol, at(40), 30, outcome="missed"),
        call_record(alice, carol, at(50), 200),  # 204 s charged
    ]
    a[4].id, a[5].id = sorted([a[4].id, a[5].id])  # the longer call first
    b = [call_record(bob, carol, at(m), s) for m, s in ((5, 30), (15, 190), (25, 61))]
    batches = [[a[0]], [a[1], b[0]], [a[2]], [b[1], a[3]], [a[4], a[5]], [a[6]], [a[7], b[2]]]
    written = [await end(c, *batch) for batch in batches]
    assert written == [1, 2, 1, 1, 2, 0, 2]
    assert in_full == []  # every one of them rated only as far as its calls
    stored = await charges(c)
    assert stored == await rated_from_scratch(c, ["2026-10", "2026-11"], in_full)
    by_call = {row[0]: row[4:8] for row in stored}
    assert by_call[a[4].id] == (102, 54, 48, 48) and by_call[a[7].id] == (204, 0, 204, 204)
    assert all(row[8] is not None for row in stored)
    # Again: the calls have charges already, the months are rated in full, and nothing changes.
    assert await c.rating.rate_calls([r.id for r in (*a, *b)]) == 0
    assert sorted(map(sorted, in_full)) == [[alice.id], sorted([alice.id, bob.id])]
    assert await charges(c) == stored


async def test_a_call_that_started_before_one_already_rated_rates_the_month_in_full(
    container: Container, in_full: list[list[int]]
) -> None:
    """A long call ends after a later one was rated: the allowance was given in the wrong order, so the
    month is rated in full — as it is for a call with the same start as one rated (ties go by id)."""
    c = container
    plan_id = await make_plan(c, included=1, rate="0.60", first=60, nxt=6)
    alice, carol = await subscriber(c), await subscriber(c)
    await insert(c, subscription(alice.id, plan_id, date(2026, 9, 1)))
    long_call = call_record(alice, carol, NOV, 600)
    going = {"state": "answered", "ended_at": None, "outcome": "", "end_reason": "", "billable_seconds": 0}
    ended = {k: getattr(long_call, k) for k in going}
    for k, v in going.items():
        setattr(long_call, k, v)
    await insert(c, long_call)  # answered, still going
    short = call_record(alice, carol, NOV + timedelta(minutes=2), 61)
    tie = call_record(alice, carol, NOV + timedelta(minutes=2), 30)
    assert await end(c, short) == 1
    assert in_full == []
    first = {row[0]: row for row in await charges(c)}
    assert first[short.id][5] == 60  # the minute included, while the long call was still going
    # The long call (1 minute included) ends: the short call's charge changes too.
    async with c.deps.uow() as uow:
        await uow.session.execute(update(CallRecord).where(CallRecord.id == long_call.id).values(**ended))
        await uow.commit()
    assert await c.rating.rate_calls([long_call.id]) == 2
    assert in_full == [[alice.id]]
    stored = {row[0]: row for row in await charges(c)}
    assert stored[long_call.id][5] == 60 and stored[short.id][5] == 0
    # A call with the same start as one rated: in full again (its id may come first).
    assert await end(c, tie) == 1  # the allowance is gone: only its own charge
    assert in_full == [[alice.id], [alice.id]]
    assert await charges(c) == await rated_from_scratch(c, ["2026-11"], in_full)


async def test_a_month_whose_price_changes_in_it_is_rated_in_full_from_the_change_on(
    container: Container, in_full: list[list[int]]
) -> None:
    """A price effective mid-month: the calls before it are rated as they end (one price so far); from
    the first call at the new price on, the month has no one price and every call that ends rates it
    in full — each call at its own day's price, one allowance for the month."""
    c = container
    plan_id = await make_plan(c, included=2, rate="0.60", first=60, nxt=6)
    async with c.deps.uow() as uow:
        uow.session.add(
            PlanPrice(
                plan_id=plan_id,
                effective_from=date(2026, 11, 15),
                monthly_rent_fen=3000,
                included_minutes=5,
                rate_per_minute=Decimal("1.20"),
                first_increment_seconds=60,
                next_increment_seconds=60,
                created_at=c.deps.clock.now(),
            )
        )
        await uow.commit()
    alice, carol = await subscriber(c), await subscriber(c)
    await insert(c, subscription(alice.id, plan_id, date(2026, 9, 1)))
    calls = [call_record(alice, carol, NOV + timedelta(days=d), s) for d, s in ((0, 61), (5, 90), (14, 61), (20, 61))]
    for record in calls:
        assert await end(c, record) >= 1
    assert in_full == [[alice.id]] * 2  # the calls of the 15th and the 21st
    stored = await charges(c)
    assert stored == await rated_from_scratch(c, ["2026-11"], in_full)
    assert len({row[3] for row in stored}) == 2  # two prices
    assert [row[5] for row in sorted(stored, key=lambda row: row[8])] == [66, 54, 0, 0]  # 2 minutes in all


async def test_a_charge_without_its_calls_start_rates_the_month_in_full_and_gets_it(
    container: Container, in_full: list[list[int]]
) -> None:
    """A charge written before migration 0026 whose call record was gone has no start: the month is
    rated in full, which writes it; a charge of a call gone from the month does the same."""
    c = container
    plan_id = await make_plan(c, included=1, rate="0.60", first=60, nxt=6)
    alice, carol = await subscriber(c), await subscriber(c)
    await insert(c, subscription(alice.id, plan_id, date(2026, 9, 1)))
    calls = [call_record(alice, carol, NOV + timedelta(hours=h), 61) for h in range(3)]
    await end(c, calls[0])
    async with c.deps.uow() as uow:
        await uow.session.execute(update(CallCharge).where(CallCharge.call_id == calls[0].id).values(started_at=None))
        await uow.commit()
    await end(c, calls[1])
    assert in_full == [[alice.id]]
    assert await charges(c) == await rated_from_scratch(c, ["2026-11"], in_full)  # the start written again
    # The first call's record now says it was not answered (as records never do).  The hook counts
    # only the calls since the last one rated, so it rates the third alone; the bill run counts every
    # call of the month (rating.rated_usage), and its charge goes then.
    async with c.deps.uow() as uow:
        await uow.session.execute(
            update(CallRecord).where(CallRecord.id == calls[0].id).values(outcome="missed", billable_seconds=0)
        )
        await uow.commit()
    assert await end(c, calls[2]) == 1
    assert in_full == [[alice.id]]
    assert [row[0] for row in await charges(c)] == sorted(r.id for r in calls)
    async with c.deps.uow() as uow:
        tz, now = c.deps.operator_tz, c.deps.clock.now()
        usage, _, again = await rating.rated_usage(uow, [alice.id], "2026-11", tz, now, await load_prices(uow))
        await uow.commit()
    assert again == [alice.id] and usage[alice.id].calls == 2
    stored = await charges(c)
    assert [row[0] for row in stored] == sorted([calls[1].id, calls[2].id])
    assert stored == await rated_from_scratch(c, ["2026-11"], in_full)


async def test_a_subscriber_who_joined_this_month_is_rated_as_the_calls_end(
    container: Container, in_full: list[list[int]]
) -> None:
    """A plan subscription that starts mid-month: no price on the days before it (and no call on them),
    one price on every day of a call — each call is rated alone as it ends, with the allowance the earlier
    ones left, and the charges are those of rating the month in full."""
    c = container
    plan_id = await make_plan(c, included=1, rate="0.60", first=60, nxt=6)
    alice, carol = await subscriber(c), await subscriber(c)
    await insert(c, subscription(alice.id, plan_id, date(2026, 11, 10)))
    joined = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
    calls = [call_record(alice, carol, joined + timedelta(days=d, minutes=m), 40) for d, m in ((0, 0), (0, 5), (3, 0))]
    for record in calls:
        assert await end(c, record) == 1
    assert in_full == []
    stored = await charges(c)
    assert stored == await rated_from_scratch(c, ["2026-11"], in_full)
    assert [row[5] for row in sorted(stored, key=lambda row: row[8])] == [60, 0, 0]  # one included minute


async def test_a_later_call_that_ended_meanwhile_does_not_stop_the_earlier_from_being_rated_alone(
    container: Container, in_full: list[list[int]]
) -> None:
    """Under load the next call of a caller ends while the hook rates the one before (it comes in the
    next batch): calls that started after the ones rated do not change their rating, so each is still
    rated alone — and an earlier call left out of a batch is not (the month is rated in full)."""
    c = container
    plan_id = await make_plan(c, included=1, rate="0.60", first=60, nxt=6)
    alice, carol = await subscriber(c), await subscriber(c)
    await insert(c, subscription(alice.id, plan_id, date(2026, 9, 1)))
    first, second, third, fourth = (call_record(alice, carol, NOV + timedelta(minutes=m), 40) for m in (0, 5, 10, 15))
    await insert(c, first, second)  # both ended; the hook has the first only
    assert await c.rating.rate_calls([first.id]) == 1
    assert await c.rating.rate_calls([second.id]) == 1
    assert in_full == []
    await insert(c, third, fourth)
    assert await c.rating.rate_calls([fourth.id]) >= 1  # the third, ended before it, is not rated yet
    assert in_full == [[alice.id]]
    assert await charges(c) == await rated_from_scratch(c, ["2026-11"], in_full)


async def test_a_call_with_the_start_of_the_last_one_rated_but_no_charge_rates_the_month_in_full(
    container: Container, in_full: list[list[int]]
) -> None:
    """The hook counts from the latest start a charge holds, that start included (less the charges
    holding it): a qualifying call with that very start whose own hook never came (its node died) is
    seen when the caller's next call ends, and the month is rated in full."""
    c = container
    plan_id = await make_plan(c, included=1, rate="0.60", first=60, nxt=6)
    alice, carol = await subscriber(c), await subscriber(c)
    await insert(c, subscription(alice.id, plan_id, date(2026, 9, 1)))
    rated, lost, later = (call_record(alice, carol, NOV + timedelta(minutes=m), 40) for m in (0, 0, 5))
    rated.id, lost.id = sorted([rated.id, lost.id])  # the same start: the rated call first in call order
    assert await end(c, rated) == 1
    await insert(c, lost)  # ended, never rated
    assert await end(c, later) == 2  # the lost call's charge and the later one's (the first stands)
    assert in_full == [[alice.id]]
    assert await charges(c) == await rated_from_scratch(c, ["2026-11"], in_full)

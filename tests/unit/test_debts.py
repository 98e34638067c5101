"""Debts and FIFO (R-23, R-25): credits settle the oldest debt first whenever they arrive; an
overpayment stays as credit; open disputed amounts are set aside."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from videophone.collections.domain.debts import LATE_FEE, Credit, Debt, DisputeSpan, Timeline, allocate, position

T0 = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2100, 1, 1, tzinfo=UTC)


def d(day: int, order: int, amount: int, due: date | None, bill: int | None = None, kind: str = "principal") -> Debt:
    return Debt(T0 + timedelta(days=day), order, amount, due, kind=kind, bill_id=bill)


def test_oldest_debt_first_ties_by_order() -> None:
    debts = [d(5, 2, 300, None), d(1, 9, 100, None), d(5, 1, 200, None)]
    assert allocate(debts, 250) == [300, 0, 50]  # day 1 first, then day 5 order 1, then order 2
    assert allocate(debts, 0) == [300, 100, 200]
    assert allocate(debts, 10_000) == [0, 0, 0]


def test_overpayment_stays_as_credit_and_settles_later_debts() -> None:
    jan, feb = date(2026, 1, 20), date(2026, 2, 20)
    tl = Timeline((d(0, 1, 10_000, jan, bill=1),), (Credit(T0 + timedelta(days=3), 15_000),))
    now = position(tl, END, date(2026, 1, 25))
    assert now.balance == -5_000 and now.overdue == 0 and now.bills[0].settled
    later = tl.with_debts([d(31, 2, 8_000, feb, bill=2)])
    p = position(later, END, date(2026, 3, 1))
    assert p.balance == 3_000
    assert {b.bill_id: b.remaining for b in p.bills} == {1: 0, 2: 3_000}
    assert p.overdue == 3_000 and p.oldest_overdue_due == feb


def test_position_at_an_instant_ignores_what_came_after() -> None:
    tl = Timeline((d(0, 1, 10_000, date(2026, 1, 10), bill=1),), (Credit(T0 + timedelta(days=20), 10_000),))
    before = position(tl, T0 + timedelta(days=15), date(2026, 1, 16))
    assert before.overdue == 10_000 and before.oldest_overdue_due == date(2026, 1, 10)
    assert position(tl, END, date(2026, 1, 21)).overdue == 0


def test_disputed_part_is_the_last_unpaid_part_and_not_overdue() -> None:
    due = date(2026, 1, 10)
    span = DisputeSpan(1, 4_000, T0 + timedelta(days=2))
    tl = Timeline((d(0, 1, 10_000, due, bill=1),), (Credit(T0 + timedelta(days=5), 6_000),), (span,))
    p = position(tl, END, date(2026, 2, 1))
    assert p.bills[0].remaining == 4_000 and p.bills[0].disputed == 4_000
    assert p.overdue == 0 and p.oldest_overdue_due is None and p.balance == 4_000
    rejected = Timeline(tl.debts, tl.credits, (DisputeSpan(1, 4_000, span.opened_at, T0 + timedelta(days=9)),))
    q = position(rejected, END, date(2026, 2, 1))
    assert q.overdue == 4_000 and q.oldest_overdue_due == due


def test_late_fees_are_overdue_but_not_principal() -> None:
    due = date(2026, 1, 10)
    tl = Timeline(
        (d(0, 1, 10_000, due, bill=1), d(12, 2, 30, date(2026, 1, 12), kind=LATE_FEE)),
        (Credit(T0 + timedelta(days=20), 10_000),),
    )
    p = position(tl, END, date(2026, 1, 25))
    assert p.overdue_principal == 0 and p.late_fees_unpaid == 30 and p.overdue == 30
    assert p.oldest_overdue_due is None


@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(1, 10_000)), min_size=1, max_size=8),
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 10_000)), max_size=8),
)
def test_fifo_equals_paying_each_credit_into_the_oldest_open_debt(
    debt_rows: list[tuple[int, int]], credit_rows: list[tuple[int, int]]
) -> None:
    """Whatever the interleaving, pooling equals handling every event in time order."""
    debts = [d(day, i, amount, None) for i, (day, amount) in enumerate(debt_rows)]
    credits = [Credit(T0 + timedelta(days=day, hours=12), amount) for day, amount in credit_rows]
    remaining = {i: 0 for i in range(len(debts))}
    pool = 0
    events = sorted(
        [(x.at, 0, i) for i, x in enumerate(debts)] + [(c.at, 1, j) for j, c in enumerate(credits)],
        key=lambda e: (e[0], e[1], debts[e[2]].order if e[1] == 0 else e[2]),
    )
    for _, what, i in events:
        if what == 0:
            take = min(pool, debts[i].amount)
            pool -= take
            remaining[i] = debts[i].amount - take
        else:
            amount = credits[i].amount
            for k in sorted(remaining, key=lambda k: (debts[k].at, debts[k].order)):
                if debts[k].at > credits[i].at:
                    continue
                take = min(amount, remaining[k])
                remaining[k] -= take
                amount -= take
            pool += amount
    got = position(Timeline(tuple(debts), tuple(credits)), END, date(2100, 1, 1))
    assert allocate(debts, sum(c.amount for c in credits)) == [remaining[i] for i in range(len(debts))]
    assert got.balance == sum(x.amount for x in debts) - sum(c.amount for c in credits)

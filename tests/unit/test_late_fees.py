"""Late fees (R-24): ``domain.late_fees.accrue`` over arbitrary timelines of bills, payments and
disputes equals a deliberately naive day-by-day simulation written here, computed at once or in
pieces (the job catching up missed days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from videophone.collections.domain.debts import Credit, Debt, DisputeSpan, Timeline
from videophone.collections.domain.late_fees import accrue, late_fee_debt, round_half_up

TZ = ZoneInfo("Asia/Shanghai")
START = date(2026, 1, 1)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


@dataclass(frozen=True)
class BillEv:
    id: int
    issued: int  # day offset
    due_after: int
    amount: int


@dataclass(frozen=True)
class PayEv:
    day: int
    amount: int


@dataclass(frozen=True)
class DisputeEv:
    bill: int  # index into bills
    amount: int
    opened: int
    resolved: int | None


def timeline_of(bills: list[BillEv], pays: list[PayEv], disputes: list[DisputeEv]) -> Timeline:
    debts = tuple(
        Debt(
            at(START + timedelta(b.issued), 10), b.id, b.amount, START + timedelta(b.issued + b.due_after), bill_id=b.id
        )
        for b in bills
    )
    credits = tuple(Credit(at(START + timedelta(p.day), 15), p.amount) for p in pays)
    spans = tuple(
        DisputeSpan(
            bills[d.bill].id,
            d.amount,
            at(START + timedelta(d.opened), 11),
            at(START + timedelta(d.resolved), 12) if d.resolved is not None else None,
        )
        for d in disputes
    )
    return Timeline(debts, credits, spans)


def reference(
    bills: list[BillEv], pays: list[PayEv], disputes: list[DisputeEv], last: int, per_mille: Decimal, cap: int
) -> dict[int, int]:
    """Day by day: at the start of each day compute the fee from the open debts; then the day's bills
    and payments happen (payments pour into the oldest open debt, leftovers wait as credit); at the end
    of the day the fee becomes a debt of its own.  Returns day offset → fee."""
    # Each open debt: [id, remaining, principal, due offset or None (late fee), accrued exact]
    open_debts: list[list[object]] = []
    pool = 0
    accrued: dict[int, Fraction] = {}
    fees: dict[int, int] = {}
    rate = Fraction(per_mille) / 1000

    def add_debt(ident: int, amount: int, due: int | None) -> None:
        nonlocal pool
        take = min(pool, amount)
        pool -= take
        open_debts.append([ident, amount - take, amount, due])

    def pay(amount: int) -> None:
        nonlocal pool
        for d in open_debts:
            rem = int(str(d[1]))
            take = min(amount, rem)
            d[1] = rem - take
            amount -= take
        pool += amount

    for day in range(0, last + 1):
        exact = Fraction(0)
        for ident, rem, principal, due in [tuple(d) for d in open_debts]:
            if due is None or not isinstance(due, int) or due >= day or not isinstance(rem, int) or rem <= 0:
                continue
            assert isinstance(ident, int) and isinstance(principal, int)
            held = sum(
                x.amount
                for x in disputes
                if bills[x.bill].id == ident and x.opened < day and (x.resolved is None or x.resolved >= day)
            )
            base = max(0, rem - held)
            share = rate * base
            if cap:
                share = max(Fraction(0), min(share, Fraction(cap, 100) * principal - accrued.get(ident, Fraction(0))))
            accrued[ident] = accrued.get(ident, Fraction(0)) + share
            exact += share
        fee = int(exact + Fraction(1, 2)) if exact >= 0 else 0
        fees[day] = fee
        for b in sorted((b for b in bills if b.issued == day), key=lambda b: b.id):
            add_debt(b.id, b.amount, b.issued + b.due_after)
        for p in (p for p in pays if p.day == day):
            pay(p.amount)
        if fee:
            add_debt(-1 - day, fee, None)
    return fees


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[BillEv], list[PayEv], list[DisputeEv], Decimal, int]:
    n = draw(st.integers(1, 4))
    bills = [
        BillEv(
            100 + i,
            draw(st.integers(0, 60)),
            draw(st.integers(0, 20)),
            draw(st.integers(1, 50_000)),
        )
        for i in range(n)
    ]
    pays = draw(st.lists(st.builds(PayEv, st.integers(0, 100), st.integers(1, 60_000)), max_size=5))
    disputes = []
    for _ in range(draw(st.integers(0, 2))):
        i = draw(st.integers(0, n - 1))
        opened = draw(st.integers(0, 90))
        resolved = draw(st.one_of(st.none(), st.integers(opened, 100)))
        disputes.append(DisputeEv(i, draw(st.integers(1, bills[i].amount)), opened, resolved))
    per_mille = draw(st.sampled_from([Decimal("0.5"), Decimal("1"), Decimal("3"), Decimal("7.5"), Decimal("10")]))
    cap = draw(st.sampled_from([0, 0, 1, 5, 30]))
    return bills, pays, disputes, per_mille, cap


LAST = 110


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_accrue_equals_naive_reference(case: tuple[list[BillEv], list[PayEv], list[DisputeEv], Decimal, int]) -> None:
    bills, pays, disputes, per_mille, cap = case
    expected = reference(bills, pays, disputes, LAST, per_mille, cap)
    got = accrue(timeline_of(bills, pays, disputes), START, START + timedelta(LAST), TZ, per_mille, cap)
    assert [f.day for f in got] == [START + timedelta(d) for d in range(LAST + 1)]
    assert {(f.day - START).days: f.fee for f in got} == expected


@settings(max_examples=80, deadline=None)
@given(scenarios(), st.lists(st.integers(1, LAST), max_size=6))
def test_catching_up_in_pieces_equals_all_at_once(
    case: tuple[list[BillEv], list[PayEv], list[DisputeEv], Decimal, int], cuts: list[int]
) -> None:
    """The job runs on arbitrary days: each run accrues from the day after the last one, with the fees
    posted so far in the timeline — the same fees as one run over the whole range."""
    bills, pays, disputes, per_mille, cap = case
    tl = timeline_of(bills, pays, disputes)
    whole = accrue(tl, START, START + timedelta(LAST), TZ, per_mille, cap)
    pieces = []
    first = 0
    for end in [*sorted(set(cuts)), LAST]:
        if end < first:
            continue
        part = accrue(tl, START + timedelta(first), START + timedelta(end), TZ, per_mille, cap)
        tl = tl.with_debts(late_fee_debt(f.day, f.fee, TZ) for f in part if f.fee)
        pieces.extend(part)
        first = end + 1
    assert pieces == whole


def test_fee_starts_the_day_after_the_due_date_and_rounds_half_up() -> None:
    # 1 000.00 yuan due on 10 January, 3 ‰ a day → 3.00 yuan a day from 11 January.
    tl = Timeline((Debt(at(date(2026, 1, 1), 10), 1, 100_000, date(2026, 1, 10), bill_id=1),))
    fees = accrue(tl, date(2026, 1, 9), date(2026, 1, 12), TZ, Decimal("3"))
    assert [(f.day.day, f.fee) for f in fees] == [(9, 0), (10, 0), (11, 300), (12, 300)]
    assert fees[2].base == 100_000
    # 0.5 fen rounds up, 0.4 fen down
    assert round_half_up(Fraction(1, 2)) == 1 and round_half_up(Fraction(2, 5)) == 0
    small = Timeline((Debt(at(date(2026, 1, 1), 10), 1, 500, date(2026, 1, 1), bill_id=1),))
    assert accrue(small, date(2026, 1, 2), date(2026, 1, 2), TZ, Decimal("1"))[0].fee == 1  # 0.5 fen


def test_no_fee_on_fees_and_payment_before_the_day_counts() -> None:
    due = date(2026, 1, 10)
    tl = Timeline(
        (Debt(at(date(2026, 1, 1), 10), 1, 100_000, due, bill_id=1), late_fee_debt(date(2026, 1, 11), 300, TZ)),
        (Credit(at(date(2026, 1, 12), 9), 100_000),),  # pays the principal on the 12th
    )
    fees = accrue(tl, date(2026, 1, 12), date(2026, 1, 13), TZ, Decimal("3"))
    # the 12th: the payment during the 12th does not count yet; the 13th: the principal is paid — the
    # payment went to the bill first (oldest), the 3.00 late fee remains but accrues nothing
    assert [f.fee for f in fees] == [300, 0]
    assert fees[1].overdue_principal == 0


def test_open_dispute_accrues_nothing_and_cap_stops_fees() -> None:
    bill = Debt(at(date(2026, 1, 1), 10), 1, 100_000, date(2026, 1, 10), bill_id=1)
    disputed = Timeline((bill,), (), (DisputeSpan(1, 40_000, at(date(2026, 1, 5), 9), at(date(2026, 1, 12), 9)),))
    fees = accrue(disputed, date(2026, 1, 11), date(2026, 1, 13), TZ, Decimal("3"))
    assert [f.fee for f in fees] == [180, 180, 300]  # 600.00 base while open; resolved on the 12th
    capped = accrue(Timeline((bill,)), date(2026, 1, 11), date(2026, 2, 28), TZ, Decimal("3"), cap_percent=1)
    assert sum(f.fee for f in capped) == 1_000  # 1 % of 1 000.00 yuan
    assert [f.fee for f in capped[:4]] == [300, 300, 300, 100]

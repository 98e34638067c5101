"""Bill rules (R-22, R-31): periods, days of service, proration, the bill's lines and totals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.billing.domain.billing import (
    InvalidPeriod,
    UsageSummary,
    allocate_rent,
    bill_number,
    compose_bill,
    days_in_period,
    period_bounds,
    previous_period,
    prorate_rent,
    rent_continues,
    service_days,
)
from videophone.kernel.money import Money

MONTHS = {"2026-02": 28, "2028-02": 29, "2026-11": 30, "2026-12": 31}
rents = st.integers(min_value=0, max_value=10**7).map(Money)


def test_days_in_period_and_bounds() -> None:
    for period, days in MONTHS.items():
        assert days_in_period(period) == days
        first, after = period_bounds(period)
        assert (after - first).days == days
    assert previous_period("2027-01") == "2026-12"
    for bad in ("2026-13", "2026-1", "26-11", "", "2026-00", "abcd-ef"):
        with pytest.raises(InvalidPeriod):
            period_bounds(bad)


@pytest.mark.parametrize("period", list(MONTHS))
@given(rent=rents, data=st.data())
def test_proration_for_every_month_length(period: str, rent: Money, data: st.DataObject) -> None:
    days = MONTHS[period]
    first, after = period_bounds(period)
    assert prorate_rent(rent, service_days(period, first, None), days) == rent
    assert prorate_rent(rent, service_days(period, first - timedelta(days=40), after + timedelta(days=3)), days) == rent
    split = data.draw(st.integers(min_value=0, max_value=days))
    cut = first + timedelta(days=split)
    a = service_days(period, first, cut)
    b = service_days(period, cut, None)
    assert a + b == days
    part_a, part_b = prorate_rent(rent, a, days), prorate_rent(rent, b, days)
    # half-up per part: never more than 1 fen per part over (or under) the full rent
    assert abs((part_a + part_b).fen - rent.fen) <= 1
    # allocate-style split is exact
    exact = allocate_rent(rent, [a, b], days)
    assert Money.total(exact) == rent


@given(rent=rents, start=st.integers(0, 40), length=st.integers(0, 40))
def test_partial_periods_are_bounded_by_the_full_rent(rent: Money, start: int, length: int) -> None:
    period = "2026-11"
    begin = date(2026, 10, 20) + timedelta(days=start)
    days = service_days(period, begin, begin + timedelta(days=length))
    assert 0 <= days <= 30
    assert Money.zero() <= prorate_rent(rent, days, 30) <= rent


def test_rent_continues_only_during_a_lawful_suspension() -> None:
    assert rent_continues("lawful") is True
    for reason in ("arrears", "violation", "credit_limit", "something_else"):
        assert rent_continues(reason) is False
    period = "2026-11"
    start = date(2026, 11, 1)
    s_from, s_to = date(2026, 11, 11), date(2026, 11, 21)  # 10 days
    assert service_days(period, start, None, [(s_from, s_to, "lawful")]) == 30
    assert service_days(period, start, None, [(s_from, s_to, "arrears")]) == 20
    assert service_days(period, start, None, [(s_from, None, "violation")]) == 10
    # overlapping suspensions are not counted twice
    both = [(s_from, s_to, "arrears"), (date(2026, 11, 15), date(2026, 11, 25), "credit_limit")]
    assert service_days(period, start, None, both) == 16


def test_compose_bill_orders_lines_and_totals() -> None:
    draft = compose_bill(
        rent=[(("月租 · 基础套餐", "Monthly rent · Basic"), ("30/30 天", "30/30 days"), Money(3000))],
        vas=[
            (("增值业务 · 彩铃", "Value-added service · Ringback"), ("10/30 天", "10/30 days"), Money(167)),
            (("增值业务 · 留言", "Value-added service · Voicemail"), ("30/30 天", "30/30 days"), Money(500)),
        ],
        usage=UsageSummary(calls=3, seconds=305, amount=Money(125)),
        usage_description=("通话费", "Call charges"),
        adjustments=[(("调账 · 补收", "Adjustment · 补收"), Money(200))],
        credits=[(("减免 · 故障补偿", "Credit · 故障补偿"), Money(-300))],
        previous_balance=Money(1000),
        payments=Money(1000),
        total_due=Money(3692),
    )
    assert [line.kind for line in draft.lines] == ["rent", "vas", "vas", "usage", "adjustment", "credit"]
    assert draft.lines[3].quantity == draft.lines[3].quantity_en == "3 / 5:05"
    assert (draft.lines[0].description, draft.lines[0].description_en) == ("月租 · 基础套餐", "Monthly rent · Basic")
    assert (draft.lines[1].quantity, draft.lines[1].quantity_en) == ("10/30 天", "10/30 days")
    assert draft.lines[-1].amount == Money(-300)
    assert draft.new_charges == Money(3000 + 167 + 500 + 125 + 200 - 300)
    assert draft.expected_total == Money(1000 - 1000) + draft.new_charges
    assert draft.consistent
    empty = compose_bill(
        rent=[], vas=[], usage=UsageSummary(0, 0, Money(0)), usage_description=("通话费", "Call charges"), adjustments=[],
        credits=[], previous_balance=Money(0), payments=Money(0), total_due=Money(0),
    )  # fmt: skip
    assert empty.lines == () and empty.consistent


def test_bill_number() -> None:
    assert bill_number("2026-11", 42) == "B2026110000000042"

"""Tariff validation, effective-dated prices and the order rules (R-20, R-21, ADR 0004)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.billing.domain import tariffs as rules
from videophone.kernel.errors import InvalidState, PermissionDenied, ValidationFailed
from videophone.kernel.money import Money

PLAN: dict[str, Any] = {
    "code": "basic",
    "name_zh": "基础套餐",
    "name_en": "Basic",
    "monthly_rent": "18.00",
    "included_minutes": 100,
    "rate_per_minute": "0.15",
    "first_increment_seconds": 60,
    "next_increment_seconds": 60,
}


def codes(raw: dict[str, Any], validate: Any = rules.validate_plan) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as err:
        validate(raw)
    return {e.field: e.code for e in err.value.errors}


def test_a_valid_plan() -> None:
    plan = rules.validate_plan({**PLAN, "code": " Plus_2 ", "rate_per_minute": "0.1250"})
    assert plan.entry.code == "plus_2"
    assert plan.terms == rules.PlanTerms(Money(1800), 100, Decimal("0.1250"), 60, 60)
    assert plan.terms.to_detail()["monthly_rent"] == "18.00"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"code": "x"}, {"code": "tariff_code_format"}),
        ({"code": "has space"}, {"code": "tariff_code_format"}),
        ({"code": "a" * 33}, {"code": "too_long"}),
        ({"code": ""}, {"code": "required"}),
        ({"name_zh": " "}, {"name_zh": "required"}),
        ({"name_en": "n" * 101}, {"name_en": "too_long"}),
        ({"monthly_rent": "-1"}, {"monthly_rent": "money_negative"}),
        ({"monthly_rent": "1.005"}, {"monthly_rent": "money_format"}),
        ({"monthly_rent": 18.0}, {"monthly_rent": "money_format"}),
        ({"included_minutes": -1}, {"included_minutes": "below_minimum"}),
        ({"included_minutes": "ten"}, {"included_minutes": "not_an_integer"}),
        ({"rate_per_minute": "0.00001"}, {"rate_per_minute": "rate_format"}),
        ({"rate_per_minute": "-0.1"}, {"rate_per_minute": "rate_format"}),
        ({"rate_per_minute": None}, {"rate_per_minute": "required"}),
        ({"first_increment_seconds": 0}, {"first_increment_seconds": "below_minimum"}),
        ({"next_increment_seconds": 3601}, {"next_increment_seconds": "above_maximum"}),
    ],
)
def test_plan_validation(changes: dict[str, Any], expected: dict[str, str]) -> None:
    assert codes({**PLAN, **changes}) == expected


def test_every_problem_is_reported_at_once() -> None:
    found = codes({"code": "A", "monthly_rent": "x", "rate_per_minute": "y"})
    assert set(found) == {
        "code",
        "name_zh",
        "name_en",
        "monthly_rent",
        "included_minutes",
        "rate_per_minute",
        "first_increment_seconds",
        "next_increment_seconds",
    }


def test_vas_validation() -> None:
    vas = rules.validate_vas({"code": "voicemail", "name_zh": "视频留言", "name_en": "Voicemail", "monthly_fee": "5"})
    assert vas.monthly_fee == Money(500)
    assert codes({"code": "vm", "name_zh": "a", "name_en": "b", "monthly_fee": "-5"}, rules.validate_vas) == {
        "monthly_fee": "money_negative"
    }
    assert codes({"monthly_fee": ""}, rules.validate_vas_fee) == {"monthly_fee": "required"}


def test_a_new_price_starts_today_or_later() -> None:
    today = date(2026, 11, 21)
    assert rules.validate_effective_from("2026-11-21", today) == today
    assert rules.validate_effective_from(date(2027, 1, 1), today) == date(2027, 1, 1)
    for raw, code in (("2026-11-20", "price_date_in_past"), ("21/11/2026", "date_format"), ("", "date_format")):
        with pytest.raises(ValidationFailed) as err:
            rules.validate_effective_from(raw, today)
        assert err.value.errors[0].code == code


def test_canonical_rate() -> None:
    assert [str(rules.canonical_rate(r)) for r in ("0.1500", "0.125", "1", "0.0001")] == [
        "0.15",
        "0.125",
        "1.00",
        "0.0001",
    ]


@dataclass(frozen=True)
class Price:
    effective_from: date
    label: int


@given(
    st.lists(st.dates(date(2020, 1, 1), date(2030, 12, 31)), unique=True, max_size=12),
    st.dates(date(2019, 1, 1), date(2031, 12, 31)),
)
def test_price_in_force_is_the_latest_started(days: list[date], day: date) -> None:
    prices = [Price(d, i) for i, d in enumerate(days)]
    found = rules.price_in_force(prices, day)
    started = [p for p in prices if p.effective_from <= day]
    if not started:
        assert found is None
    else:
        assert found is not None and found.effective_from == max(p.effective_from for p in started)
    upcoming = rules.upcoming_prices(prices, day)
    assert all(p.effective_from > day for p in upcoming)
    assert len(upcoming) + len(started) == len(prices)
    assert [p.effective_from for p in upcoming] == sorted(p.effective_from for p in upcoming)


@given(st.dates(date(2000, 1, 1), date(2099, 12, 31)))
def test_plan_change_applies_from_the_first_of_next_month(today: date) -> None:
    effective = rules.plan_change_effective(today)
    assert effective.day == 1 and effective > today
    assert (effective - timedelta(days=1)).month == today.month  # the current plan keeps the whole month
    assert rules.vas_add_effective(today) == today == rules.vas_remove_effective(today)
    assert rules.vas_remove_end_date(today) == today + timedelta(days=1)  # exclusive: ends at the end of today


def test_plan_change_rules() -> None:
    today = date(2026, 12, 15)
    decision = rules.decide_plan_change(
        current_code="basic", pending_code=None, target_code="plus", target_active=True, today=today
    )
    # [start, end): the current plan's end_date is the new plan's first day.
    assert decision == rules.PlanDecision(rules.OrderKind.PLAN_CHANGE, date(2027, 1, 1), date(2027, 1, 1))
    first = rules.decide_plan_change(
        current_code=None, pending_code=None, target_code="plus", target_active=True, today=today
    )
    assert (first.kind, first.effective, first.current_end_date) == (rules.OrderKind.INITIAL_PLAN, today, None)
    for kwargs, code in (
        ({"current_code": "plus"}, "plan_already_current"),
        ({"target_active": False}, "plan_inactive"),
        ({"pending_code": "basic"}, "plan_change_pending"),
    ):
        args: dict[str, Any] = {
            "current_code": "basic",
            "pending_code": None,
            "target_code": "plus",
            "target_active": True,
            "today": today,
            **kwargs,
        }
        with pytest.raises(InvalidState) as err:
            rules.decide_plan_change(**args)
        assert err.value.code == code


def test_vas_rules() -> None:
    rules.check_vas_add(set(), "voicemail", True)
    with pytest.raises(InvalidState, match="vas_already_active"):
        rules.check_vas_add({"voicemail"}, "voicemail", True)
    with pytest.raises(InvalidState, match="vas_inactive"):
        rules.check_vas_add(set(), "voicemail", False)
    rules.check_vas_remove({"voicemail"}, "voicemail")
    with pytest.raises(InvalidState, match="vas_not_active"):
        rules.check_vas_remove(set(), "voicemail")


@pytest.mark.parametrize(
    ("state", "allowed"),
    [("verified", True), ("pending", False), ("documents_requested", False), ("rejected", False)],
)
def test_only_verified_subscribers_order(state: str, allowed: bool) -> None:
    if allowed:
        rules.check_may_order(state)
        return
    with pytest.raises(PermissionDenied) as err:
        rules.check_may_order(state)
    assert err.value.code == "capability_missing" and err.value.params == {"capability": "order_services"}


def test_order_number() -> None:
    assert rules.order_number(date(2026, 11, 21), 1) == "OD202611210001"
    assert rules.order_number(date(2026, 11, 21), 123456) == "OD20261121123456"

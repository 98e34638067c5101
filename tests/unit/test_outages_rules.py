"""Outage credits (R-27): < 24 continuous hours → nothing; otherwise the fees of the affected time,
never more, growing with the duration, each month with its own days, never twice for the same time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from videophone.kernel.errors import ValidationFailed
from videophone.kernel.money import Money
from videophone.notices.domain import outages as rules

TZ = ZoneInfo("Asia/Shanghai")
JUNE_1 = datetime(2026, 6, 1, tzinfo=TZ)  # June: 30 days
RENT = [rules.FeeSpan(date(2026, 1, 1), None, 3000)]  # 30 yuan a month


def test_a_30_hour_outage_in_june_credits_30_hours_of_rent() -> None:
    start = JUNE_1 + timedelta(days=5)
    # 3000 fen × 30 h / (30 days × 24 h) = 125 fen exactly
    assert rules.credit(start, start + timedelta(hours=30), RENT, TZ, cause="operator") == Money(125)


def test_shorter_than_24_hours_gives_nothing_and_24_hours_exactly_gives_a_day() -> None:
    start = JUNE_1 + timedelta(days=5)
    assert (
        rules.credit(start, start + timedelta(hours=23, minutes=59, seconds=59), RENT, TZ, cause="operator")
        == Money.zero()
    )
    assert rules.credit(start, start + timedelta(hours=24), RENT, TZ, cause="operator") == Money(100)


def test_value_added_fees_count_and_fees_not_in_force_do_not() -> None:
    fees = [*RENT, rules.FeeSpan(date(2026, 6, 10), None, 600)]  # a VAS from 10 June
    start = JUNE_1 + timedelta(days=7)  # 8 June 00:00, four days
    # rent 4 days = 400; VAS on 10 and 11 June = 2 × 20 = 40
    assert rules.credit(start, start + timedelta(days=4), fees, TZ, cause="operator") == Money(440)


def test_an_outage_across_two_months_uses_each_months_days() -> None:
    start = datetime(2026, 1, 31, tzinfo=TZ)  # 31 Jan (a 31-day month) and 1 Feb (a 28-day month)
    fees = [rules.FeeSpan(date(2026, 1, 1), None, 3100)]
    # 3100/31 = 100 for the January day, 3100/28 = 110.71 for the February day → 210 (rounded down)
    assert rules.credit(start, start + timedelta(days=2), fees, TZ, cause="operator") == Money(210)


def test_days_without_rent_are_not_credited_but_lawful_ones_are() -> None:
    start = JUNE_1 + timedelta(days=5)  # 6 June, three days
    end = start + timedelta(days=3)
    arrears = [(date(2026, 6, 7), date(2026, 6, 8), "arrears")]
    lawful = [(date(2026, 6, 7), date(2026, 6, 8), "lawful")]
    assert rules.credit(start, end, RENT, TZ, cause="operator", suspensions=arrears) == Money(200)
    assert rules.credit(start, end, RENT, TZ, cause="operator", suspensions=lawful) == Money(300)


def test_overlapping_incidents_are_not_credited_twice() -> None:
    a = (JUNE_1, JUNE_1 + timedelta(hours=48))
    b = (JUNE_1 + timedelta(hours=24), JUNE_1 + timedelta(hours=72))
    first = rules.credit(*a, RENT, TZ, cause="operator")
    second = rules.credit(*b, RENT, TZ, cause="operator", already_credited=[a])
    assert first == Money(200) and second == Money(100)  # only the third day is new
    assert rules.credit(*b, RENT, TZ, cause="operator", already_credited=[a, b]) == Money.zero()


def test_uncovered_pieces() -> None:
    h = [JUNE_1 + timedelta(hours=i) for i in range(10)]
    assert rules.uncovered((h[0], h[9]), [(h[2], h[3]), (h[5], h[7])]) == [(h[0], h[2]), (h[3], h[5]), (h[7], h[9])]
    assert rules.uncovered((h[2], h[4]), [(h[0], h[9])]) == []


def test_validation_reports_every_field() -> None:
    now = datetime(2026, 6, 10, tzinfo=UTC)
    with pytest.raises(ValidationFailed) as err:
        rules.validate_new(
            title=" ",
            description="",
            started_at=now + timedelta(hours=1),
            ended_at=now + timedelta(hours=2),
            scope="listed",
            numbers="",
            cause="",
            evidence="",
            now=now,
        )
    codes = {(e.field, e.code) for e in err.value.errors}
    assert codes == {
        ("title", "required"),
        ("started_at", "outage_in_future"),
        ("ended_at", "outage_in_future"),
        ("numbers", "outage_numbers_required"),
        ("cause", "required"),
    }
    with pytest.raises(ValidationFailed) as err:
        rules.validate_new(
            title="x",
            description="",
            started_at=now,
            ended_at=now,
            scope="some",
            numbers="",
            cause="earthquake",
            evidence="x" * 2001,
            now=now,
        )
    assert {(e.field, e.code) for e in err.value.errors} == {
        ("ended_at", "outage_end_before_start"),
        ("scope", "invalid_choice"),
        ("cause", "invalid_choice"),
        ("evidence", "too_long"),
    }
    ok = rules.validate_new(
        title=" 机房断电 ",
        description="",
        started_at=now - timedelta(days=2),
        ended_at=None,
        scope="listed",
        numbers="0101, 0102\n0101",
        cause="operator",
        evidence="",
        now=now,
    )
    assert ok.title == "机房断电" and ok.numbers == ("0101", "0102") and ok.ended_at is None
    assert ok.cause == "operator" and ok.evidence == ""


def test_a_cause_that_is_not_our_fault_needs_evidence() -> None:
    for cause in ("third_party", "internet", "force_majeure", "government"):
        with pytest.raises(ValidationFailed) as err:
            rules.validate_cause(cause, "  ")
        assert [(e.field, e.code) for e in err.value.errors] == [("evidence", "outage_evidence_required")]
        assert rules.validate_cause(f" {cause} ", " 台风“山竹”红色预警 ") == (cause, "台风“山竹”红色预警")
    assert rules.validate_cause("operator", "") == ("operator", "")
    with pytest.raises(ValidationFailed):
        rules.validate_cause(None, "x")


def test_a_30_hour_force_majeure_outage_credits_nothing_and_our_own_fault_does() -> None:
    start = JUNE_1 + timedelta(days=5)
    end = start + timedelta(hours=30)
    for cause in ("third_party", "internet", "force_majeure", "government"):
        assert not rules.earns_credit(cause, start, end)
        assert rules.credit(start, end, RENT, TZ, cause=cause) == Money.zero()
    assert rules.earns_credit("operator", start, end)
    assert rules.credit(start, end, RENT, TZ, cause="operator") == Money(125)
    assert not rules.earns_credit("operator", start, start + timedelta(hours=23))


@given(old=st.sampled_from(rules.CAUSES), new=st.sampled_from(rules.CAUSES))
def test_a_new_credit_round_exactly_when_who_is_owed_changes(old: str, new: str) -> None:
    start = JUNE_1
    end = start + timedelta(hours=30)
    owed_before = rules.credit(start, end, RENT, TZ, cause=old).fen > 0
    owed_after = rules.credit(start, end, RENT, TZ, cause=new).fen > 0
    assert rules.changes_credit(old, new) == (owed_before != owed_after)
    assert rules.changes_credit(old, new) == rules.changes_credit(new, old)


# -- properties ----------------------------------------------------------------------------------------------
instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=TZ)
)
durations = st.integers(min_value=0, max_value=90 * 86400).map(lambda s: timedelta(seconds=s))
fee_spans = st.lists(
    st.builds(
        rules.FeeSpan,
        start=st.dates(min_value=date(2024, 12, 1), max_value=date(2028, 1, 31)),
        end=st.one_of(st.none(), st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 3, 1))),
        monthly_fen=st.integers(min_value=0, max_value=1_000_000),
    ),
    min_size=0,
    max_size=4,
)


def _full_fees(start: datetime, end: datetime, fees: list[rules.FeeSpan]) -> Fraction:
    """Independent computation: the fees of each whole or partial day, hour by hour."""
    total = Fraction(0)
    t = start
    while t < end:
        step = min(end, (t.astimezone(TZ) + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)) - t
        day = t.astimezone(TZ).date()
        daily = sum(f.monthly_fen for f in fees if f.covers(day))
        days = (date(day.year + day.month // 12, day.month % 12 + 1, 1) - date(day.year, day.month, 1)).days
        total += Fraction(daily) * Fraction(step.total_seconds()) / (days * 86400)
        t += step
    return total


@settings(max_examples=150, deadline=None)
@given(start=instants, duration=durations, fees=fee_spans, cause=st.sampled_from(rules.CAUSES))
def test_credit_is_zero_below_24h_or_not_our_fault_and_never_more_than_the_fees(
    start: datetime, duration: timedelta, fees: list[rules.FeeSpan], cause: str
) -> None:
    got = rules.credit(start, start + duration, fees, TZ, cause=cause)
    if duration < timedelta(hours=24) or cause != "operator":
        assert got == Money.zero()
    else:
        exact = _full_fees(start, start + duration, fees)
        assert got.fen <= exact < got.fen + 1  # the fees of the affected time, rounded down


@settings(max_examples=150, deadline=None)
@given(start=instants, a=durations, b=durations, fees=fee_spans)
def test_credit_is_monotone_in_duration(start: datetime, a: timedelta, b: timedelta, fees: list[rules.FeeSpan]) -> None:
    short, long = sorted((a, b))
    assert (
        rules.credit(start, start + short, fees, TZ, cause="operator").fen
        <= rules.credit(start, start + long, fees, TZ, cause="operator").fen
    )


@settings(max_examples=150, deadline=None)
@given(s1=instants, d1=durations, offset=st.integers(-40 * 86400, 40 * 86400), d2=durations, fees=fee_spans)
def test_overlapping_incidents_together_never_exceed_the_fees_of_their_union(
    s1: datetime, d1: timedelta, offset: int, d2: timedelta, fees: list[rules.FeeSpan]
) -> None:
    a = (s1, s1 + d1)
    s2 = s1 + timedelta(seconds=offset)
    b = (s2, s2 + d2)
    first = rules.credit(*a, fees, TZ, cause="operator")
    second = rules.credit(*b, fees, TZ, cause="operator", already_credited=[a] if rules.qualifies(*a) else [])
    union = rules.exact_fees([*rules.uncovered(b, [a]), a], fees, TZ)
    assert first.fen + second.fen <= union

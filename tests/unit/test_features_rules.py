"""When a subscriber has a calling feature (issue 14: ``calling/domain/features.py``)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.calling.domain.features import (
    Feature,
    FeatureSubscription,
    covers,
    entitlements,
    parse_feature,
)

DAY = date(2026, 12, 6)
days = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31))
states = st.sampled_from(["active", "outgoing_barred", "suspended", "terminated"])
features = st.sampled_from([f.value for f in Feature] + ["fee_only_code"])


@st.composite
def subscriptions(draw: st.DrawFn) -> FeatureSubscription:
    start = draw(days)
    end = draw(st.none() | st.integers(min_value=1, max_value=400).map(lambda n: start + timedelta(days=n)))
    return FeatureSubscription(draw(features), start, end, draw(st.booleans()))


def test_a_subscription_covers_its_days_until_its_exclusive_end() -> None:
    sub = FeatureSubscription("caller_id", DAY, DAY + timedelta(days=2))
    assert [covers(sub, DAY + timedelta(days=n)) for n in (-1, 0, 1, 2)] == [False, True, True, False]
    assert covers(FeatureSubscription("caller_id", DAY, None), DAY + timedelta(days=9999))


def test_a_stopped_subscription_covers_nothing_although_its_day_is_billed() -> None:
    assert not covers(FeatureSubscription("voicemail", DAY, DAY + timedelta(days=1), stopped=True), DAY)


def test_only_an_active_or_outgoing_barred_account_uses_its_features() -> None:
    subs = [FeatureSubscription("caller_id", DAY, None), FeatureSubscription("forwarding", DAY, None)]
    both = {Feature.CALLER_ID, Feature.FORWARDING}
    assert entitlements(subs, DAY, "active") == both
    assert entitlements(subs, DAY, "outgoing_barred") == both  # incoming calls still come
    assert entitlements(subs, DAY, "suspended") == frozenset()
    assert entitlements(subs, DAY, "terminated") == frozenset()


def test_binding_a_catalog_entry() -> None:
    assert parse_feature("caller_id") is Feature.CALLER_ID
    assert parse_feature(" voicemail ") is Feature.VOICEMAIL
    assert parse_feature("") is None and parse_feature(None) is None
    with pytest.raises(ValueError):
        parse_feature("ringback_tone")


@given(st.lists(subscriptions(), max_size=8), days, states)
def test_a_feature_is_had_exactly_when_a_live_subscription_covers_the_day(
    subs: list[FeatureSubscription], day: date, state: str
) -> None:
    had = entitlements(subs, day, state)
    for feature in Feature:
        expected = state in {"active", "outgoing_barred"} and any(
            s.feature == feature.value
            and not s.stopped
            and s.start_date <= day
            and (s.end_date is None or day < s.end_date)
            for s in subs
        )
        assert (feature in had) == expected
    assert had <= set(Feature)


@given(st.lists(subscriptions(), max_size=8), days, states)
def test_more_subscriptions_never_take_a_feature_away(subs: list[FeatureSubscription], day: date, state: str) -> None:
    for i in range(len(subs)):
        assert entitlements(subs[:i], day, state) <= entitlements(subs, day, state)

"""What the account may do (domain.capabilities) is what the invite decides (domain.call_rules): one
rule, so ``/api/v1/me`` can never offer a call the signaling would refuse, or hide one it would ring."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from videophone.billing.domain.rating import RatePrice
from videophone.calling.domain import capabilities as caps
from videophone.calling.domain.call_rules import Party, caller_refusal, check_invite
from videophone.calling.domain.calls import EndReason
from videophone.collections.domain.credit import affords_a_step, call_charge
from videophone.identity.domain.kyc import CAPABILITIES, Capability, ReviewState
from videophone.kernel.money import Money

REASONS = ("", "arrears", "credit_limit", "violation", "lawful", "termination")
YUAN_A_MINUTE = RatePrice(1, 0, Decimal("1.00"), 60, 60)

prices = st.one_of(
    st.none(),
    st.builds(
        RatePrice,
        st.just(1),
        st.integers(0, 100),
        st.decimals(Decimal("0"), Decimal("5"), places=4),
        st.sampled_from((1, 6, 30, 60)),
        st.sampled_from((1, 6, 30, 60)),
    ),
)
credit_rooms = st.one_of(
    st.none(),
    st.builds(
        caps.CreditRoom,
        st.builds(Money, st.integers(-5000, 5000)),
        prices,
        st.integers(0, 6000),
        st.sampled_from(("outgoing_barred", "suspended")),
    ),
)


@st.composite
def accounts(draw: st.DrawFn) -> Party:
    state = draw(st.sampled_from(list(caps.ServiceState)))
    reason = "" if state is caps.ServiceState.ACTIVE else draw(st.sampled_from(REASONS))
    review = draw(st.sampled_from(list(ReviewState)))
    return Party(1, "95100000001", review.value, state.value, reason, draw(credit_rooms))


CALLEE = Party(2, "95100000002", "verified", "active")
FREE = {"caller_in_call": False, "blocked": False, "callee_in_call": False, "callee_devices": 1}


@given(accounts())
def test_the_invite_refuses_exactly_when_place_calls_is_withheld_and_says_why(caller: Party) -> None:
    can = caps.of(caller.account)
    refusal = check_invite(caller, CALLEE, **FREE)  # type: ignore[arg-type]
    if can.place_calls:
        assert refusal is None
    else:
        assert refusal is not None
        assert (refusal.reason, refusal.detail) == (EndReason.NOT_ALLOWED, can.reason(Capability.PLACE_CALLS))
    # Whatever else is wrong with the call, a caller who may not call hears that first.
    worst = check_invite(caller, None, caller_in_call=True, blocked=True, callee_in_call=True, callee_devices=0)
    assert worst is not None
    if not can.place_calls:
        assert worst.detail == can.reason(Capability.PLACE_CALLS)


@given(accounts())
def test_the_invite_rings_the_callee_exactly_when_receive_calls_is_allowed(callee: Party) -> None:
    callee = replace(callee, id=2, number="95100000002")
    caller = Party(1, "95100000001", "verified", "active")
    refusal = check_invite(caller, callee, **FREE)  # type: ignore[arg-type]
    if caps.of(callee.account).receive_calls:
        assert refusal is None
    else:
        assert refusal is not None and refusal.reason is EndReason.UNAVAILABLE


@given(accounts())
def test_the_credit_standing_only_matters_when_nothing_else_stops_calls(caller: Party) -> None:
    """Signaling reads the headroom only when the row alone allows calls: reading it always would
    decide the same."""
    unread = replace(caller, credit=None)
    if caller_refusal(unread) is not None:
        assert caller_refusal(caller) == caller_refusal(unread)
    assert caps.of(caller.account).receive_calls == caps.of(unread.account).receive_calls
    assert caps.of(caller.account).allowed == sorted(
        {c.value for c in Capability} - set(caps.of(caller.account).reasons)
    )


@given(accounts())
def test_a_credit_refusal_is_the_credit_bar_the_credit_limit_page_shows(caller: Party) -> None:
    can = caps.of(caller.account)
    why = can.reason(Capability.PLACE_CALLS)
    if why is not None and why.endswith("_credit_limit"):
        assert can.credit_bar == why
    # An active service with no headroom left: the bar shown is the refusal an invite gets.
    if caller.service_state == "active" and can.credit_bar is not None and why is not None:
        assert why in (can.credit_bar, caller.review_state)


@given(st.sampled_from(list(ReviewState)))
def test_without_restrictions_the_review_state_decides_as_before(review: ReviewState) -> None:
    can = caps.of(caps.AccountState(review.value, "active"))
    assert set(can.allowed) == {c.value for c in CAPABILITIES[review]}
    assert set(can.reasons.values()) <= {review.value}


def test_suspensions_withhold_both_ways_and_name_the_reason() -> None:
    for reason in ("arrears", "lawful", "violation", "termination"):
        can = caps.of(caps.AccountState("verified", "suspended", reason))
        assert not can.place_calls and not can.receive_calls
        assert can.reasons["place_calls"] == can.reasons["receive_calls"] == f"suspended_{reason}"
        assert "pay" in can.allowed and "view_account" in can.allowed
    barred = caps.of(caps.AccountState("verified", "outgoing_barred", "violation"))
    assert not barred.place_calls and barred.receive_calls
    assert barred.reasons == {"place_calls": "outgoing_barred_violation", "upload_documents": "verified"}
    gone = caps.of(caps.AccountState("verified", "terminated", "arrears"))
    assert gone.reason(Capability.PLACE_CALLS) == gone.reason(Capability.RECEIVE_CALLS) == "terminated"


def test_less_than_one_chargeable_step_left_bars_outgoing_calls() -> None:
    """¥0.05 left when the first minute costs ¥1: refused — the issue's case."""
    assert call_charge(60, YUAN_A_MINUTE, 0) == Money(100)
    assert not affords_a_step(Money(5), YUAN_A_MINUTE, 0)
    assert affords_a_step(Money(100), YUAN_A_MINUTE, 0)
    assert affords_a_step(Money(5), YUAN_A_MINUTE, 60)  # an included minute left costs nothing
    assert affords_a_step(Money(1), None, 0)  # an unpriced call costs nothing
    assert not affords_a_step(Money(0), None, 0)  # but no headroom at all is the limit reached
    nearly = caps.AccountState("verified", "active", credit=caps.CreditRoom(Money(5), YUAN_A_MINUTE, 0))
    can = caps.of(nearly)
    assert not can.place_calls and can.receive_calls
    assert can.reason(Capability.PLACE_CALLS) == can.credit_bar == "outgoing_barred_credit_limit"
    suspending = replace(nearly, credit=caps.CreditRoom(Money(5), YUAN_A_MINUTE, 0, "suspended"))
    assert caps.of(suspending).reason(Capability.PLACE_CALLS) == "suspended_credit_limit"
    enough = replace(nearly, credit=caps.CreditRoom(Money(100), YUAN_A_MINUTE, 0))
    assert caps.of(enough).place_calls and caps.of(enough).credit_bar is None


def test_a_credit_restriction_outranked_by_another_still_names_the_bar() -> None:
    both = caps.of(caps.AccountState("verified", "suspended", "arrears", credit_restriction="outgoing"))
    assert both.reason(Capability.PLACE_CALLS) == "suspended_arrears"
    assert both.credit_bar == "outgoing_barred_credit_limit"

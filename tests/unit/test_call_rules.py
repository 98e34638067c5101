from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from videophone.calling.domain.call_rules import Party, ServiceState, caller_refusal, can_receive, check_invite
from videophone.calling.domain.calls import EndReason
from videophone.identity.domain.kyc import ReviewState

OK = Party(1, "95100000001", "verified", "active")
CALLEE = Party(2, "95100000002", "pending", "active")


def refusal(**overrides: object) -> tuple[EndReason, str] | None:
    args: dict[str, object] = {"caller_in_call": False, "blocked": False, "callee_in_call": False, "callee_devices": 1}
    caller = overrides.pop("caller", OK)
    callee = overrides.pop("callee", CALLEE)
    args.update(overrides)
    result = check_invite(caller, callee, **args)  # type: ignore[arg-type]
    return None if result is None else (result.reason, result.detail)


def test_a_normal_call_may_ring() -> None:
    assert refusal() is None


def test_callers_service_and_review_state() -> None:
    assert refusal(caller=Party(1, "9", "verified", "outgoing_barred")) == (EndReason.NOT_ALLOWED, "outgoing_barred")
    assert refusal(caller=Party(1, "9", "verified", "suspended")) == (EndReason.NOT_ALLOWED, "suspended")
    assert refusal(caller=Party(1, "9", "verified", "terminated")) == (EndReason.NOT_ALLOWED, "terminated")
    # The detail says why the service is restricted, so the caller can be told.
    assert refusal(caller=Party(1, "9", "verified", "suspended", "arrears")) == (
        EndReason.NOT_ALLOWED,
        "suspended_arrears",
    )
    assert refusal(caller=Party(1, "9", "verified", "outgoing_barred", "credit_limit")) == (
        EndReason.NOT_ALLOWED,
        "outgoing_barred_credit_limit",
    )
    assert refusal(caller=Party(1, "9", "documents_requested", "active")) == (
        EndReason.NOT_ALLOWED,
        "documents_requested",
    )
    assert refusal(caller=Party(1, "9", "rejected", "active")) == (EndReason.NOT_ALLOWED, "rejected")
    assert refusal(caller_in_call=True) == (EndReason.NOT_ALLOWED, "in_call")


def test_the_callee_side() -> None:
    assert refusal(callee=None) == (EndReason.NUMBER_UNKNOWN, "")
    assert refusal(callee=Party(1, OK.number, "verified", "active")) == (EndReason.NOT_ALLOWED, "self")
    assert refusal(blocked=True) == (EndReason.BLOCKED, "")
    assert refusal(callee=Party(2, "9", "rejected", "active")) == (EndReason.UNAVAILABLE, "")
    assert refusal(callee=Party(2, "9", "verified", "suspended")) == (EndReason.UNAVAILABLE, "")
    assert refusal(callee_in_call=True) == (EndReason.BUSY, "")
    assert refusal(callee_devices=0) == (EndReason.OFFLINE, "")
    # outgoing barred still receives calls
    assert can_receive(Party(2, "9", "verified", "outgoing_barred"))


@given(
    st.sampled_from(list(ReviewState)),
    st.sampled_from(list(ServiceState)),
    st.booleans(),
    st.booleans(),
    st.integers(0, 3),
)
def test_a_blocked_caller_never_learns_more_than_unavailable(
    review: ReviewState, service: ServiceState, busy: bool, offline_flag: bool, devices: int
) -> None:
    callee = Party(2, "9", review.value, service.value)
    result = check_invite(OK, callee, caller_in_call=False, blocked=True, callee_in_call=busy, callee_devices=devices)
    assert result is not None and result.reason is EndReason.BLOCKED


@given(st.sampled_from(list(ReviewState)), st.sampled_from(list(ServiceState)))
def test_a_caller_who_may_not_call_is_refused_whatever_the_callee(review: ReviewState, service: ServiceState) -> None:
    caller = Party(1, "9", review.value, service.value)
    if caller_refusal(caller) is not None:
        assert refusal(caller=caller, callee=None) == (EndReason.NOT_ALLOWED, caller_refusal(caller).detail)  # type: ignore[union-attr]

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.identity.domain import kyc
from videophone.identity.domain.kyc import Capability, ReviewAction, ReviewState
from videophone.kernel.errors import InvalidState


def test_pending_can_be_verified_asked_for_documents_or_rejected() -> None:
    assert kyc.review(ReviewState.PENDING, ReviewAction.VERIFY) is ReviewState.VERIFIED
    assert kyc.review(ReviewState.PENDING, ReviewAction.REQUEST_DOCUMENTS) is ReviewState.DOCUMENTS_REQUESTED
    assert kyc.review(ReviewState.PENDING, ReviewAction.REJECT) is ReviewState.REJECTED


def test_documents_requested_needs_an_upload_before_verification() -> None:
    with pytest.raises(InvalidState) as err:
        kyc.review(ReviewState.DOCUMENTS_REQUESTED, ReviewAction.VERIFY, documents_uploaded=False)
    assert err.value.code == "review_documents_missing"
    assert kyc.review(ReviewState.DOCUMENTS_REQUESTED, ReviewAction.VERIFY, documents_uploaded=True) is (
        ReviewState.VERIFIED
    )
    # Refusal to provide documents → rejected (service stopped), with or without an upload.
    assert kyc.review(ReviewState.DOCUMENTS_REQUESTED, ReviewAction.REJECT, documents_uploaded=False) is (
        ReviewState.REJECTED
    )


def test_rejected_is_final() -> None:
    for action in ReviewAction:
        with pytest.raises(InvalidState):
            kyc.review(ReviewState.REJECTED, action)
    assert kyc.allowed_actions(ReviewState.REJECTED) == []


def test_capabilities_per_state() -> None:
    # Service usable once registered (篇1 §3.1) …
    assert kyc.can(ReviewState.PENDING, Capability.PLACE_CALLS)
    assert not kyc.can(ReviewState.PENDING, Capability.ORDER_SERVICES)
    # … fully once verified …
    assert kyc.can(ReviewState.VERIFIED, Capability.ORDER_SERVICES)
    assert not kyc.can(ReviewState.VERIFIED, Capability.UPLOAD_DOCUMENTS)
    # … outgoing service stops while documents are requested (003 §1) …
    assert not kyc.can(ReviewState.DOCUMENTS_REQUESTED, Capability.PLACE_CALLS)
    assert kyc.can(ReviewState.DOCUMENTS_REQUESTED, Capability.UPLOAD_DOCUMENTS)
    assert kyc.can(ReviewState.DOCUMENTS_REQUESTED, Capability.RECEIVE_CALLS)
    # … and stops entirely on rejection, but the subscriber can still see, export and pay.
    for cap in (
        Capability.PLACE_CALLS,
        Capability.RECEIVE_CALLS,
        Capability.ORDER_SERVICES,
        Capability.EDIT_CONTACT_DETAILS,
        Capability.UPLOAD_DOCUMENTS,
    ):
        assert not kyc.can(ReviewState.REJECTED, cap)
    for cap in (Capability.LOG_IN, Capability.VIEW_ACCOUNT, Capability.EXPORT_DATA, Capability.PAY):
        assert all(kyc.can(state, cap) for state in ReviewState)


def test_reasons_are_required_except_for_verification() -> None:
    assert not kyc.requires_reason(ReviewAction.VERIFY)
    assert kyc.requires_reason(ReviewAction.REQUEST_DOCUMENTS)
    assert kyc.requires_reason(ReviewAction.REJECT)


@given(st.lists(st.tuples(st.sampled_from(list(ReviewAction)), st.booleans()), max_size=30))
def test_any_sequence_of_decisions_stays_in_a_known_state(steps: list[tuple[ReviewAction, bool]]) -> None:
    state = ReviewState.PENDING
    for action, uploaded in steps:
        before = state
        try:
            state = kyc.review(state, action, documents_uploaded=uploaded)
        except InvalidState:
            assert state is before  # a refused action changes nothing
            continue
        assert action in kyc.allowed_actions(before)
        if before is ReviewState.REJECTED:
            pytest.fail("left the final state")
    assert state in ReviewState

"""Identity review (KYC, R-03): states, transitions and what a subscriber may do in each state.

See docs/adr/0002-identity-review-states.md for the reasoning behind the capability table.
"""

from __future__ import annotations

from enum import StrEnum

from videophone.kernel.errors import InvalidState


class ReviewState(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    DOCUMENTS_REQUESTED = "documents_requested"
    REJECTED = "rejected"


class ReviewAction(StrEnum):
    VERIFY = "verify"
    REQUEST_DOCUMENTS = "request_documents"
    REJECT = "reject"


class Capability(StrEnum):
    """Things a subscriber does that depend on the review state."""

    LOG_IN = "log_in"
    VIEW_ACCOUNT = "view_account"
    EDIT_CONTACT_DETAILS = "edit_contact_details"
    EXPORT_DATA = "export_data"
    UPLOAD_DOCUMENTS = "upload_documents"
    PLACE_CALLS = "place_calls"
    RECEIVE_CALLS = "receive_calls"
    ORDER_SERVICES = "order_services"
    PAY = "pay"


_ALWAYS = {Capability.LOG_IN, Capability.VIEW_ACCOUNT, Capability.EXPORT_DATA, Capability.PAY}

CAPABILITIES: dict[ReviewState, frozenset[Capability]] = {
    # 篇1 §3.1: service is usable once registered — review runs in parallel, but buying extras waits.
    ReviewState.PENDING: frozenset(
        _ALWAYS | {Capability.EDIT_CONTACT_DETAILS, Capability.PLACE_CALLS, Capability.RECEIVE_CALLS}
    ),
    ReviewState.VERIFIED: frozenset(Capability) - {Capability.UPLOAD_DOCUMENTS},
    # 003 §1: data false or incomplete → a copy of the ID is asked for and service may be stopped:
    # outgoing service and new orders stop until the documents are checked; calls still reach them.
    ReviewState.DOCUMENTS_REQUESTED: frozenset(
        _ALWAYS | {Capability.EDIT_CONTACT_DETAILS, Capability.UPLOAD_DOCUMENTS, Capability.RECEIVE_CALLS}
    ),
    # Refusal or falsity → service stopped; the subscriber can still see why, export data and pay.
    ReviewState.REJECTED: frozenset(_ALWAYS),
}

_TRANSITIONS: dict[tuple[ReviewState, ReviewAction], ReviewState] = {
    (ReviewState.PENDING, ReviewAction.VERIFY): ReviewState.VERIFIED,
    (ReviewState.PENDING, ReviewAction.REQUEST_DOCUMENTS): ReviewState.DOCUMENTS_REQUESTED,
    (ReviewState.PENDING, ReviewAction.REJECT): ReviewState.REJECTED,
    (ReviewState.DOCUMENTS_REQUESTED, ReviewAction.VERIFY): ReviewState.VERIFIED,
    (ReviewState.DOCUMENTS_REQUESTED, ReviewAction.REJECT): ReviewState.REJECTED,
    # Data later found doubtful: a verified subscriber can be asked for documents again.
    (ReviewState.VERIFIED, ReviewAction.REQUEST_DOCUMENTS): ReviewState.DOCUMENTS_REQUESTED,
}


def can(state: ReviewState, capability: Capability) -> bool:
    return capability in CAPABILITIES[state]


def review(state: ReviewState, action: ReviewAction, *, documents_uploaded: bool = True) -> ReviewState:
    """The state after a reviewer's action, or :class:`InvalidState`.

    Verifying a subscriber whose documents were requested needs the documents first.
    """
    target = _TRANSITIONS.get((state, action))
    if target is None:
        raise InvalidState("review_transition_invalid", params={"state": state.value, "action": action.value})
    if state is ReviewState.DOCUMENTS_REQUESTED and action is ReviewAction.VERIFY and not documents_uploaded:
        raise InvalidState("review_documents_missing")
    return target


def allowed_actions(state: ReviewState) -> list[ReviewAction]:
    return [action for (src, action) in _TRANSITIONS if src is state]


def requires_reason(action: ReviewAction) -> bool:
    """A request for documents and a rejection must say why — the subscriber is shown the reason."""
    return action is not ReviewAction.VERIFY

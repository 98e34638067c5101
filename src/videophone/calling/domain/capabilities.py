"""What an account may do now (R-03 review, R-24 arrears, R-26 credit limit, R-30/R-31 enforcement,
R-32 termination) — the one answer that the invite decision (``call_rules``), ``GET /api/v1/me``,
``GET /api/v1/me/credit-limit`` and the phone page all read, so they cannot disagree.

Inputs, all already on the subscriber's row or computed where the caller needs them anyway:

- the identity-review state (``kyc``: what each state allows);
- the service state and its reason — derived from the open restrictions (arrears, credit_limit,
  violation, lawful, termination; ``services.restrictions``): ``suspended`` stops calls both ways,
  ``outgoing_barred`` stops calls placed, ``terminated`` is final.  (Withdrawing a value-added service
  ends that service only: it restricts nothing listed here.);
- for a subscriber with a credit limit, where they stand for a new call (:class:`CreditRoom`): with
  less than the smallest chargeable step of their tariff left, no call can be placed, whether or not
  the ``credit_limit`` restriction has been written yet.

Each thing the account may not do comes with why, in the words an invite refused for it carries as
its ``detail`` (``suspended_arrears``, ``outgoing_barred_credit_limit``, ``documents_requested`` …).
Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from videophone.billing.domain.rating import RatePrice
from videophone.collections.domain import credit as credit_rules
from videophone.identity.domain import kyc
from videophone.identity.domain.kyc import Capability
from videophone.kernel.money import Money

__all__ = ["AccountState", "Capabilities", "Capability", "CreditRoom", "ServiceState", "of", "restriction_detail"]

CREDIT_LIMIT = "credit_limit"  # the restriction reason of the credit limit


class ServiceState(StrEnum):
    ACTIVE = "active"
    OUTGOING_BARRED = "outgoing_barred"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


_STATE_OF_SCOPE = {"outgoing": ServiceState.OUTGOING_BARRED, "all": ServiceState.SUSPENDED}


@dataclass(frozen=True)
class CreditRoom:
    """Where a subscriber with a credit limit stands for a call started now."""

    room: Money  # headroom net of the reservations of their calls in progress
    price: RatePrice | None  # the price such a call is rated at (None: unpriced, costs nothing)
    included_left: int  # allowance seconds it may count on
    action: str = ServiceState.OUTGOING_BARRED.value  # what reaching the limit does (policy): or "suspended"

    @property
    def affordable(self) -> bool:
        """At least the smallest chargeable step fits (``domain.credit.affords_a_step``)."""
        return credit_rules.affords_a_step(self.room, self.price, self.included_left)


@dataclass(frozen=True)
class AccountState:
    review_state: str
    service_state: str
    service_reason: str = ""  # why the service is restricted (the deciding restriction's reason)
    # A limited subscriber's standing; ``None``: no limit — or not read because something else
    # already stops calls (it only ever decides ``place_calls``).
    credit: CreditRoom | None = None
    # The scope ("outgoing" / "all") of an open credit_limit restriction that another, older one
    # outranks in ``service_reason`` — it only names the credit bar; it changes no capability.
    credit_restriction: str = ""


@dataclass(frozen=True)
class Capabilities:
    account: AccountState
    refused: Mapping[Capability, str] = field(default_factory=dict)  # what may not be done, and why

    @property
    def credit_bar(self) -> str | None:
        """The credit limit's bar while it bars calls, e.g. "outgoing_barred_credit_limit" (what
        ``/me/credit-limit`` shows as ``reason``); ``None`` when the limit bars nothing."""
        return _credit_bar(self.account)

    def may(self, capability: Capability) -> bool:
        return capability not in self.refused

    def reason(self, capability: Capability) -> str | None:
        return self.refused.get(capability)

    @property
    def place_calls(self) -> bool:
        return self.may(Capability.PLACE_CALLS)

    @property
    def receive_calls(self) -> bool:
        return self.may(Capability.RECEIVE_CALLS)

    @property
    def allowed(self) -> list[str]:
        """The names of what may be done, sorted (``/me``'s ``capabilities``)."""
        return sorted(c.value for c in Capability if c not in self.refused)

    @property
    def reasons(self) -> dict[str, str]:
        """Why each other thing may not be done (``/me``'s ``capability_reasons``)."""
        return {c.value: self.refused[c] for c in sorted(self.refused, key=lambda c: c.value)}


def restriction_detail(service_state: str, service_reason: str) -> str:
    """The words for a restricted service: ``terminated``, ``suspended_arrears``, ``outgoing_barred`` …"""
    if service_state == "terminated":
        return service_state
    return f"{service_state}_{service_reason}" if service_reason else service_state


def _live_credit_bar(account: AccountState) -> str | None:
    """Less than one chargeable step left: calls stop, as the policy's action says, before (or
    without) the restriction being written."""
    if account.credit is None or account.credit.affordable:
        return None
    return f"{account.credit.action}_{CREDIT_LIMIT}"


def _credit_bar(account: AccountState) -> str | None:
    """The credit limit's bar, if it bars calls: the restriction when written (deciding the service
    state, or outranked by an older one), else the headroom."""
    if account.service_state == ServiceState.TERMINATED.value:
        return None
    if account.service_reason == CREDIT_LIMIT:
        return f"{account.service_state}_{CREDIT_LIMIT}"
    scope = _STATE_OF_SCOPE.get(account.credit_restriction)
    if scope is not None:
        return f"{scope.value}_{CREDIT_LIMIT}"
    return _live_credit_bar(account)


# What each review state withholds, and why (its name), and the service states by name: computed
# once, plain strings — ``of`` runs at every invite (twice), so it does no enum look-ups.
_REVIEW_REFUSED: dict[str, dict[Capability, str]] = {
    review.value: {c: review.value for c in Capability if not kyc.can(review, c)} for review in kyc.ReviewState
}
_ACTIVE, _OUTGOING_BARRED = ServiceState.ACTIVE.value, ServiceState.OUTGOING_BARRED.value
_SERVICE_STATES = frozenset(state.value for state in ServiceState)
_PLACE, _RECEIVE = Capability.PLACE_CALLS, Capability.RECEIVE_CALLS


def of(account: AccountState) -> Capabilities:
    """What ``account`` may do now, and why not for the rest."""
    state = account.service_state
    review = _REVIEW_REFUSED.get(account.review_state)
    if review is None or state not in _SERVICE_STATES:
        raise ValueError(f"unknown review or service state: {account.review_state!r}, {state!r}")
    refused = dict(review)
    # The service state outranks the review state (it is what the subscriber can act on now), and
    # the credit limit comes last: it is only read when nothing else stops calls.
    if state != _ACTIVE:
        restricted = restriction_detail(state, account.service_reason)
        refused[_PLACE] = restricted
        if state != _OUTGOING_BARRED:  # suspended, terminated
            refused[_RECEIVE] = restricted
    if account.credit is not None and _PLACE not in refused:
        live = _live_credit_bar(account)
        if live is not None:
            refused[_PLACE] = live
    return Capabilities(account, refused)

"""Who may call whom (R-10, R-12, and the service states the billing issues drive).

Checked at every invite, in an order that leaks nothing: a blocked caller is told "unavailable"
before anything about the callee's state (busy, offline) could be learned.
"""

from __future__ import annotations

from dataclasses import dataclass

from videophone.calling.domain import capabilities as caps
from videophone.calling.domain.calls import EndReason

# The service states live with what they allow (``domain.capabilities``); named here too, as before.
ServiceState = caps.ServiceState


@dataclass(frozen=True)
class Party:
    id: int
    number: str
    review_state: str
    service_state: str
    service_reason: str = ""  # why the service is restricted (arrears, credit_limit, violation, lawful)
    # A caller's credit-limit standing, when they have a limit and nothing else stops their calls.
    credit: caps.CreditRoom | None = None

    @property
    def account(self) -> caps.AccountState:
        return caps.AccountState(self.review_state, self.service_state, self.service_reason, self.credit)

    def capabilities(self) -> caps.Capabilities:
        """What this party may do now — the same answer ``/api/v1/me`` gives."""
        return caps.of(self.account)


@dataclass(frozen=True)
class Refusal:
    reason: EndReason
    detail: str = ""


def caller_refusal(caller: Party) -> Refusal | None:
    """Why this subscriber may not place calls now, if they may not: ``capabilities.place_calls``
    refused, its reason as the detail (e.g. "suspended_arrears", "outgoing_barred_credit_limit")."""
    why = caller.capabilities().reason(caps.Capability.PLACE_CALLS)
    return None if why is None else Refusal(EndReason.NOT_ALLOWED, why)


def can_receive(callee: Party) -> bool:
    return callee.capabilities().receive_calls


def check_invite(
    caller: Party,
    callee: Party | None,
    *,
    caller_in_call: bool,
    blocked: bool,
    callee_in_call: bool,
    callee_devices: int,
) -> Refusal | None:
    """``None`` when the call may ring; otherwise why not."""
    refusal = caller_refusal(caller)
    if refusal is not None:
        return refusal
    if caller_in_call:
        return Refusal(EndReason.NOT_ALLOWED, "in_call")
    if callee is None:
        return Refusal(EndReason.NUMBER_UNKNOWN)
    if callee.id == caller.id:
        return Refusal(EndReason.NOT_ALLOWED, "self")
    if blocked:
        return Refusal(EndReason.BLOCKED)
    if not can_receive(callee):
        return Refusal(EndReason.UNAVAILABLE)
    if callee_in_call:
        return Refusal(EndReason.BUSY)
    if callee_devices == 0:
        return Refusal(EndReason.OFFLINE)
    return None


def divertible(refusal: Refusal | None) -> bool:
    """Whether a call the rules would ring, or refuse as busy or offline, is the diversion's to decide
    (forwarding or the mailbox, R-17/R-18)."""
    return refusal is None or refusal.reason in (EndReason.BUSY, EndReason.OFFLINE)

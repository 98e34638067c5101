"""Who may call whom (R-10, R-12, and the service states the billing issues drive).

Checked at every invite, in an order that leaks nothing: a blocked caller is told "unavailable"
before anything about the callee's state (busy, offline) could be learned.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from videophone.domain import kyc
from videophone.domain.calls import EndReason


class ServiceState(StrEnum):
    ACTIVE = "active"
    OUTGOING_BARRED = "outgoing_barred"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


@dataclass(frozen=True)
class Party:
    id: int
    number: str
    review_state: str
    service_state: str
    service_reason: str = ""  # why the service is restricted (arrears, credit_limit, violation, lawful)


@dataclass(frozen=True)
class Refusal:
    reason: EndReason
    detail: str = ""


def caller_refusal(caller: Party) -> Refusal | None:
    """Why this subscriber may not place calls now, if they may not."""
    service = ServiceState(caller.service_state)
    if service is ServiceState.TERMINATED:
        return Refusal(EndReason.NOT_ALLOWED, "terminated")
    if service in (ServiceState.SUSPENDED, ServiceState.OUTGOING_BARRED):
        # The detail says why, e.g. "suspended_arrears", "outgoing_barred_credit_limit".
        reason = f"_{caller.service_reason}" if caller.service_reason else ""
        return Refusal(EndReason.NOT_ALLOWED, f"{service.value}{reason}")
    review = kyc.ReviewState(caller.review_state)
    if not kyc.can(review, kyc.Capability.PLACE_CALLS):
        return Refusal(EndReason.NOT_ALLOWED, review.value)
    return None


def can_receive(callee: Party) -> bool:
    service = ServiceState(callee.service_state)
    if service in (ServiceState.SUSPENDED, ServiceState.TERMINATED):
        return False
    return kyc.can(kyc.ReviewState(callee.review_state), kyc.Capability.RECEIVE_CALLS)


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

"""How a call's fate reads in SIP (issue 16, ADR 0012): the final answer a phone that called gets for an
``ended`` before the answer, and what a ringing phone's refusal means to the call.

The reasons are the ones the browser is told (``calls.public_reason``): a blocked caller hears the
same as for an unreachable callee (480), never that they were blocked.
"""

from __future__ import annotations

from videophone.calling.domain.calls import EndReason

# (status, reason phrase) of the INVITE of a phone whose call ended before it was answered.
_FINAL: dict[str, tuple[int, str]] = {
    EndReason.BUSY.value: (486, "Busy Here"),
    EndReason.REJECTED.value: (603, "Decline"),
    EndReason.NO_ANSWER.value: (480, "Temporarily Unavailable"),
    EndReason.OFFLINE.value: (480, "Temporarily Unavailable"),
    EndReason.UNAVAILABLE.value: (480, "Temporarily Unavailable"),
    EndReason.VOICEMAIL.value: (480, "Temporarily Unavailable"),
    EndReason.NUMBER_UNKNOWN.value: (404, "Not Found"),
    EndReason.NOT_ALLOWED.value: (403, "Forbidden"),
    EndReason.CUT_OFF_CREDIT.value: (402, "Payment Required"),
    EndReason.CANCELLED.value: (487, "Request Terminated"),
    EndReason.HANGUP.value: (487, "Request Terminated"),
    EndReason.CONNECTION_LOST.value: (503, "Service Unavailable"),
    EndReason.NODE_LOST.value: (503, "Service Unavailable"),
    EndReason.FAILED.value: (500, "Server Internal Error"),
}
# A hub error about an invite (docs/signaling.md codes) as the phone's final answer.
_ERRORS: dict[str, tuple[int, str]] = {
    "invalid_message": (400, "Bad Request"),
    "duplicate_call_id": (482, "Loop Detected"),
}


# Refusals about money (the ``detail`` of a ``not_allowed``): the phone hears 402, not a bare 403.
_PAYMENT_DETAILS = ("outgoing_barred_credit_limit", "suspended_arrears", "restricted_arrears")


def final_for_reason(reason: str, detail: str = "") -> tuple[int, str]:
    """The final answer to a phone's INVITE whose call ended, unanswered, for ``reason`` (and the
    refusal's ``detail``: a credit-limit bar or arrears read 402 Payment Required)."""
    if reason == EndReason.NOT_ALLOWED.value and detail in _PAYMENT_DETAILS:
        return 402, "Payment Required"
    return _FINAL.get(reason, (500, "Server Internal Error"))


def final_for_error(code: str) -> tuple[int, str]:
    return _ERRORS.get(code, (500, "Server Internal Error"))


def declines(status: int) -> bool:
    """A ringing phone's final refusal that declines the call for its subscriber (as a browser's
    "decline" does): busy here, busy everywhere, decline.  Any other failure (unreachable, timeout,
    codecs) only means this phone does not ring: the subscriber's other devices go on ringing."""
    return status in (486, 600, 603)

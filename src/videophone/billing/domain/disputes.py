"""Billing disputes (R-25, agreement 003 §6): pure rules over values.

A dispute is about one bill of the subscriber, optionally one call charged on that bill.  The amount
disputed defaults to that call's charge (or the bill's new charges) and may be lower, never higher and
never zero or less; a reason is required.  At most one dispute per (bill, call) is open at a time.
Staff must answer by the deadline (opened + ``policy.dispute_response_days`` days); a dispute still
open after it is overdue.  A dispute is decided exactly once: ``open → adjusted`` (a credit of at most
the disputed amount, with an explanation) or ``open → rejected`` (with an explanation the subscriber
reads).

Error codes introduced here: ``dispute_nothing_to_dispute``, ``dispute_amount_not_positive``,
``dispute_amount_too_high`` (``params["max"]``), ``dispute_already_open`` (``params["dispute_id"]``),
``dispute_credit_not_positive``, ``dispute_credit_too_high`` (``params["max"]``),
``dispute_already_decided`` (``params["state"]``); reused: ``required``, ``too_long`` (``params["max"]``),
``money_format``, ``invalid_input``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from videophone.kernel.errors import Conflict, FieldError, InvalidState, ValidationFailed
from videophone.kernel.money import Money, parse_yuan

REASON_MAX = 1000
EXPLANATION_MAX = 1000


class DisputeState(StrEnum):
    OPEN = "open"
    ADJUSTED = "adjusted"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Opening:
    """A valid new dispute: the amount disputed and the subscriber's reason."""

    amount: Money
    reason: str


@dataclass(frozen=True)
class Decision:
    """A valid decision: the state it leads to, the credit (zero for a rejection) and the explanation."""

    state: DisputeState
    credit: Money
    explanation: str


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _text(raw: object, field: str, maximum: int, errors: list[FieldError]) -> str:
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        errors.append(FieldError(field, "invalid_input"))
        return ""
    text = raw.strip()
    if not text:
        errors.append(FieldError(field, "required"))
    elif len(text) > maximum:
        errors.append(FieldError(field, "too_long", {"max": maximum}))
    return text


def _amount(raw: object, field: str, errors: list[FieldError]) -> Money | None:
    try:
        return parse_yuan(raw, field=field, allow_negative=True)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        return None


def validate_opening(disputable: Money, amount_yuan: object, reason: object, *, target_field: str) -> Opening:
    """A new dispute about something charged ``disputable`` (the call's charge or the bill's new
    charges); ``amount_yuan`` blank → the whole of it.  ``target_field`` names the input that chose what
    is disputed (``call_id`` or ``bill_id``) for the "nothing to dispute" error."""
    errors: list[FieldError] = []
    amount = disputable
    if disputable.fen <= 0:
        errors.append(FieldError(target_field, "dispute_nothing_to_dispute"))
    elif not _blank(amount_yuan):
        parsed = _amount(amount_yuan, "amount_yuan", errors)
        if parsed is not None:
            if parsed.fen <= 0:
                errors.append(FieldError("amount_yuan", "dispute_amount_not_positive"))
            elif parsed > disputable:
                errors.append(FieldError("amount_yuan", "dispute_amount_too_high", {"max": str(disputable.yuan)}))
            else:
                amount = parsed
    text = _text(reason, "reason", REASON_MAX, errors)
    if errors:
        raise ValidationFailed(errors)
    return Opening(amount, text)


def ensure_none_open(open_dispute_id: int | None) -> None:
    """At most one open dispute per (bill, call): :class:`Conflict` if ``open_dispute_id`` is one."""
    if open_dispute_id is not None:
        raise Conflict("dispute_already_open", params={"dispute_id": open_dispute_id})


def deadline(opened_at: datetime, response_days: int) -> datetime:
    """When staff must have answered."""
    return opened_at + timedelta(days=response_days)


def is_overdue(state: str, due_at: datetime, now: datetime) -> bool:
    """Still open after the deadline."""
    return state == DisputeState.OPEN.value and now > due_at


def _ensure_open(state: str) -> None:
    if state != DisputeState.OPEN.value:
        raise InvalidState("dispute_already_decided", params={"state": state})


def validate_adjustment(state: str, disputed: Money, credit_yuan: object, explanation: object) -> Decision:
    """Resolve by a credit of more than zero and at most the disputed amount, with an explanation."""
    _ensure_open(state)
    errors: list[FieldError] = []
    credit = Money.zero()
    parsed = None if _blank(credit_yuan) else _amount(credit_yuan, "credit_yuan", errors)
    if _blank(credit_yuan):
        errors.append(FieldError("credit_yuan", "required"))
    elif parsed is not None:
        if parsed.fen <= 0:
            errors.append(FieldError("credit_yuan", "dispute_credit_not_positive"))
        elif parsed > disputed:
            errors.append(FieldError("credit_yuan", "dispute_credit_too_high", {"max": str(disputed.yuan)}))
        else:
            credit = parsed
    text = _text(explanation, "explanation", EXPLANATION_MAX, errors)
    if errors:
        raise ValidationFailed(errors)
    return Decision(DisputeState.ADJUSTED, credit, text)


def validate_rejection(state: str, explanation: object) -> Decision:
    """Reject with an explanation the subscriber will read."""
    _ensure_open(state)
    errors: list[FieldError] = []
    text = _text(explanation, "explanation", EXPLANATION_MAX, errors)
    if errors:
        raise ValidationFailed(errors)
    return Decision(DisputeState.REJECTED, Money.zero(), text)

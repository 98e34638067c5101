"""Enforcement of the agreement (R-30 violations, R-31 lawful suspension): what staff may do, what it
restricts, and which calls in progress a service state forbids (signaling ends them at once).

Pure rules: no clock, no database.  ``services.violations`` / ``services.lawful`` apply them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from videophone.calling.domain.call_rules import ServiceState
from videophone.kernel.errors import FieldError, InvalidState, ValidationFailed

REASON_MAX = 1000
AUTHORITY_MAX = 200
REFERENCE_MAX = 200
MAX_EVIDENCE_FILES = 5


class Action(StrEnum):
    WARNING = "warning"  # a notice only
    RESTRICT_OUTGOING = "restrict_outgoing"  # restriction "violation", scope outgoing
    WITHDRAW_VAS = "withdraw_vas"  # one value-added service ends today
    SUSPEND = "suspend"  # restriction "violation", scope all
    TERMINATE = "terminate"  # operator's early termination for serious breach


class ViolationState(StrEnum):
    OPEN = "open"  # a restriction in force (restrict_outgoing, suspend)
    LIFTED = "lifted"
    DONE = "done"  # nothing to lift (warning, withdraw_vas, terminate)


class LawfulState(StrEnum):
    ACTIVE = "active"
    LIFTED = "lifted"
    EXPIRED = "expired"  # its period ended (the lawful-expiry job lifted it)


ACTIONS: tuple[str, ...] = tuple(a.value for a in Action)
# The restriction scope of each restrictive action (reason "violation").
_SCOPE: dict[Action, str] = {Action.RESTRICT_OUTGOING: "outgoing", Action.SUSPEND: "all"}


def restriction_scope(action: Action) -> str | None:
    """``outgoing`` / ``all`` for the actions that restrict the service until lifted, else ``None``."""
    return _SCOPE.get(action)


def initial_state(action: Action) -> ViolationState:
    return ViolationState.OPEN if action in _SCOPE else ViolationState.DONE


def widest_scope(open_actions: Sequence[Action]) -> str | None:
    """The scope the ``violation`` restriction must have for the actions still open (``None``: lift it)."""
    scopes = {_SCOPE[a] for a in open_actions if a in _SCOPE}
    if "all" in scopes:
        return "all"
    return "outgoing" if scopes else None


def _text(raw: object, field: str, maximum: int, errors: list[FieldError], *, required: bool = True) -> str:
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        errors.append(FieldError(field, "invalid_input"))
        return ""
    text = raw.strip()
    if not text and required:
        errors.append(FieldError(field, "required"))
    elif len(text) > maximum:
        errors.append(FieldError(field, "too_long", {"max": maximum}))
    return text


@dataclass(frozen=True)
class Issue:
    action: Action
    reason: str
    vas_code: str


def validate_issue(
    action: object, reason: object, vas_code: object, *, evidence_count: int, service_state: str
) -> Issue:
    """An action staff may take now against a subscriber in ``service_state`` (every field at fault)."""
    errors: list[FieldError] = []
    parsed: Action | None = None
    if not isinstance(action, str) or action not in ACTIONS:
        errors.append(FieldError("action", "invalid_choice"))
    else:
        parsed = Action(action)
    text = _text(reason, "reason", REASON_MAX, errors)
    code = _text(vas_code, "vas_code", 32, errors, required=parsed is Action.WITHDRAW_VAS)
    if evidence_count > MAX_EVIDENCE_FILES:
        errors.append(FieldError("files", "violation_too_many_files", {"max": MAX_EVIDENCE_FILES}))
    if errors:
        raise ValidationFailed(errors)
    assert parsed is not None
    if service_state == ServiceState.TERMINATED.value:
        raise InvalidState("violation_subscriber_terminated")
    return Issue(parsed, text, code if parsed is Action.WITHDRAW_VAS else "")


def validate_lift(state: str, reason: object) -> str:
    """Only a restriction in force can be lifted, and with a reason."""
    errors: list[FieldError] = []
    text = _text(reason, "reason", REASON_MAX, errors)
    if errors:
        raise ValidationFailed(errors)
    if state != ViolationState.OPEN.value:
        raise InvalidState("violation_not_liftable", params={"state": state})
    return text


@dataclass(frozen=True)
class LawfulRequest:
    authority: str
    reference: str
    period_from: date
    period_to: date | None


def _day(raw: object, field: str, errors: list[FieldError], *, required: bool) -> date | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            errors.append(FieldError(field, "required"))
        return None
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str):
        errors.append(FieldError(field, "invalid_input"))
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        errors.append(FieldError(field, "lawful_invalid_date"))
        return None


def validate_lawful(
    authority: object, reference: object, period_from: object, period_to: object, today: date
) -> LawfulRequest:
    """An authority's request as legal staff record it: it takes effect at once, so its period starts
    today at the latest; an end (inclusive) is optional and not before the start or today."""
    errors: list[FieldError] = []
    who = _text(authority, "authority", AUTHORITY_MAX, errors)
    ref = _text(reference, "reference", REFERENCE_MAX, errors)
    start = _day(period_from, "period_from", errors, required=False) or today
    end = _day(period_to, "period_to", errors, required=False)
    if start > today:
        errors.append(FieldError("period_from", "lawful_from_in_future"))
    if end is not None and (end < start or end < today):
        errors.append(FieldError("period_to", "lawful_to_before_from"))
    if errors:
        raise ValidationFailed(errors)
    return LawfulRequest(who, ref, start, end)


def lawful_expired(period_to: date | None, today: date) -> bool:
    """A lawful suspension whose last day has passed ends (``period_to`` is inclusive)."""
    return period_to is not None and today > period_to


def validate_lawful_lift(state: str, reason: object) -> str:
    errors: list[FieldError] = []
    text = _text(reason, "reason", REASON_MAX, errors)
    if errors:
        raise ValidationFailed(errors)
    if state != LawfulState.ACTIVE.value:
        raise InvalidState("lawful_not_active", params={"state": state})
    return text


def mask_reference(reference: str) -> str:
    """What staff without ``lawful_suspension`` see of an authority's reference."""
    return "****" if reference else ""


def call_forbidden(service_state: str, *, is_caller: bool) -> bool:
    """Whether a call in progress must end now that the subscriber's service is in ``service_state``:
    suspended or terminated — every call; outgoing barred — the calls they placed."""
    state = ServiceState(service_state)
    if state in (ServiceState.SUSPENDED, ServiceState.TERMINATED):
        return True
    return state is ServiceState.OUTGOING_BARRED and is_caller


def end_detail(service_state: str, service_reason: str) -> str:
    """The ``detail`` the parties of a call ended by enforcement see, e.g. ``suspended_violation``
    (the same words as an invite refused for that state)."""
    if service_state == ServiceState.TERMINATED.value:
        return "terminated"
    return f"{service_state}_{service_reason}" if service_reason else service_state

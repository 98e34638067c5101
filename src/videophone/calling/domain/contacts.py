"""Address book, block list and harassment reports (R-12): pure rules over values.

``validate_*`` take the raw request values and return a normalized value object, or raise
:class:`ValidationFailed` listing every field at fault.  Reports move through a small state machine:
``open → in_progress → resolved | dismissed`` (an open report may also be resolved or dismissed at once).

Error codes introduced here: ``contact_number_format`` (``params`` ``min``/``max``),
``report_description_too_short`` (``params["min"]``), ``report_action_unknown``,
``report_resolution_required``, ``report_transition_invalid``; reused: ``required``, ``too_long``
(``params["max"]``), ``invalid_input``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from videophone.kernel.errors import FieldError, InvalidState, ValidationFailed

NAME_MAX = 100
NOTE_MAX = 500
NUMBER_MIN = 5
NUMBER_MAX = 20
BLOCK_REASON_MAX = 500
DESCRIPTION_MIN = 5
DESCRIPTION_MAX = 2000
RESOLUTION_MAX = 2000
CALL_ID_MAX = 36

# Full-width digits to ASCII; the separators people type between digit groups removed.
_NUMBER_TRANSLATION: dict[int, int | None] = {
    **{code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)},
    **{ord(separator): None for separator in "-‐‑–—－"},
}
_NUMBER_RE = re.compile(rf"[0-9]{{{NUMBER_MIN},{NUMBER_MAX}}}", re.ASCII)


# -- numbers -----------------------------------------------------------------------------------------
def normalize_number(value: str) -> str:
    """Canonical form of a telephone number: whitespace and dashes removed, full-width digits made ASCII."""
    return "".join(value.split()).translate(_NUMBER_TRANSLATION)


def check_number(value: str, *, field: str = "number") -> list[FieldError]:
    """``required`` if empty, ``contact_number_format`` unless 5–20 ASCII digits (``value`` normalized)."""
    if not value:
        return [FieldError(field, "required")]
    if not _NUMBER_RE.fullmatch(value):
        return [FieldError(field, "contact_number_format", {"min": NUMBER_MIN, "max": NUMBER_MAX})]
    return []


def _text(raw: Mapping[str, Any], name: str, errors: list[FieldError], default: str = "") -> str:
    value = raw.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        errors.append(FieldError(name, "invalid_input"))
        return default
    return value.strip()


def _max(value: str, name: str, maximum: int, errors: list[FieldError]) -> None:
    if len(value) > maximum:
        errors.append(FieldError(name, "too_long", {"max": maximum}))


def _number(raw: Mapping[str, Any], errors: list[FieldError], default: str = "", *, field: str = "number") -> str:
    number = normalize_number(_text(raw, field, errors, default))
    if not any(e.field == field for e in errors):
        errors.extend(check_number(number, field=field))
    return number


# -- contacts ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ContactInput:
    name: str
    number: str
    note: str = ""
    favourite: bool = False


def validate_contact(raw: Mapping[str, Any], current: ContactInput | None = None) -> ContactInput:
    """A new contact (``current`` None) or the change of one: fields absent from ``raw`` keep ``current``."""
    base = current or ContactInput("", "")
    errors: list[FieldError] = []
    name = _text(raw, "name", errors, base.name)
    if not name and not any(e.field == "name" for e in errors):
        errors.append(FieldError("name", "required"))
    _max(name, "name", NAME_MAX, errors)
    number = _number(raw, errors, base.number)
    note = _text(raw, "note", errors, base.note)
    _max(note, "note", NOTE_MAX, errors)
    favourite = raw.get("favourite", base.favourite)
    if favourite is None:
        favourite = base.favourite
    if not isinstance(favourite, bool):
        errors.append(FieldError("favourite", "invalid_input"))
        favourite = base.favourite
    if errors:
        raise ValidationFailed(errors)
    return ContactInput(name=name, number=number, note=note, favourite=favourite)


# -- block list ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BlockInput:
    number: str
    reason: str = ""


def validate_block(raw: Mapping[str, Any]) -> BlockInput:
    errors: list[FieldError] = []
    number = _number(raw, errors)
    reason = _text(raw, "reason", errors)
    _max(reason, "reason", BLOCK_REASON_MAX, errors)
    if errors:
        raise ValidationFailed(errors)
    return BlockInput(number, reason)


# -- harassment reports ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportInput:
    number: str
    description: str
    call_id: str | None = None
    block: bool = False


def validate_report(raw: Mapping[str, Any]) -> ReportInput:
    errors: list[FieldError] = []
    number = _number(raw, errors)
    description = _text(raw, "description", errors)
    if not description:
        if not any(e.field == "description" for e in errors):
            errors.append(FieldError("description", "required"))
    elif len(description) < DESCRIPTION_MIN:
        errors.append(FieldError("description", "report_description_too_short", {"min": DESCRIPTION_MIN}))
    _max(description, "description", DESCRIPTION_MAX, errors)
    call_id = _text(raw, "call_id", errors) or None
    if call_id is not None:
        _max(call_id, "call_id", CALL_ID_MAX, errors)
    block = raw.get("block", False)
    if block is None:
        block = False
    if not isinstance(block, bool):
        errors.append(FieldError("block", "invalid_input"))
        block = False
    if errors:
        raise ValidationFailed(errors)
    return ReportInput(number, description, call_id, block)


class ReportState(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


class ReportAction(StrEnum):
    START = "start"
    RESOLVE = "resolve"
    DISMISS = "dismiss"


_TRANSITIONS: dict[tuple[ReportState, ReportAction], ReportState] = {
    (ReportState.OPEN, ReportAction.START): ReportState.IN_PROGRESS,
    (ReportState.OPEN, ReportAction.RESOLVE): ReportState.RESOLVED,
    (ReportState.OPEN, ReportAction.DISMISS): ReportState.DISMISSED,
    (ReportState.IN_PROGRESS, ReportAction.RESOLVE): ReportState.RESOLVED,
    (ReportState.IN_PROGRESS, ReportAction.DISMISS): ReportState.DISMISSED,
}

FINAL_STATES = frozenset({ReportState.RESOLVED, ReportState.DISMISSED})


def handle(state: ReportState, action: ReportAction) -> ReportState:
    """The state after ``action``; :class:`InvalidState` (``report_transition_invalid``) if not allowed."""
    after = _TRANSITIONS.get((state, action))
    if after is None:
        raise InvalidState("report_transition_invalid", params={"state": state.value, "action": action.value})
    return after


def allowed_actions(state: ReportState) -> list[ReportAction]:
    return [action for (source, action) in _TRANSITIONS if source is state]


def requires_resolution(action: ReportAction) -> bool:
    """Closing a report (resolve or dismiss) needs a written resolution the reporter will read."""
    return action is not ReportAction.START


def validate_handling(action: str, resolution: str) -> tuple[ReportAction, str]:
    """The parsed action and the trimmed resolution text, or field errors."""
    errors: list[FieldError] = []
    what: ReportAction | None
    try:
        what = ReportAction(action)
    except ValueError:
        what = None
        errors.append(FieldError("action", "report_action_unknown"))
    text = resolution.strip()
    if what is not None and requires_resolution(what) and not text:
        errors.append(FieldError("resolution", "report_resolution_required"))
    _max(text, "resolution", RESOLUTION_MAX, errors)
    if errors:
        raise ValidationFailed(errors)
    assert what is not None
    return what, text

"""Terminals, their warranty and client releases (R-40, R-41, R-34; agreement 003 §4 and §8).

Pure rules: when a unit's warranty ends, whether a written claim is within it, what staff may decide,
which causes are excluded, and how client versions compare.  The services apply them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from videophone.identity.domain.documents import sniff_content_type
from videophone.kernel.errors import FieldError, InvalidState, ValidationFailed


class TerminalState(StrEnum):
    IN_STOCK = "in_stock"
    ASSIGNED = "assigned"
    IN_REPAIR = "in_repair"
    RETURNED = "returned"  # back from a subscriber (e.g. replaced under warranty): the operator's again
    SCRAPPED = "scrapped"


ASSIGNABLE = frozenset({TerminalState.IN_STOCK, TerminalState.RETURNED})
OWNER_OPERATOR = "operator"


class ClaimState(StrEnum):
    SUBMITTED = "submitted"
    REPAIRED = "repaired"
    REPLACED = "replaced"
    DENIED = "denied"


class Decision(StrEnum):
    REPAIR = "repair"
    REPLACE = "replace"
    DENY = "deny"


# 003 §4(1): damage in shipping to the subscriber is covered, as are defects in materials or workmanship.
COVERED_CAUSES = ("defect", "shipping_damage")
# 003 §4(1), §4(5): external causes are excluded.
EXCLUDED_CAUSES = (
    "accident",
    "misuse",
    "power_problem",
    "opened_sealed_unit",
    "other_equipment_or_network",
    "unauthorised_repair",
)
CAUSES = COVERED_CAUSES + EXCLUDED_CAUSES

SERIAL_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,39}$")
MODEL_MAX = 60
DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 2000
NOTE_MAX = 1000
MAX_PHOTOS = 5
PHOTO_TYPES = ("image/jpeg", "image/png")
EARLIEST_INSTALLATION = date(2000, 1, 1)


def is_covered(cause: str) -> bool:
    return cause in COVERED_CAUSES


def add_years(day: date, years: int) -> date:
    """``day`` plus whole years; 29 February becomes 28 February in a year without it."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def warranty_end(installed_on: date, years: int) -> date:
    """The last day of the warranty: installation + N years (003 §4 "从终端安装之日起算")."""
    return add_years(installed_on, years)


@dataclass(frozen=True)
class Refusal:
    """Why a claim is not within the warranty: ``expired`` on ``on``, or ``voided`` (opened by others) on ``on``."""

    reason: str
    on: date


def eligibility(claim_day: date, end: date | None, voided_on: date | None) -> Refusal | None:
    """None when a claim made on ``claim_day`` is within the warranty; else the reason it is not.

    A unit opened by anyone but the operator loses its warranty at once (003 §4(5)); otherwise the
    claim must be made on or before the warranty's last day (003 §4(2))."""
    if voided_on is not None and voided_on <= claim_day:
        return Refusal("voided", voided_on)
    if end is None or claim_day > end:
        return Refusal("expired", end or claim_day)
    return None


def ensure_eligible(claim_day: date, end: date | None, voided_on: date | None) -> None:
    refusal = eligibility(claim_day, end, voided_on)
    if refusal is not None:
        raise InvalidState(f"warranty_{refusal.reason}", params={"date": refusal.on.isoformat()})


def warranty_after_service(original_end: date) -> date:
    """A repair or a replacement does not extend the warranty (003 §4(3)): the end stays."""
    return original_end


# -- input -----------------------------------------------------------------------------------------------
def normalize_serial(raw: object) -> str:
    return "".join(str(raw or "").split()).upper()


def validate_unit(serial: object, model: object) -> tuple[str, str]:
    errors: list[FieldError] = []
    s = normalize_serial(serial)
    m = " ".join(str(model or "").split())
    if not s:
        errors.append(FieldError("serial", "required"))
    elif not SERIAL_RE.match(s):
        errors.append(FieldError("serial", "terminal_serial_invalid"))
    if not m:
        errors.append(FieldError("model", "required"))
    elif len(m) > MODEL_MAX:
        errors.append(FieldError("model", "too_long", {"max": MODEL_MAX}))
    if errors:
        raise ValidationFailed(errors)
    return s, m


def validate_installation(installed_on: date, today: date) -> date:
    if installed_on > today:
        raise ValidationFailed([FieldError("installed_on", "terminal_installed_in_future")])
    if installed_on < EARLIEST_INSTALLATION:
        raise ValidationFailed([FieldError("installed_on", "terminal_installed_too_early")])
    return installed_on


def ensure_assignable(state: str) -> None:
    if state not in ASSIGNABLE:
        raise InvalidState("terminal_not_assignable", params={"state": state})


def validate_description(raw: object) -> str:
    text = str(raw or "").strip()
    if len(text) < DESCRIPTION_MIN:
        raise ValidationFailed([FieldError("description", "warranty_description_too_short", {"min": DESCRIPTION_MIN})])
    if len(text) > DESCRIPTION_MAX:
        raise ValidationFailed([FieldError("description", "too_long", {"max": DESCRIPTION_MAX})])
    return text


def check_photo(content: bytes, declared_type: str, max_bytes: int) -> str:
    """The real type of an acceptable photo (JPEG or PNG by its first bytes, at most ``max_bytes``)."""
    if not content:
        raise ValidationFailed([FieldError("photos", "upload_empty")])
    if len(content) > max_bytes:
        raise ValidationFailed([FieldError("photos", "upload_too_large", {"max_mb": round(max_bytes / 1e6, 1)})])
    sniffed = sniff_content_type(content)
    if sniffed not in PHOTO_TYPES:
        raise ValidationFailed([FieldError("photos", "warranty_photo_type")])
    if declared_type and declared_type not in (sniffed, "application/octet-stream"):
        raise ValidationFailed([FieldError("photos", "upload_type_mismatch")])
    assert sniffed is not None
    return sniffed


def check_photo_count(count: int) -> None:
    if count < 1:
        raise ValidationFailed([FieldError("photos", "warranty_photo_required")])
    if count > MAX_PHOTOS:
        raise ValidationFailed([FieldError("photos", "warranty_too_many_photos", {"max": MAX_PHOTOS})])


@dataclass(frozen=True)
class DecisionIn:
    decision: Decision
    cause: str
    note: str


def validate_decision(claim_state: str, decision: object, cause: object, note: object) -> DecisionIn:
    """Staff decide once: repair or replace a covered fault (a defect, or damage in shipping), or deny
    for an excluded external cause, with the reason the subscriber reads."""
    if claim_state != ClaimState.SUBMITTED:
        raise InvalidState("warranty_claim_decided", params={"state": claim_state})
    errors: list[FieldError] = []
    d = str(decision or "")
    c = str(cause or "")
    n = str(note or "").strip()
    if d not in {x.value for x in Decision}:
        errors.append(FieldError("decision", "invalid_choice"))
    if c not in CAUSES:
        errors.append(FieldError("cause", "invalid_choice"))
    elif d == Decision.DENY and is_covered(c):
        errors.append(FieldError("cause", "warranty_cause_covered"))
    elif d in (Decision.REPAIR, Decision.REPLACE) and not is_covered(c):
        errors.append(FieldError("cause", "warranty_cause_excluded"))
    if d == Decision.DENY and not n:
        errors.append(FieldError("note", "warranty_reason_required"))
    if len(n) > NOTE_MAX:
        errors.append(FieldError("note", "too_long", {"max": NOTE_MAX}))
    if errors:
        raise ValidationFailed(errors)
    return DecisionIn(Decision(d), c, n)


# -- client versions (R-34) ----------------------------------------------------------------------------
PLATFORMS = ("web", "terminal")
# major.minor[.patch[.build]][-pre]: a fourth part for phone firmware (Grandstream 1.0.3.35, Yealink
# 58.86.0.20, reported in their SIP User-Agent: ``domain.user_agents``).
VERSION_RE = re.compile(
    r"^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})(?:\.(0|[1-9]\d{0,5})(?:\.(0|[1-9]\d{0,5}))?)?"
    r"(?:-([0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*))?$"
)

VersionKey = tuple[int, int, int, int, int, tuple[tuple[int, int, str], ...]]


def version_key(version: str) -> VersionKey | None:
    """Semantic-version precedence (2.0 → 2.0.0; ``1.0.0-rc.1`` < ``1.0.0``; numeric parts compare as
    numbers); None when it is not a version."""
    m = VERSION_RE.match(version.strip())
    if m is None:
        return None
    major, minor, patch, build, pre = m.group(1), m.group(2), m.group(3) or "0", m.group(4) or "0", m.group(5)
    ids: tuple[tuple[int, int, str], ...] = ()
    if pre:
        ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (int(major), int(minor), int(patch), int(build), 0 if pre else 1, ids)


def is_newer(candidate: str, than: str) -> bool:
    a, b = version_key(candidate), version_key(than)
    if a is None:
        return False
    if b is None:
        return True
    return a > b


def validate_release(platform: object, version: object, notes: object, newest: str | None) -> tuple[str, str, str]:
    errors: list[FieldError] = []
    p = str(platform or "")
    v = str(version or "").strip()
    n = str(notes or "").strip()
    if p not in PLATFORMS:
        errors.append(FieldError("platform", "invalid_choice"))
    if not v:
        errors.append(FieldError("version", "required"))
    elif version_key(v) is None:
        errors.append(FieldError("version", "release_version_invalid"))
    elif newest is not None and not is_newer(v, newest):
        errors.append(FieldError("version", "release_not_newer", {"newest": newest}))
    if not n:
        errors.append(FieldError("notes", "required"))
    elif len(n) > NOTE_MAX * 2:
        errors.append(FieldError("notes", "too_long", {"max": NOTE_MAX * 2}))
    if errors:
        raise ValidationFailed(errors)
    return p, v, n

"""Service announcements and agreement changes (R-33, R-06, R-02; agreement 003 §7, §15): pure rules.

An announcement has a kind, a title and a body (zh-CN; English optional), an audience (every
subscriber, or a list of numbers), the time it is published and the time the announced change takes
effect.  Advance notice is required: the change takes effect after publication, at least
:data:`MIN_NOTICE` later for the kinds that change the service —

* maintenance, software upgrade: 24 hours (a working day to plan around it);
* network expansion: 3 days;
* number change: 7 days (R-02: the subscriber must learn the new number before the old one stops);
* agreement change: the objection window (``policy.objection_window_months``) — 003 §15 gives the
  subscriber that long to object, so the new version binds nobody before it ends; it is published at
  once (the new text is the announcement) and takes effect at :func:`window_end`;
* other: any time after publication.

Agreement change (003 §15): each subscriber may object until the window ends (not after, not twice,
not after accepting); whoever neither accepted nor objected is deemed to accept at the window's end.

Error codes introduced here: ``announcement_kind_unknown``, ``announcement_audience_unknown``,
``announcement_numbers_required``, ``announcement_number_invalid`` (``params["number"]``),
``announcement_too_many_numbers`` (``params["max"]``), ``announcement_time_invalid``,
``announcement_publish_in_past``, ``announcement_notice_too_short`` (``params["hours"]``),
``agreement_unchanged``, ``objection_window_closed`` (``params["window_end"]``),
``objection_exists``, ``agreement_already_accepted``, ``objection_outcome_unknown``,
``objection_already_decided``; reused: ``required``, ``too_long`` (``params["max"]``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from videophone.collections.domain.arrears import add_months
from videophone.kernel.errors import FieldError, InvalidState, ValidationFailed

TITLE_MAX = 200
BODY_MAX = 5000
SUMMARY_MAX = 2000
OBJECTION_MAX = 2000
NOTE_MAX = 2000
NUMBERS_MAX = 1000
PUBLISH_TOLERANCE = timedelta(minutes=5)  # "now" typed in a form is a little in the past on arrival
_NUMBER = re.compile(r"^\d{5,15}$")
_SEPARATORS = re.compile(r"[\s,，;；、]+")


class AnnouncementKind(StrEnum):
    MAINTENANCE = "maintenance"
    NETWORK_EXPANSION = "network_expansion"
    SOFTWARE_UPGRADE = "software_upgrade"
    NUMBER_CHANGE = "number_change"
    AGREEMENT_CHANGE = "agreement_change"
    OTHER = "other"


class Audience(StrEnum):
    ALL = "all"
    NUMBERS = "numbers"


class ObjectionState(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"  # after negotiation the subscriber accepts the new version
    NOT_AGREED = "not_agreed"  # no agreement: the subscriber stays on their version (may terminate, R-32)


MIN_NOTICE: dict[AnnouncementKind, timedelta] = {
    AnnouncementKind.MAINTENANCE: timedelta(hours=24),
    AnnouncementKind.SOFTWARE_UPGRADE: timedelta(hours=24),
    AnnouncementKind.NETWORK_EXPANSION: timedelta(days=3),
    AnnouncementKind.NUMBER_CHANGE: timedelta(days=7),
    AnnouncementKind.OTHER: timedelta(0),
}
"""Minimum time between publication and the change; agreement changes use :func:`window_end`."""


def window_end(published_at: datetime, objection_window_months: int) -> datetime:
    """The end of the objection window: the same time of day, ``months`` calendar months later
    (clamped to the month's last day: 31 January + 1 month → 28/29 February)."""
    day = add_months(published_at.date(), objection_window_months)
    return published_at.replace(year=day.year, month=day.month, day=day.day)


def minimum_effective(kind: AnnouncementKind, publish_at: datetime, objection_window_months: int) -> datetime:
    """The earliest time the announced change may take effect."""
    if kind is AnnouncementKind.AGREEMENT_CHANGE:
        return window_end(publish_at, objection_window_months)
    return publish_at + MIN_NOTICE[kind]


@dataclass(frozen=True)
class AnnouncementDraft:
    kind: AnnouncementKind
    title: str
    body: str
    title_en: str
    body_en: str
    audience: Audience
    numbers: tuple[str, ...]
    publish_at: datetime
    effective_at: datetime


def _text(raw: object, field: str, maximum: int, errors: list[FieldError], *, required: bool) -> str:
    value = raw.strip() if isinstance(raw, str) else ""
    if raw is not None and not isinstance(raw, str):
        errors.append(FieldError(field, "invalid_input"))
    elif required and not value:
        errors.append(FieldError(field, "required"))
    elif len(value) > maximum:
        errors.append(FieldError(field, "too_long", {"max": maximum}))
    return value


def parse_numbers(raw: object, errors: list[FieldError]) -> tuple[str, ...]:
    """A list or a text of numbers separated by spaces, commas or new lines; duplicates dropped."""
    items: list[str]
    if isinstance(raw, str):
        items = [p for p in _SEPARATORS.split(raw) if p]
    elif isinstance(raw, (list, tuple)):
        items = [str(p).strip() for p in raw if str(p).strip()]
    elif raw is None:
        items = []
    else:
        errors.append(FieldError("numbers", "invalid_input"))
        return ()
    seen: dict[str, None] = {}
    for item in items:
        if not _NUMBER.match(item):
            errors.append(FieldError("numbers", "announcement_number_invalid", {"number": item[:20]}))
            return ()
        seen.setdefault(item, None)
    if len(seen) > NUMBERS_MAX:
        errors.append(FieldError("numbers", "announcement_too_many_numbers", {"max": NUMBERS_MAX}))
        return ()
    return tuple(seen)


def validate_announcement(
    *,
    kind: object,
    title: object,
    body: object,
    title_en: object = "",
    body_en: object = "",
    audience: object = "all",
    numbers: object = None,
    publish_at: datetime | None,
    effective_at: datetime | None,
    now: datetime,
    objection_window_months: int,
) -> AnnouncementDraft:
    """Check a new announcement; raise :class:`ValidationFailed` listing every field at fault.

    ``publish_at`` None: now.  ``effective_at`` None: the earliest allowed (required for no kind, so a
    maintenance notice may leave it out and get "in 24 hours").  Agreement changes are published now
    and their audience is everyone."""
    errors: list[FieldError] = []
    try:
        k = AnnouncementKind(str(kind))
    except ValueError:
        errors.append(FieldError("kind", "announcement_kind_unknown"))
        k = AnnouncementKind.OTHER
    t = _text(title, "title", TITLE_MAX, errors, required=True)
    b = _text(body, "body", BODY_MAX, errors, required=True)
    t_en = _text(title_en, "title_en", TITLE_MAX, errors, required=False)
    b_en = _text(body_en, "body_en", BODY_MAX, errors, required=False)
    try:
        aud = Audience(str(audience))
    except ValueError:
        errors.append(FieldError("audience", "announcement_audience_unknown"))
        aud = Audience.ALL
    nums: tuple[str, ...] = ()
    if aud is Audience.NUMBERS:
        nums = parse_numbers(numbers, errors)
        if not nums and not any(e.field == "numbers" for e in errors):
            errors.append(FieldError("numbers", "announcement_numbers_required"))
    if k is AnnouncementKind.AGREEMENT_CHANGE:
        if aud is not Audience.ALL:
            errors.append(FieldError("audience", "announcement_audience_unknown"))
        publish_at = now
    publish = now if publish_at is None else publish_at
    if publish.tzinfo is None:
        errors.append(FieldError("publish_at", "announcement_time_invalid"))
        publish = now
    elif publish < now - PUBLISH_TOLERANCE:
        errors.append(FieldError("publish_at", "announcement_publish_in_past"))
    publish = max(publish, now)
    earliest = minimum_effective(k, publish, objection_window_months)
    effective = earliest if effective_at is None else effective_at
    if effective.tzinfo is None:
        errors.append(FieldError("effective_at", "announcement_time_invalid"))
    elif effective <= publish or effective < earliest:
        errors.append(FieldError("effective_at", "announcement_notice_too_short", {"hours": _hours(k)}))
    if errors:
        raise ValidationFailed(errors)
    return AnnouncementDraft(k, t, b, t_en, b_en, aud, nums, publish, effective)


def _hours(kind: AnnouncementKind) -> int:
    notice = MIN_NOTICE.get(kind, timedelta(0))
    return int(notice.total_seconds() // 3600)


# -- agreement versions -----------------------------------------------------------------------------------
DiffOp = Literal["same", "added", "removed"]


@dataclass(frozen=True)
class DiffLine:
    op: DiffOp
    text: str


def diff_texts(old: str, new: str) -> list[DiffLine]:
    """Line by line what changed from ``old`` to ``new`` (blank lines ignored): unchanged lines,
    removed lines and added lines, in reading order (removals before the additions replacing them)."""
    a = [line for line in old.splitlines() if line.strip()]
    b = [line for line in new.splitlines() if line.strip()]
    out: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(DiffLine("same", line) for line in a[i1:i2])
            continue
        out.extend(DiffLine("removed", line) for line in a[i1:i2])
        out.extend(DiffLine("added", line) for line in b[j1:j2])
    return out


def diff_counts(lines: Sequence[DiffLine]) -> dict[str, int]:
    return {op: sum(1 for line in lines if line.op == op) for op in ("added", "removed")}


def check_objection(
    *,
    now: datetime,
    window_ends_at: datetime,
    text: object,
    already_objected: bool,
    already_accepted: bool,
) -> str:
    """The objection's text if the subscriber may object now (within the window, once, not after
    accepting the new version); else raise."""
    if already_accepted:
        raise InvalidState("agreement_already_accepted")
    if already_objected:
        raise InvalidState("objection_exists")
    if now >= window_ends_at:
        raise InvalidState("objection_window_closed", params={"window_end": window_ends_at.isoformat()})
    errors: list[FieldError] = []
    value = _text(text, "text", OBJECTION_MAX, errors, required=True)
    if errors:
        raise ValidationFailed(errors)
    return value


def deemed_due(now: datetime, window_ends_at: datetime) -> bool:
    """Deemed acceptance happens once the window has ended (at its end, not a moment before)."""
    return now >= window_ends_at


def check_decision(state: str, outcome: object, note: object) -> tuple[ObjectionState, str]:
    """Staff decide an open objection case once: ``accepted`` or ``not_agreed``, with a note."""
    if state != ObjectionState.OPEN.value:
        raise InvalidState("objection_already_decided", params={"state": state})
    errors: list[FieldError] = []
    try:
        result = ObjectionState(str(outcome))
        if result is ObjectionState.OPEN:
            raise ValueError
    except ValueError:
        errors.append(FieldError("outcome", "objection_outcome_unknown"))
        result = ObjectionState.NOT_AGREED
    value = _text(note, "note", NOTE_MAX, errors, required=True)
    if errors:
        raise ValidationFailed(errors)
    return result, value

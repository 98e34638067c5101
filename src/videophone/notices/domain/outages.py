"""Outage credits (R-27, contract 003 §13) — pure rules, no I/O.

"乙方对小于连续 24 小时的服务中断…不负责任 … 仅限于甲方受影响时的服务费用":

* An outage ``[start, end)`` shorter than 24 **continuous** hours gives no credit at all
  (:func:`qualifies`).  A longer one gives each affected account the service fees of the affected
  time, nothing more (never damages).
* Service fees are the monthly rent and the value-added fees in force (:class:`FeeSpan`, by day of
  the operator's calendar), prorated exactly like the bill run prorates them: a day's fee is the
  monthly fee ÷ the days of *that* month, and the part of a day affected counts by its seconds.  An
  outage across two months therefore uses each month's own number of days.  Days on which the rent
  stops (a suspension whose reason does not keep the rent — ``billing.rent_continues``) cost nothing,
  so they are credited nothing.
* The exact amount is summed as a fraction and rounded **down** to the fen at the end, so a credit is
  never more than the fees of the affected time and grows (weakly) with the duration.
* The cause (003 §12–§14): only the operator's **own** fault earns a credit.  An interruption caused
  by another provider or a third party (§13), by the internet between the subscriber and the operator
  (§12), by force majeure or by a government act (§14) credits nothing however long it lasts
  (:func:`earns_credit`).  Recording a cause other than the operator's own fault needs evidence (text:
  the provider's ticket, the notice of the authority…), since it is what denies the subscribers a credit.
  Changing an incident's cause across that line after it was credited is a new *credit round*
  (:func:`changes_credit`): the credits given are reversed, and given afresh when the change is to the
  operator's fault.
* Overlapping incidents (decision): an account is never credited twice for the same time.  When an
  incident is credited, the time already credited to that account by incidents closed before it is
  left out (:func:`uncovered`); each incident still has to be 24 continuous hours on its own to
  qualify.  The credits of overlapping incidents together are at most the fees of the union of their
  times.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from videophone.billing.domain.billing import Suspension, rent_continues
from videophone.kernel.errors import FieldError, ValidationFailed
from videophone.kernel.money import Money

MIN_CREDITED = timedelta(hours=24)
MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_EVIDENCE = 2000
OPERATOR = "operator"
# the operator's own fault | another provider or third party (§13) | the internet (§12) |
# force majeure (§14) | a government act (§14)
CAUSES = (OPERATOR, "third_party", "internet", "force_majeure", "government")
MAX_NUMBERS = 10_000
SCOPES = ("all", "listed")

Interval = tuple[datetime, datetime]  # [start, end), aware datetimes


@dataclass(frozen=True)
class FeeSpan:
    """A monthly fee (fen) in force on the days ``[start, end)`` (``end`` None: still in force)."""

    start: date
    end: date | None
    monthly_fen: int

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def qualifies(start: datetime, end: datetime) -> bool:
    """Whether an outage lasted 24 continuous hours or more."""
    return end - start >= MIN_CREDITED


def earns_credit(cause: str, start: datetime, end: datetime) -> bool:
    """Whether an outage earns a credit: the operator's own fault, 24 continuous hours or more."""
    return cause == OPERATOR and qualifies(start, end)


def changes_credit(old: str, new: str) -> bool:
    """Whether changing the cause from ``old`` to ``new`` changes who is owed a credit (a new round)."""
    return (old == OPERATOR) != (new == OPERATOR)


def uncovered(interval: Interval, others: Iterable[Interval]) -> list[Interval]:
    """The parts of ``interval`` not covered by any of ``others``, in order."""
    pieces = [interval]
    for o_start, o_end in sorted(others):
        out: list[Interval] = []
        for p_start, p_end in pieces:
            if o_end <= p_start or o_start >= p_end:
                out.append((p_start, p_end))
                continue
            if o_start > p_start:
                out.append((p_start, o_start))
            if o_end < p_end:
                out.append((o_end, p_end))
        pieces = out
    return [p for p in pieces if p[1] > p[0]]


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz)


def _rent_free(day: date, suspensions: Sequence[Suspension]) -> bool:
    return any(
        not rent_continues(reason) and s_from <= day and (s_to is None or day < s_to)
        for s_from, s_to, reason in suspensions
    )


def exact_fees(
    pieces: Iterable[Interval], fees: Sequence[FeeSpan], tz: ZoneInfo, suspensions: Sequence[Suspension] = ()
) -> Fraction:
    """The service fees (fen, exact) of the time in ``pieces``: per day of the operator's calendar,
    the fees in force that day ÷ the days of that month × the share of the day affected."""
    total = Fraction(0)
    for start, end in pieces:
        if end <= start:
            continue
        day = start.astimezone(tz).date()
        while True:
            day_start, day_end = _midnight(day, tz), _midnight(day + timedelta(days=1), tz)
            if day_start >= end:
                break
            overlap = (min(end, day_end) - max(start, day_start)).total_seconds()
            if overlap > 0 and not _rent_free(day, suspensions):
                daily = sum(f.monthly_fen for f in fees if f.covers(day))
                if daily:
                    month_days = calendar.monthrange(day.year, day.month)[1]
                    day_seconds = (day_end - day_start).total_seconds()
                    total += Fraction(daily) * Fraction(overlap) / (month_days * Fraction(day_seconds))
            day += timedelta(days=1)
    return total


def credit(
    start: datetime,
    end: datetime,
    fees: Sequence[FeeSpan],
    tz: ZoneInfo,
    *,
    cause: str,
    suspensions: Sequence[Suspension] = (),
    already_credited: Iterable[Interval] = (),
) -> Money:
    """The credit of one account for the outage ``[start, end)`` of ``cause`` (see the module doc)."""
    if not earns_credit(cause, start, end):
        return Money.zero()
    exact = exact_fees(uncovered((start, end), already_credited), fees, tz, suspensions)
    return Money(math.floor(exact))


# -- recording an incident ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewOutage:
    title: str
    description: str
    started_at: datetime
    ended_at: datetime | None
    scope: str
    numbers: tuple[str, ...]
    cause: str
    evidence: str


def _text(raw: object) -> str:
    return raw.strip() if isinstance(raw, str) else ""


def parse_numbers(raw: object) -> tuple[str, ...]:
    """Numbers given as a list or as text separated by commas, spaces or new lines (deduplicated)."""
    items: list[str] = []
    if isinstance(raw, str):
        items = raw.replace(",", " ").replace("，", " ").split()
    elif isinstance(raw, list | tuple):
        items = [str(x).strip() for x in raw if str(x).strip()]
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return tuple(seen)


def validate_new(
    *,
    title: object,
    description: object,
    started_at: datetime | None,
    ended_at: datetime | None,
    scope: object,
    numbers: object,
    cause: object,
    evidence: object,
    now: datetime,
) -> NewOutage:
    """Check a new incident; every problem is reported at once as a field error."""
    errors: list[FieldError] = []
    text = _text(title)
    if not text:
        errors.append(FieldError("title", "required"))
    elif len(text) > MAX_TITLE:
        errors.append(FieldError("title", "too_long", {"max": MAX_TITLE}))
    desc = _text(description)
    if len(desc) > MAX_DESCRIPTION:
        errors.append(FieldError("description", "too_long", {"max": MAX_DESCRIPTION}))
    if started_at is None:
        errors.append(FieldError("started_at", "required"))
    elif started_at > now:
        errors.append(FieldError("started_at", "outage_in_future"))
    if ended_at is not None:
        if ended_at > now:
            errors.append(FieldError("ended_at", "outage_in_future"))
        elif started_at is not None and ended_at <= started_at:
            errors.append(FieldError("ended_at", "outage_end_before_start"))
    chosen = _text(scope) or "all"
    listed: tuple[str, ...] = ()
    if chosen not in SCOPES:
        errors.append(FieldError("scope", "invalid_choice"))
    elif chosen == "listed":
        listed = parse_numbers(numbers)
        if not listed:
            errors.append(FieldError("numbers", "outage_numbers_required"))
        elif len(listed) > MAX_NUMBERS:
            errors.append(FieldError("numbers", "outage_too_many_numbers", {"max": MAX_NUMBERS}))
    why, proof = _cause_errors(cause, evidence, errors)
    if errors:
        raise ValidationFailed(errors)
    assert started_at is not None
    return NewOutage(text, desc, started_at, ended_at, chosen, listed, why, proof)


def _cause_errors(cause: object, evidence: object, errors: list[FieldError]) -> tuple[str, str]:
    why, proof = _text(cause), _text(evidence)
    if not why:
        errors.append(FieldError("cause", "required"))
    elif why not in CAUSES:
        errors.append(FieldError("cause", "invalid_choice"))
    if len(proof) > MAX_EVIDENCE:
        errors.append(FieldError("evidence", "too_long", {"max": MAX_EVIDENCE}))
    elif why in CAUSES and why != OPERATOR and not proof:
        errors.append(FieldError("evidence", "outage_evidence_required"))
    return why, proof


def validate_cause(cause: object, evidence: object) -> tuple[str, str]:
    """Check a (new) cause and its evidence: the cause one of :data:`CAUSES`; evidence required for a
    cause that is not the operator's own fault."""
    errors: list[FieldError] = []
    why, proof = _cause_errors(cause, evidence, errors)
    if errors:
        raise ValidationFailed(errors)
    return why, proof


def validate_end(started_at: datetime, ended_at: datetime | None, now: datetime) -> datetime:
    if ended_at is None:
        raise ValidationFailed([FieldError("ended_at", "required")])
    if ended_at > now:
        raise ValidationFailed([FieldError("ended_at", "outage_in_future")])
    if ended_at <= started_at:
        raise ValidationFailed([FieldError("ended_at", "outage_end_before_start")])
    return ended_at

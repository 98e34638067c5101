"""Tariffs (R-20) and the rules of orders (R-21, docs/adr/0004-money-orders-billing.md).

Pure: input validation of plans (套餐) and value-added services, which price is in force on a day,
and when an order takes effect.  Dates are passed in; nothing here reads a clock.

Subscription periods are half-open, ``[start_date, end_date)`` as in the ``plan_subscriptions`` table:
``end_date`` is the first day no longer covered.  A plan changed from the 1st of next month gets
``end_date`` = that 1st (its last day is the day before); a value-added service removed today gets
``end_date`` = tomorrow (it ends at the end of today).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from videophone.calling.domain.features import FEATURES, Feature, parse_feature
from videophone.identity.domain import kyc
from videophone.kernel.errors import FieldError, InvalidState, PermissionDenied, ValidationFailed
from videophone.kernel.money import Money, parse_rate, parse_yuan

CODE_RE = re.compile(r"^[a-z0-9_-]{2,32}$")
NAME_MAX = 100
DESCRIPTION_MAX = 1000
INCREMENT_MIN, INCREMENT_MAX = 1, 3600
INCLUDED_MINUTES_MAX = 1_000_000


class OrderKind(StrEnum):
    INITIAL_PLAN = "initial_plan"
    PLAN_CHANGE = "plan_change"
    VAS_ADD = "vas_add"
    VAS_REMOVE = "vas_remove"


class ItemAction(StrEnum):
    SUBSCRIBE = "subscribe"
    CHANGE = "change"
    ADD = "add"
    REMOVE = "remove"


ITEM_ACTION: dict[OrderKind, ItemAction] = {
    OrderKind.INITIAL_PLAN: ItemAction.SUBSCRIBE,
    OrderKind.PLAN_CHANGE: ItemAction.CHANGE,
    OrderKind.VAS_ADD: ItemAction.ADD,
    OrderKind.VAS_REMOVE: ItemAction.REMOVE,
}


def canonical_rate(rate: Decimal | int | str) -> Decimal:
    """A per-minute rate as stored (up to 4 decimals) shown with 2 to 4 decimals: 0.15, 0.125, 1.00."""
    value = Decimal(str(rate)).quantize(Decimal("0.0001"))
    for places in ("0.01", "0.001"):
        short = value.quantize(Decimal(places))
        if short == value:
            return short
    return value


# -- inputs --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanTerms:
    """The price terms of a plan from one date on."""

    monthly_rent: Money
    included_minutes: int
    rate_per_minute: Decimal  # yuan per minute beyond the included minutes, up to 4 decimals
    first_increment_seconds: int
    next_increment_seconds: int

    def to_detail(self) -> dict[str, Any]:
        """JSON-safe terms (what an order item keeps as ``price_detail``)."""
        return {
            "monthly_rent_fen": self.monthly_rent.fen,
            "monthly_rent": str(self.monthly_rent.yuan),
            "included_minutes": self.included_minutes,
            "rate_per_minute": str(self.rate_per_minute),
            "first_increment_seconds": self.first_increment_seconds,
            "next_increment_seconds": self.next_increment_seconds,
        }


@dataclass(frozen=True)
class CatalogEntry:
    code: str
    name_zh: str
    name_en: str
    description: str  # zh-CN
    description_en: str = ""


@dataclass(frozen=True)
class PlanInput:
    entry: CatalogEntry
    terms: PlanTerms


@dataclass(frozen=True)
class VasInput:
    entry: CatalogEntry
    monthly_fee: Money
    feature: str | None = None  # the calling feature it turns on (calling/domain/features.py); None: fee only


def _text(raw: Mapping[str, Any], name: str, errors: list[FieldError], *, required: bool, max_length: int) -> str:
    value = raw.get(name)
    text = "" if value is None else str(value).strip()
    if required and not text:
        errors.append(FieldError(name, "required"))
    elif len(text) > max_length:
        errors.append(FieldError(name, "too_long", {"max": max_length}))
    return text


def _int(raw: Mapping[str, Any], name: str, errors: list[FieldError], lo: int, hi: int) -> int:
    value = raw.get(name)
    if value is None or value == "":
        errors.append(FieldError(name, "required"))
        return 0
    if isinstance(value, bool | float):
        errors.append(FieldError(name, "not_an_integer"))
        return 0
    try:
        number = int(str(value).strip())
    except ValueError:
        errors.append(FieldError(name, "not_an_integer"))
        return 0
    if number < lo:
        errors.append(FieldError(name, "below_minimum", {"min": lo}))
    elif number > hi:
        errors.append(FieldError(name, "above_maximum", {"max": hi}))
    return number


def _money(raw: Mapping[str, Any], name: str, errors: list[FieldError]) -> Money:
    value = raw.get(name)
    if value is None or str(value).strip() == "":
        errors.append(FieldError(name, "required"))
        return Money.zero()
    try:
        return parse_yuan(value, field=name)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        return Money.zero()


def _entry(raw: Mapping[str, Any], errors: list[FieldError]) -> CatalogEntry:
    code = _text(raw, "code", errors, required=True, max_length=32).lower()
    if code and not CODE_RE.fullmatch(code) and not any(e.field == "code" for e in errors):
        errors.append(FieldError("code", "tariff_code_format"))
    return CatalogEntry(
        code=code,
        name_zh=_text(raw, "name_zh", errors, required=True, max_length=NAME_MAX),
        name_en=_text(raw, "name_en", errors, required=True, max_length=NAME_MAX),
        description=_text(raw, "description", errors, required=False, max_length=DESCRIPTION_MAX),
        description_en=_text(raw, "description_en", errors, required=False, max_length=DESCRIPTION_MAX),
    )


def validate_descriptions(raw: Mapping[str, Any]) -> tuple[str, str]:
    """An item's descriptions ``(zh-CN, en)``, each optional and at most :data:`DESCRIPTION_MAX` long."""
    errors: list[FieldError] = []
    zh = _text(raw, "description", errors, required=False, max_length=DESCRIPTION_MAX)
    en = _text(raw, "description_en", errors, required=False, max_length=DESCRIPTION_MAX)
    if errors:
        raise ValidationFailed(errors)
    return zh, en


def _terms(raw: Mapping[str, Any], errors: list[FieldError]) -> PlanTerms:
    rent = _money(raw, "monthly_rent", errors)
    minutes = _int(raw, "included_minutes", errors, 0, INCLUDED_MINUTES_MAX)
    rate = Decimal(0)
    rate_raw = raw.get("rate_per_minute")
    if rate_raw is None or str(rate_raw).strip() == "":
        errors.append(FieldError("rate_per_minute", "required"))
    else:
        try:
            rate = parse_rate(rate_raw, field="rate_per_minute")
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    first = _int(raw, "first_increment_seconds", errors, INCREMENT_MIN, INCREMENT_MAX)
    nxt = _int(raw, "next_increment_seconds", errors, INCREMENT_MIN, INCREMENT_MAX)
    return PlanTerms(rent, minutes, rate, first, nxt)


def validate_plan_terms(raw: Mapping[str, Any]) -> PlanTerms:
    errors: list[FieldError] = []
    terms = _terms(raw, errors)
    if errors:
        raise ValidationFailed(errors)
    return terms


def validate_plan(raw: Mapping[str, Any]) -> PlanInput:
    """A new plan: code ``[a-z0-9_-]{2,32}``, names, and its first price terms."""
    errors: list[FieldError] = []
    entry = _entry(raw, errors)
    terms = _terms(raw, errors)
    if errors:
        raise ValidationFailed(errors)
    return PlanInput(entry, terms)


def validate_vas_fee(raw: Mapping[str, Any]) -> Money:
    errors: list[FieldError] = []
    fee = _money(raw, "monthly_fee", errors)
    if errors:
        raise ValidationFailed(errors)
    return fee


def validate_vas(raw: Mapping[str, Any]) -> VasInput:
    errors: list[FieldError] = []
    entry = _entry(raw, errors)
    fee = _money(raw, "monthly_fee", errors)
    feature: Feature | None = None
    try:
        feature = parse_feature(raw.get("feature"))
    except ValueError:
        errors.append(FieldError("feature", "feature_unknown", {"allowed": ", ".join(FEATURES)}))
    if errors:
        raise ValidationFailed(errors)
    return VasInput(entry, fee, feature.value if feature else None)


def validate_effective_from(raw: object, today: date) -> date:
    """A new price applies from today or a later day — history is never rewritten."""
    if isinstance(raw, date):
        day = raw
    else:
        try:
            day = date.fromisoformat(str(raw).strip())
        except ValueError:
            raise ValidationFailed([FieldError("effective_from", "date_format")]) from None
    if day < today:
        raise ValidationFailed([FieldError("effective_from", "price_date_in_past")])
    return day


# -- effective-dated prices ------------------------------------------------------------------------------
class Dated(Protocol):
    @property
    def effective_from(self) -> date: ...


D = TypeVar("D", bound=Dated)


def price_in_force(prices: Iterable[D], day: date) -> D | None:
    """The price with the latest ``effective_from`` on or before ``day`` (None before the first)."""
    best: D | None = None
    for price in prices:
        if price.effective_from <= day and (best is None or price.effective_from > best.effective_from):
            best = price
    return best


def upcoming_prices(prices: Iterable[D], day: date) -> list[D]:
    """Prices that start after ``day``, soonest first (announced changes)."""
    return sorted((p for p in prices if p.effective_from > day), key=lambda p: p.effective_from)


# -- orders ----------------------------------------------------------------------------------------------
def first_of_next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def plan_change_effective(today: date) -> date:
    """A plan change applies from the first day of the next billing period (calendar month)."""
    return first_of_next_month(today)


def vas_add_effective(today: date) -> date:
    return today


def vas_remove_effective(today: date) -> date:
    """The order's day: the service ends at the end of it."""
    return today


def vas_remove_end_date(today: date) -> date:
    """The (exclusive) ``end_date`` of a service removed today: tomorrow."""
    return today + timedelta(days=1)


def day_before(day: date) -> date:
    return day - timedelta(days=1)


def check_may_order(review_state: str) -> None:
    if not kyc.can(kyc.ReviewState(review_state), kyc.Capability.ORDER_SERVICES):
        raise PermissionDenied("capability_missing", params={"capability": kyc.Capability.ORDER_SERVICES.value})


@dataclass(frozen=True)
class PlanDecision:
    kind: OrderKind
    effective: date
    current_end_date: date | None  # new (exclusive) end of the current plan: its last day is the day before


def decide_plan_change(
    *,
    current_code: str | None,
    pending_code: str | None,
    target_code: str,
    target_active: bool,
    today: date,
) -> PlanDecision:
    """What changing to ``target_code`` means.

    ``current_code`` is the plan held today (None: no plan); ``pending_code`` a plan already ordered to
    start later.  With no plan at all the order subscribes from today (rent prorated, ADR 0004).
    """
    if not target_active:
        raise InvalidState("plan_inactive", params={"code": target_code})
    if pending_code is not None:
        raise InvalidState("plan_change_pending", params={"code": pending_code})
    if current_code == target_code:
        raise InvalidState("plan_already_current", params={"code": target_code})
    if current_code is None:
        return PlanDecision(OrderKind.INITIAL_PLAN, today, None)
    effective = plan_change_effective(today)
    return PlanDecision(OrderKind.PLAN_CHANGE, effective, effective)


def check_vas_add(held_codes: Sequence[str] | set[str], code: str, vas_active: bool) -> None:
    """Raise unless ``code`` can be added; ``held_codes`` are the services in force today (one removed
    today is in force until the end of the day, so it cannot be added back before tomorrow)."""
    if not vas_active:
        raise InvalidState("vas_inactive", params={"code": code})
    if code in held_codes:
        raise InvalidState("vas_already_active", params={"code": code})


def check_vas_remove(removable_codes: Sequence[str] | set[str], code: str) -> None:
    """``removable_codes``: services held with no end date yet."""
    if code not in removable_codes:
        raise InvalidState("vas_not_active", params={"code": code})


def order_number(day: date, order_id: int) -> str:
    """``OD`` + yyyymmdd + the order id (at least 4 digits): unique because the id is."""
    return f"OD{day:%Y%m%d}{order_id:04d}"

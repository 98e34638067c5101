"""What the portal and staff type about payments: amounts, texts, times, and the limits on them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from videophone.kernel.errors import FieldError, ValidationFailed
from videophone.kernel.money import Money, parse_yuan

MAX_PAYMENT = Money.of_yuan(100_000)
MAX_RECEIPT = 64
MAX_NOTE = 200
MAX_PAGE = 100  # rows of a list


def read_amount(raw: object, field: str, errors: list[FieldError]) -> Money:
    try:
        amount = parse_yuan(raw, field=field)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        return Money.zero()
    if not amount:
        errors.append(FieldError(field, "amount_zero"))
    elif amount.fen > MAX_PAYMENT.fen:
        errors.append(FieldError(field, "amount_too_large", {"max": str(MAX_PAYMENT.yuan)}))
    return amount


def read_text(raw: object, field: str, errors: list[FieldError], *, required: bool, limit: int = MAX_NOTE) -> str:
    value = str(raw or "").strip()
    if required and not value:
        errors.append(FieldError(field, "required"))
    elif len(value) > limit:
        errors.append(FieldError(field, "too_long", {"max": limit}))
    return value


def local_time(raw: str, tz: ZoneInfo) -> datetime | None:
    """An ISO 8601 time; without an offset it is the operator's local time (as typed at a counter)."""
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=tz)

"""Exact money: CNY in integer fen (分).  Never float.

Prices per minute may carry more precision than a fen (``Rate``: Decimal yuan); a charge is
rounded to the fen once, with ROUND_HALF_UP.  Splitting an amount (proration, allocation) always
sums back to the original exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from videophone.kernel.errors import FieldError, ValidationFailed

FEN_PER_YUAN = 100
_CENT = Decimal("0.01")


@dataclass(frozen=True, order=True)
class Money:
    fen: int

    def __post_init__(self) -> None:
        if isinstance(self.fen, bool) or not isinstance(self.fen, int):
            raise TypeError("Money holds an integer number of fen")

    # -- construction --------------------------------------------------------------------------------
    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    @classmethod
    def of_yuan(cls, amount: Decimal | int | str) -> Money:
        """An exact amount in yuan (at most two decimals); anything finer is an error."""
        value = Decimal(str(amount))
        fen = value * FEN_PER_YUAN
        if fen != fen.to_integral_value():
            raise ValueError(f"{amount} yuan is not a whole number of fen")
        return cls(int(fen))

    @classmethod
    def round_yuan(cls, amount: Decimal) -> Money:
        """Round a precise amount in yuan to the fen, half up (the one rounding rule of the service)."""
        return cls(int((amount.quantize(_CENT, rounding=ROUND_HALF_UP) * FEN_PER_YUAN).to_integral_value()))

    @classmethod
    def total(cls, amounts: Iterable[Money]) -> Money:
        return cls(sum(m.fen for m in amounts))

    # -- arithmetic ----------------------------------------------------------------------------------
    def __add__(self, other: Money) -> Money:
        return Money(self.fen + other.fen)

    def __sub__(self, other: Money) -> Money:
        return Money(self.fen - other.fen)

    def __neg__(self) -> Money:
        return Money(-self.fen)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            raise TypeError("multiply money by whole numbers only; use allocate() or prorate() to split")
        return Money(self.fen * factor)

    __rmul__ = __mul__

    def __bool__(self) -> bool:
        return self.fen != 0

    @property
    def yuan(self) -> Decimal:
        return (Decimal(self.fen) / FEN_PER_YUAN).quantize(_CENT)

    def __str__(self) -> str:
        sign = "-" if self.fen < 0 else ""
        return f"{sign}¥{abs(self.yuan):,.2f}"

    # -- splitting -------------------------------------------------------------------------------------
    def allocate(self, weights: Sequence[int]) -> list[Money]:
        """Split by non-negative integer weights; the parts sum back exactly (largest remainder,
        ties to the earlier part)."""
        if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
            raise ValueError("weights must be non-negative and not all zero")
        total = sum(weights)
        sign = -1 if self.fen < 0 else 1
        amount = abs(self.fen)
        shares = [amount * w // total for w in weights]
        remainders = [(amount * w % total, -i) for i, w in enumerate(weights)]
        for _, negative_index in sorted(remainders, reverse=True)[: amount - sum(shares)]:
            shares[-negative_index] += 1
        return [Money(sign * s) for s in shares]

    def prorate(self, part: int, whole: int) -> Money:
        """``part/whole`` of this amount, rounded half up (e.g. rent for 10 of 30 days)."""
        if whole <= 0 or not 0 <= part <= whole:
            raise ValueError("need 0 <= part <= whole and whole > 0")
        if part == whole:
            return self
        return Money.round_yuan(self.yuan * part / whole)


def parse_yuan(raw: object, *, field: str, allow_negative: bool = False) -> Money:
    """User input in yuan ("12.5", 12, "0.01") → Money, or a field error."""
    if isinstance(raw, float | bool):
        raise ValidationFailed([FieldError(field, "money_format")])
    try:
        money = Money.of_yuan(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed([FieldError(field, "money_format")]) from None
    if money.fen < 0 and not allow_negative:
        raise ValidationFailed([FieldError(field, "money_negative")])
    return money


def parse_rate(raw: object, *, field: str) -> Decimal:
    """A per-minute rate in yuan with up to 4 decimals (e.g. "0.125")."""
    if isinstance(raw, float | bool):
        raise ValidationFailed([FieldError(field, "rate_format")])
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValidationFailed([FieldError(field, "rate_format")]) from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.0001")):
        raise ValidationFailed([FieldError(field, "rate_format")])
    return value

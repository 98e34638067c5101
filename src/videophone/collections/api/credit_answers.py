"""Answers of the credit-limit routes (``web/api/credit.py``, R-26)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from videophone.calling.domain.capabilities import ServiceState
from videophone.collections.domain import credit as rules
from videophone.collections.services.credit import CreditStatus
from videophone.edge.answers.fields import Yuan
from videophone.kernel.money import Money


def _yuan(money: Money) -> str:
    return f"{money.yuan:.2f}"


class CreditLimit(BaseModel):
    """The chosen monthly limit and where the subscriber stands against it this month (amounts in
    yuan as text, and in fen)."""

    limit_yuan: int | None = Field(description="The chosen limit in whole yuan, or null for none")
    limit: Yuan | None
    limit_fen: int | None
    options: list[int] = Field(description="The limits the operator offers (whole yuan)")
    action: Literal["outgoing_barred", "suspended"] = Field(description="What reaching the limit does")
    period: str = Field(description="YYYY-MM")
    used: Yuan
    used_fen: int
    prepaid: Yuan
    prepaid_fen: int
    spent_fen: int
    reserved: Yuan = Field(description="Held for calls in progress")
    reserved_fen: int
    remaining: Yuan | None
    remaining_fen: int | None
    percent: int | None
    barred: bool = Field(description="Whether calls are barred for the limit now (what an invite would get)")
    reason: str | None = Field(description="While barred: the code an invite is refused with")
    service_state: ServiceState
    warnings: list[int] = Field(description="The warning levels (percent) sent this month")
    warning_levels: list[int]

    @classmethod
    def of(cls, s: CreditStatus) -> CreditLimit:
        return cls.model_validate(
            {
                "limit_yuan": int(s.limit.yuan) if s.limit is not None else None,
                "limit": _yuan(s.limit) if s.limit is not None else None,
                "limit_fen": s.limit.fen if s.limit is not None else None,
                "options": s.options,
                "action": s.action,
                "period": s.period,
                "used": _yuan(s.used),
                "used_fen": s.used.fen,
                "prepaid": _yuan(s.prepaid),
                "prepaid_fen": s.prepaid.fen,
                "spent_fen": s.spent.fen,
                "reserved": _yuan(s.reserved),
                "reserved_fen": s.reserved.fen,
                "remaining": _yuan(s.remaining) if s.remaining is not None else None,
                "remaining_fen": s.remaining.fen if s.remaining is not None else None,
                "percent": s.percent,
                "barred": s.barred,
                "reason": s.reason,
                "service_state": s.service_state,
                "warnings": s.warnings,
                "warning_levels": list(rules.WARNING_LEVELS),
            }
        )

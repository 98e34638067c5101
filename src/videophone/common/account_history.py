"""The subscriber's account history (R-24..R-26, R-30..R-32): what happened to their service and money,
in words they can read — suspensions and restorations, payments, refunds, credit-limit changes and
warnings, dispute decisions.  Written in the same transaction as the change it describes.

Kinds (``params`` in brackets; their zh/en labels live in ``identity/texts/ui_account.py``):
``payment_received`` [amount, method], ``refund_issued`` [amount, method],
``service_restricted`` [reason, scope], ``service_restored`` [reason], ``service_terminated`` [reason],
``credit_limit_changed`` [limit], ``credit_limit_warning`` [level, limit, used],
``dispute_opened`` [dispute_id, amount], ``dispute_adjusted`` [dispute_id, credit],
``dispute_rejected`` [dispute_id].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from videophone.adapters.db.models import AccountEvent
from videophone.adapters.db.uow import UnitOfWork
from videophone.common.deps import Deps

MAX_PAGE = 200


def record_event(uow: UnitOfWork, at: datetime, subscriber_id: int, kind: str, params: dict[str, Any]) -> None:
    """Add an event to the current transaction (it commits, or not, with its cause)."""
    uow.session.add(AccountEvent(subscriber_id=subscriber_id, at=at, kind=kind, params=dict(params)))


@dataclass(frozen=True)
class AccountEventView:
    id: int
    at: datetime
    kind: str
    params: dict[str, Any]


class AccountHistoryService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def list(
        self, subscriber_id: int, *, limit: int = 50, before_id: int | None = None
    ) -> list[AccountEventView]:
        """Newest first; ``before_id`` pages back."""
        limit = max(1, min(MAX_PAGE, limit))
        query = select(AccountEvent).where(AccountEvent.subscriber_id == subscriber_id)
        if before_id is not None:
            query = query.where(AccountEvent.id < before_id)
        async with self.deps.uow() as uow:
            rows = (await uow.session.scalars(query.order_by(AccountEvent.id.desc()).limit(limit))).all()
        return [AccountEventView(r.id, r.at, r.kind, dict(r.params or {})) for r in rows]

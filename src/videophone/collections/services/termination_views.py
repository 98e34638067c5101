"""What the portal and the console show of terminations (``services.termination_service``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from videophone.adapters.db.models_termination import TerminationRequest
from videophone.collections.services.debts import AccountDebts
from videophone.kernel.money import Money


@dataclass(frozen=True)
class RequestView:
    id: int
    subscriber_id: int
    number: str
    initiator: str
    reason: str
    note: str
    state: str
    requested_at: datetime
    termination_date: date
    owed_at_request: str
    final_bills: list[dict[str, Any]]
    closed_at: datetime | None
    withdrawn_at: datetime | None
    refund_due: str

    @staticmethod
    def of(row: TerminationRequest) -> RequestView:
        return RequestView(
            row.id,
            row.subscriber_id,
            row.number,
            row.initiator,
            row.reason,
            row.note,
            row.state,
            row.requested_at,
            row.termination_date,
            str(Money(row.owed_at_request_fen).yuan),
            list(row.final_bills or []),
            row.closed_at,
            row.withdrawn_at,
            str(Money(row.refund_due_fen).yuan),
        )


@dataclass(frozen=True)
class StatusView:
    """What the portal shows: the service state, the latest request, and what remains to pay."""

    service_state: str
    service_reason: str
    number: str
    request: RequestView | None
    balance: str
    remaining: str
    refund_due: str
    debts: AccountDebts


@dataclass(frozen=True)
class PendingRow:
    request: RequestView
    name: str
    balance: str


@dataclass(frozen=True)
class NoticeRow:
    id: int
    subscriber_id: int
    number: str
    name: str
    notified_at: datetime
    last_activity_at: datetime
    terminate_on: date

"""Answers of the termination routes (``web/api/termination.py``, R-32)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from videophone.calling.domain.capabilities import ServiceState
from videophone.collections.api.arrears_answers import Debts
from videophone.collections.domain.termination import Initiator, RequestState
from videophone.collections.services.termination_views import PendingRow, RequestView, StatusView
from videophone.edge.answers.fields import FROM_VIEW, Yuan


class FinalBill(BaseModel):
    id: int
    number: str
    period: str
    total_due: Yuan


class Termination(BaseModel):
    """A termination: asked by the subscriber (closed once everything owed is paid) or decided by
    the operator."""

    model_config = FROM_VIEW

    id: int
    subscriber_id: int
    number: str
    initiator: Initiator
    reason: str = Field(description="The subscriber's, or breach | illegal | inactivity | violation | arrears")
    note: str
    state: RequestState
    requested_at: datetime
    termination_date: date
    owed_at_request: Yuan
    final_bills: list[FinalBill]
    closed_at: datetime | None
    withdrawn_at: datetime | None
    refund_due: Yuan

    @classmethod
    def of(cls, view: RequestView) -> Termination:
        return cls.model_validate(view)


class TerminationStatus(BaseModel):
    """The service state, the latest termination request and what remains to pay."""

    service_state: ServiceState
    service_reason: str
    number: str
    request: Termination | None
    balance: Yuan
    remaining: Yuan
    refund_due: Yuan
    debts: Debts

    @classmethod
    def of(cls, view: StatusView) -> TerminationStatus:
        return cls(
            service_state=ServiceState(view.service_state),
            service_reason=view.service_reason,
            number=view.number,
            request=Termination.of(view.request) if view.request is not None else None,
            balance=view.balance,
            remaining=view.remaining,
            refund_due=view.refund_due,
            debts=Debts.of(view.debts),
        )


class PendingTermination(Termination):
    """A subscriber's request awaiting payment, with the name and what is still owed."""

    name: str
    balance: Yuan

    @classmethod
    def of_row(cls, row: PendingRow) -> PendingTermination:
        return cls.model_validate(
            {**Termination.of(row.request).model_dump(), "name": row.name, "balance": row.balance}
        )


class InactivityNotice(BaseModel):
    """An inactive account notified that it will be terminated."""

    model_config = FROM_VIEW

    id: int
    subscriber_id: int
    number: str
    name: str
    notified_at: datetime
    last_activity_at: datetime
    terminate_on: date


class Terminations(BaseModel):
    pending: list[PendingTermination]
    under_notice: list[InactivityNotice]
    recent: list[Termination]

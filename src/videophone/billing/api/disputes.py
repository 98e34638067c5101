"""Billing disputes (R-25): subscribers file them, billing staff investigate and decide."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from videophone.billing.api.disputes_answers import (
    DisputableAnswer,
    DisputeAnswer,
    DisputeDetailAnswer,
    DisputeQueueAnswer,
    DisputesAnswer,
)
from videophone.edge.deps import ContainerDep, SubscriberDep, actor_of, staff_with
from videophone.edge.params import BodyId, Id, Offset
from videophone.identity.domain.staff import Permission
from videophone.identity.public import Principal

router = APIRouter(prefix="/api/v1")

DisputeHandler = Annotated[Principal, Depends(staff_with(Permission.HANDLE_DISPUTES))]
Limit = Annotated[int, Query(ge=1, le=200)]


class DisputeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bill_id: BodyId = Field(description="One of the subscriber's bills")
    call_id: str | None = Field(default=None, max_length=64, description="A call charged on that bill (optional)")
    amount_yuan: str | int | None = Field(
        default=None, description="Amount disputed in yuan; blank: the call's charge or the bill's new charges"
    )
    reason: str = Field(default="", description="Why the charge is wrong (at most 1000 characters)")


class AdjustIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    credit_yuan: str | int = Field(default="", description="Credit in yuan, more than 0, at most the disputed amount")
    explanation: str = Field(default="", description="What was found (the subscriber reads it)")


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    explanation: str = Field(default="", description="Why no adjustment is made (the subscriber reads it)")


# -- the subscriber -----------------------------------------------------------------------------------------
@router.get("/me/disputes", tags=["subscriber"])
async def my_disputes(principal: SubscriberDep, c: ContainerDep) -> DisputesAnswer:
    return DisputesAnswer(items=[DisputeAnswer.model_validate(d) for d in await c.disputes.mine(principal.id)])


@router.post("/me/disputes", tags=["subscriber"], status_code=201)
async def open_dispute(body: DisputeIn, principal: SubscriberDep, request: Request, c: ContainerDep) -> DisputeAnswer:
    """Dispute a bill, or one call charged on it; the answer is due within the policy's deadline."""
    view = await c.disputes.open(
        actor_of(principal, request),
        principal.id,
        body.bill_id,
        call_id=body.call_id,
        amount_yuan=body.amount_yuan,
        reason=body.reason,
    )
    return DisputeAnswer.model_validate(view)


@router.get("/me/bills/{bill_id}/disputable", tags=["subscriber"])
async def my_disputable(bill_id: Id, principal: SubscriberDep, c: ContainerDep) -> DisputableAnswer:
    """The bill's new charges and its calls with a charge, to choose what to dispute."""
    return DisputableAnswer.model_validate(await c.disputes.disputable(principal.id, bill_id))


# -- the console ---------------------------------------------------------------------------------------------
@router.get("/console/disputes", tags=["console"])
async def console_disputes(
    principal: DisputeHandler,
    c: ContainerDep,
    state: str = "",
    number: str = "",
    offset: Offset = 0,
    limit: Limit = 50,
) -> DisputeQueueAnswer:
    """Open disputes first (nearest deadline first, overdue ones flagged), then decided ones."""
    total, counts, items = await c.disputes.queue(state=state or None, number=number, offset=offset, limit=limit)
    return DisputeQueueAnswer(total=total, **counts, items=[DisputeAnswer.model_validate(d) for d in items])


@router.get("/console/disputes/{dispute_id}", tags=["console"])
async def console_dispute(
    dispute_id: Id, principal: DisputeHandler, request: Request, c: ContainerDep
) -> DisputeDetailAnswer:
    """The dispute with the bill, the call record(s), their quality data and rating (the look is audited)."""
    return DisputeDetailAnswer.of(await c.disputes.detail(dispute_id, actor_of(principal, request)))


@router.post("/console/disputes/{dispute_id}/adjust", tags=["console"])
async def console_adjust_dispute(
    dispute_id: Id, body: AdjustIn, principal: DisputeHandler, request: Request, c: ContainerDep
) -> DisputeDetailAnswer:
    """Resolve with a credit, shown on the subscriber's next bill."""
    detail = await c.disputes.adjust(actor_of(principal, request), dispute_id, body.credit_yuan, body.explanation)
    return DisputeDetailAnswer.of(detail)


@router.post("/console/disputes/{dispute_id}/reject", tags=["console"])
async def console_reject_dispute(
    dispute_id: Id, body: RejectIn, principal: DisputeHandler, request: Request, c: ContainerDep
) -> DisputeDetailAnswer:
    """Reject with an explanation the subscriber reads."""
    detail = await c.disputes.reject(actor_of(principal, request), dispute_id, body.explanation)
    return DisputeDetailAnswer.of(detail)

"""Bills, usage, bill runs and adjustments (R-22)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from videophone.billing.api.billing_answers import (
    AdjustmentAnswer,
    BillAnswer,
    BillPageAnswer,
    BillsAnswer,
    RunAnswer,
    RunsAnswer,
    RunSummaryAnswer,
    UsageAnswer,
)
from videophone.edge.deps import ContainerDep, ReaderLanguage, SubscriberDep, actor_of, staff_with
from videophone.edge.openapi import binary_response
from videophone.edge.params import Id, Offset
from videophone.identity.domain.staff import Permission
from videophone.identity.public import Principal
from videophone.kernel.errors import FieldError, ValidationFailed

router = APIRouter(prefix="/api/v1")


class IdempotencyKeyRequired(ValidationFailed):
    """A posting without an ``Idempotency-Key`` header (422)."""

    code = "idempotency_key_required"


BillingViewer = Annotated[Principal, Depends(staff_with(Permission.VIEW_BILLING))]
BillingRunner = Annotated[Principal, Depends(staff_with(Permission.RUN_BILLING))]
BillAdjuster = Annotated[Principal, Depends(staff_with(Permission.ADJUST_BILLS))]
Limit = Annotated[int, Query(ge=1, le=200)]


class BillRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str = Field(default="", description="The month to bill, YYYY-MM (must have ended)")


class AdjustmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(default="adjustment", description="adjustment (either sign) | credit (reduces what is owed)")
    amount_yuan: str | int = Field(default="", description='Yuan, at most 2 decimals, e.g. "12.50" or "-3"')
    reason: str = Field(default="", description="Why (shown on the bill and in the audit log)")


# -- the subscriber -----------------------------------------------------------------------------------------
@router.get("/me/bills", tags=["subscriber"])
async def my_bills(principal: SubscriberDep, c: ContainerDep) -> BillsAnswer:
    return BillsAnswer(items=[BillAnswer.model_validate(b) for b in await c.billing.bills(principal.id)])


@router.get(
    "/me/bills/{bill_id}.pdf",
    tags=["subscriber"],
    response_class=Response,
    responses=binary_response("application/pdf"),
)
async def my_bill_pdf(bill_id: Id, principal: SubscriberDep, c: ContainerDep, language: ReaderLanguage) -> Response:
    """The bill as a PDF; its lines in the reader's language."""
    filename, data = await c.billing.bill_pdf(principal.id, bill_id, language)
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"},
    )


@router.get("/me/bills/{bill_id}", tags=["subscriber"])
async def my_bill(bill_id: Id, principal: SubscriberDep, c: ContainerDep, language: ReaderLanguage) -> BillAnswer:
    """One bill with its lines, in the reader's language (``vp_lang`` cookie, else Accept-Language)."""
    return BillAnswer.model_validate(await c.billing.bill(principal.id, bill_id, language))


@router.get("/me/usage", tags=["subscriber"])
async def my_usage(principal: SubscriberDep, c: ContainerDep) -> UsageAnswer:
    """This month's calls so far: count, minutes, usage charges, included seconds left."""
    return UsageAnswer.of(await c.rating.month_to_date(principal.id))


# -- the console ---------------------------------------------------------------------------------------------
@router.get("/console/bills", tags=["console"])
async def console_bills(
    principal: BillingViewer,
    c: ContainerDep,
    number: str = "",
    period: str = "",
    offset: Offset = 0,
    limit: Limit = 50,
) -> BillPageAnswer:
    total, items = await c.billing.search(number=number or None, period=period or None, offset=offset, limit=limit)
    return BillPageAnswer(total=total, items=[BillAnswer.model_validate(b) for b in items])


@router.get("/console/bills/{bill_id}", tags=["console"])
async def console_bill(bill_id: Id, principal: BillingViewer, c: ContainerDep, language: ReaderLanguage) -> BillAnswer:
    """One bill with its lines, in the reader's language."""
    return BillAnswer.model_validate(await c.billing.staff_bill(bill_id, language))


@router.get("/console/bill-runs", tags=["console"])
async def console_bill_runs(principal: BillingViewer, c: ContainerDep) -> RunsAnswer:
    return RunsAnswer(items=[RunAnswer.model_validate(r) for r in await c.billing.runs()])


@router.post("/console/bill-runs", tags=["console"])
async def console_start_bill_run(
    body: BillRunIn, principal: BillingRunner, request: Request, c: ContainerDep
) -> RunSummaryAnswer:
    """Run the bill run for a period now and return its summary (idempotent: billed accounts are skipped)."""
    summary = await c.billing.run(body.period, actor=actor_of(principal, request))
    return RunSummaryAnswer.model_validate(summary)


@router.post("/console/subscribers/{subscriber_id}/adjustments", tags=["console"])
async def console_adjust(
    subscriber_id: Id,
    body: AdjustmentIn,
    principal: BillAdjuster,
    request: Request,
    c: ContainerDep,
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key")] = "",
) -> AdjustmentAnswer:
    """Post an adjustment or credit; the same ``Idempotency-Key`` again returns the same posting."""
    if not idempotency_key.strip():
        raise IdempotencyKeyRequired([FieldError("idempotency_key", "idempotency_key_required")])
    view = await c.adjustments.adjust(
        actor_of(principal, request),
        subscriber_id,
        body.amount_yuan,
        body.reason,
        kind=body.kind,
        idempotency_key=idempotency_key,
    )
    return AdjustmentAnswer.model_validate(view)

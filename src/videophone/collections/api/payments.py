"""Payments (R-23): the portal's pay flow, the gateway's notifications, counter payments and refunds."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from videophone.collections.api.payments_answers import (
    IntentAnswer,
    MyPaymentsAnswer,
    PaymentAnswer,
    PaymentsConsoleAnswer,
    RefundAnswer,
    StartedPaymentAnswer,
)
from videophone.edge.deps import ContainerDep, SubscriberDep, actor_of, client_ip, staff_with
from videophone.edge.openapi import problem_responses
from videophone.edge.params import BodyId, Id
from videophone.edge.problems import request_language
from videophone.identity.domain.staff import Permission
from videophone.identity.public import Principal

router = APIRouter(prefix="/api/v1")

BillingViewer = Annotated[Principal, Depends(staff_with(Permission.VIEW_BILLING))]
PaymentRecorder = Annotated[Principal, Depends(staff_with(Permission.RECORD_PAYMENTS))]
Refunder = Annotated[Principal, Depends(staff_with(Permission.REFUND_PAYMENTS))]
MAX_NOTIFICATION_BYTES = 16_384


class PaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_yuan: str | int = Field(default="", description='Yuan, at most 2 decimals, e.g. "58.20"')
    bill_id: BodyId | None = Field(
        default=None, description="The bill being paid (optional; payments settle the oldest debt first)"
    )


class CounterPaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_yuan: str | int = ""
    method: str = Field(default="", description="cash | bank_transfer")
    receipt_no: str = Field(
        default="", description="The receipt number (unique; the same receipt again returns the same payment)"
    )
    received_at: str | None = Field(default=None, description="When the money was received (ISO 8601; default now)")
    note: str = ""


class RefundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_yuan: str | int = ""
    method: str = Field(default="", description="cash | bank_transfer")
    reason: str = ""


# -- the subscriber -----------------------------------------------------------------------------------------
@router.post("/me/payments", tags=["subscriber"])
async def start_payment(
    body: PaymentIn, principal: SubscriberDep, request: Request, c: ContainerDep
) -> StartedPaymentAnswer:
    """Create a payment intent; the browser goes on to ``redirect_url`` (the gateway's pay page, in the
    portal's language)."""
    view = await c.payments.start(principal.id, body.amount_yuan, body.bill_id, language=request_language(request))
    return StartedPaymentAnswer(
        intent_id=view.id, redirect_url=view.redirect_url, intent=IntentAnswer.model_validate(view)
    )


@router.get("/me/payments", tags=["subscriber"])
async def my_payments(principal: SubscriberDep, c: ContainerDep) -> MyPaymentsAnswer:
    """Balance, intents, payments and refunds (newest first) and what remains of each bill."""
    return MyPaymentsAnswer.model_validate(await c.payments.mine(principal.id))


@router.get("/me/payments/{intent_id}", tags=["subscriber"])
async def my_payment(intent_id: str, principal: SubscriberDep, c: ContainerDep) -> IntentAnswer:
    return IntentAnswer.model_validate(await c.payments.intent(principal.id, intent_id))


# -- the gateway ---------------------------------------------------------------------------------------------
@router.post(
    "/payments/gateway/notify",
    tags=["gateway"],
    response_class=PlainTextResponse,
    responses={
        200: {"description": "`success`: acknowledged.", "content": {"text/plain": {"schema": {"const": "success"}}}},
        400: {"description": "`fail`: refused.", "content": {"text/plain": {"schema": {"const": "fail"}}}},
    },
)
async def gateway_notify(request: Request, c: ContainerDep) -> PlainTextResponse:
    """The gateway's signed notification (form or JSON).  ``success`` acknowledges it; a bad signature
    is refused with 400 (and logged)."""
    raw = await request.body()
    payload: dict[str, object] = {}
    if len(raw) <= MAX_NOTIFICATION_BYTES:
        if "json" in request.headers.get("content-type", ""):
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = {}
            payload = parsed if isinstance(parsed, dict) else {}
        else:
            form = await request.form()
            payload = {k: v for k, v in form.items() if isinstance(v, str)}
    ok = await c.payments.handle_notification(payload, remote=client_ip(request))
    return PlainTextResponse("success" if ok else "fail", status_code=200 if ok else 400)


# -- the console ---------------------------------------------------------------------------------------------
@router.get("/console/payments", tags=["console"], responses=problem_responses(404))
async def console_payments(
    principal: BillingViewer,
    c: ContainerDep,
    number: Annotated[str, Query(max_length=20)] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> PaymentsConsoleAnswer:
    """Recent payments, pending intents and the gateway notification log; ``number``: that subscriber's
    balance too."""
    return PaymentsConsoleAnswer.model_validate(await c.payments.console(number=number, limit=limit))


@router.post("/console/subscribers/{subscriber_id}/payments", tags=["console"])
async def console_record_payment(
    subscriber_id: Id, body: CounterPaymentIn, principal: PaymentRecorder, request: Request, c: ContainerDep
) -> PaymentAnswer:
    view = await c.payments.record_counter(
        actor_of(principal, request),
        subscriber_id,
        amount_yuan=body.amount_yuan,
        method=body.method,
        receipt_no=body.receipt_no,
        received_at=body.received_at,
        note=body.note,
    )
    return PaymentAnswer.model_validate(view)


@router.post("/console/subscribers/{subscriber_id}/refunds", tags=["console"])
async def console_refund(
    subscriber_id: Id, body: RefundIn, principal: Refunder, request: Request, c: ContainerDep
) -> RefundAnswer:
    view = await c.payments.refund(
        actor_of(principal, request),
        subscriber_id,
        amount_yuan=body.amount_yuan,
        method=body.method,
        reason=body.reason,
    )
    return RefundAnswer.model_validate(view)

"""Termination of the agreement (R-32): the subscriber asks for it and pays what remains; staff
terminate for serious breach or illegal acts and follow requests and inactive accounts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from videophone.edge.deps import ContainerDep, SubscriberDep, actor_of, staff_with
from videophone.edge.params import BodyId
from videophone.identity.domain.staff import Permission
from videophone.identity.public import Principal

router = APIRouter(prefix="/api/v1")

Terminator = Annotated[Principal, Depends(staff_with(Permission.TERMINATE_ACCOUNTS))]


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(default="", max_length=200, description="The subscriber's password, to confirm")
    note: str = Field(default="", description="Why (optional, at most 1000 characters)")


class OperatorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subscriber_id: BodyId
    reason: str = Field(default="", description="breach | illegal")
    note: str = Field(default="", description="What happened (required, at most 1000 characters)")


# -- the subscriber -----------------------------------------------------------------------------------------
@router.get("/me/termination", tags=["subscriber"])
async def my_termination(principal: SubscriberDep, c: ContainerDep) -> dict[str, Any]:
    """The service state, the latest termination request and what remains to pay."""
    return (await c.termination.status(principal.id)).to_dict()


@router.post("/me/termination", tags=["subscriber"], status_code=201)
async def request_termination(
    body: RequestIn, principal: SubscriberDep, request: Request, c: ContainerDep
) -> dict[str, Any]:
    """Terminate the agreement today: service stops, the final bill is issued at once, and the account
    closes when everything owed is paid."""
    view = await c.termination.request(
        principal.id, password=body.password, note=body.note, actor=actor_of(principal, request)
    )
    return view.to_dict()


@router.post("/me/termination/withdraw", tags=["subscriber"])
async def withdraw_termination(principal: SubscriberDep, request: Request, c: ContainerDep) -> dict[str, Any]:
    return (await c.termination.withdraw(principal.id, actor=actor_of(principal, request))).to_dict()


# -- the console ---------------------------------------------------------------------------------------------
@router.get("/console/terminations", tags=["console"])
async def console_terminations(principal: Terminator, c: ContainerDep) -> dict[str, Any]:
    """Requests awaiting payment (with the amount outstanding), inactive accounts under notice, and
    recent terminations (refunds due show here)."""
    return {
        "pending": [r.to_dict() for r in await c.termination.pending()],
        "under_notice": [n.to_dict() for n in await c.termination.under_notice()],
        "recent": [r.to_dict() for r in await c.termination.recent()],
    }


@router.post("/console/terminations", tags=["console"], status_code=201)
async def operator_terminate(
    body: OperatorIn, principal: Terminator, request: Request, c: ContainerDep
) -> dict[str, Any]:
    """Terminate an account at once for serious breach or illegal acts (the debt stays to collect)."""
    view = await c.termination.operator_terminate(
        actor_of(principal, request), body.subscriber_id, reason=body.reason, note=body.note
    )
    return view.to_dict()

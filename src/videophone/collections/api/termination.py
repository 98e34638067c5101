"""Termination of the agreement (R-32): the subscriber asks for it and pays what remains; staff
terminate for serious breach or illegal acts and follow requests and inactive accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from videophone.collections.api.termination_answers import (
    InactivityNotice,
    PendingTermination,
    Termination,
    Terminations,
    TerminationStatus,
)
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
async def my_termination(principal: SubscriberDep, c: ContainerDep) -> TerminationStatus:
    """The service state, the latest termination request and what remains to pay."""
    return TerminationStatus.of(await c.termination.status(principal.id))


@router.post("/me/termination", tags=["subscriber"], status_code=201)
async def request_termination(
    body: RequestIn, principal: SubscriberDep, request: Request, c: ContainerDep
) -> TerminationStatus:
    """Terminate the agreement today: service stops, the final bill is issued at once, and the account
    closes when everything owed is paid."""
    view = await c.termination.request(
        principal.id, password=body.password, note=body.note, actor=actor_of(principal, request)
    )
    return TerminationStatus.of(view)


@router.post("/me/termination/withdraw", tags=["subscriber"])
async def withdraw_termination(principal: SubscriberDep, request: Request, c: ContainerDep) -> TerminationStatus:
    return TerminationStatus.of(await c.termination.withdraw(principal.id, actor=actor_of(principal, request)))


# -- the console ---------------------------------------------------------------------------------------------
@router.get("/console/terminations", tags=["console"])
async def console_terminations(principal: Terminator, c: ContainerDep) -> Terminations:
    """Requests awaiting payment (with the amount outstanding), inactive accounts under notice, and
    recent terminations (refunds due show here)."""
    return Terminations(
        pending=[PendingTermination.of_row(r) for r in await c.termination.pending()],
        under_notice=[InactivityNotice.model_validate(n) for n in await c.termination.under_notice()],
        recent=[Termination.of(r) for r in await c.termination.recent()],
    )


@router.post("/console/terminations", tags=["console"], status_code=201)
async def operator_terminate(body: OperatorIn, principal: Terminator, request: Request, c: ContainerDep) -> Termination:
    """Terminate an account at once for serious breach or illegal acts (the debt stays to collect)."""
    view = await c.termination.operator_terminate(
        actor_of(principal, request), body.subscriber_id, reason=body.reason, note=body.note
    )
    return Termination.of(view)

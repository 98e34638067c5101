"""Contacts, block list and harassment reports (R-12): the subscriber's own routes and the console's
report queue.  Every subscriber route acts on the caller's rows only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from videophone.calling.api.contacts_answers import (
    BlockAnswer,
    ContactAnswer,
    ContactPage,
    ReportAnswer,
    ReportPage,
    StaffReportAnswer,
    StaffReportPage,
)
from videophone.edge.deps import ContainerDep, SubscriberDep, actor_of, staff_with
from videophone.edge.params import Id, Offset
from videophone.identity.domain.staff import Permission
from videophone.identity.public import Principal

router = APIRouter(prefix="/api/v1", tags=["contacts"])

ReportHandler = Annotated[Principal, Depends(staff_with(Permission.HANDLE_REPORTS))]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContactIn(_Body):
    name: str | None = None
    number: str | None = Field(default=None, description="5–20 digits; spaces and dashes are ignored")
    note: str | None = None
    favourite: bool | None = None


class BlockIn(_Body):
    number: str = ""
    reason: str = ""


class ReportIn(_Body):
    number: str = ""
    description: str = ""
    call_id: str | None = Field(
        default=None,
        description="The call being reported, if any: one the reporter took part in (any other call id answers 404)",
    )
    block: bool = Field(default=False, description="Also block the number")


class ReportHandleIn(_Body):
    action: str = Field(description="start | resolve | dismiss")
    resolution: str = Field(default="", description="Required to resolve or dismiss")


# -- contacts ------------------------------------------------------------------------------------------
@router.get("/me/contacts")
async def list_contacts(
    principal: SubscriberDep,
    c: ContainerDep,
    q: str = "",
    favourites_only: bool = False,
    offset: Offset = 0,
    limit: int = Query(50, ge=1, le=200),
) -> ContactPage:
    total, items = await c.contacts.contacts(
        principal.id, q=q, favourites_only=favourites_only, offset=offset, limit=limit
    )
    return ContactPage.of(total, items)


@router.post("/me/contacts", status_code=201)
async def create_contact(body: ContactIn, principal: SubscriberDep, request: Request, c: ContainerDep) -> ContactAnswer:
    view = await c.contacts.create_contact(actor_of(principal, request), principal.id, body.model_dump())
    return ContactAnswer.of(view)


@router.patch("/me/contacts/{contact_id}")
async def update_contact(
    contact_id: Id, body: ContactIn, principal: SubscriberDep, request: Request, c: ContainerDep
) -> ContactAnswer:
    view = await c.contacts.update_contact(
        actor_of(principal, request), principal.id, contact_id, body.model_dump(exclude_unset=True)
    )
    return ContactAnswer.of(view)


@router.delete("/me/contacts/{contact_id}", status_code=204)
async def delete_contact(contact_id: Id, principal: SubscriberDep, request: Request, c: ContainerDep) -> None:
    await c.contacts.delete_contact(actor_of(principal, request), principal.id, contact_id)


# -- block list ----------------------------------------------------------------------------------------
@router.get("/me/blocks")
async def list_blocks(principal: SubscriberDep, c: ContainerDep) -> list[BlockAnswer]:
    return [BlockAnswer.of(b) for b in await c.contacts.blocks(principal.id)]


@router.post("/me/blocks", status_code=201)
async def add_block(body: BlockIn, principal: SubscriberDep, request: Request, c: ContainerDep) -> BlockAnswer:
    view = await c.contacts.block(actor_of(principal, request), principal.id, body.number, body.reason)
    return BlockAnswer.of(view)


@router.delete("/me/blocks/{block_id}", status_code=204)
async def remove_block(block_id: Id, principal: SubscriberDep, request: Request, c: ContainerDep) -> None:
    await c.contacts.unblock(actor_of(principal, request), principal.id, block_id)


# -- harassment reports ------------------------------------------------------------------------------
@router.post("/me/reports", status_code=201)
async def file_report(body: ReportIn, principal: SubscriberDep, request: Request, c: ContainerDep) -> ReportAnswer:
    view = await c.contacts.report(
        actor_of(principal, request),
        principal.id,
        body.number,
        body.description,
        call_id=body.call_id,
        block=body.block,
    )
    return ReportAnswer.of(view)


@router.get("/me/reports")
async def my_reports(
    principal: SubscriberDep,
    c: ContainerDep,
    offset: Offset = 0,
    limit: int = Query(50, ge=1, le=200),
) -> ReportPage:
    total, items = await c.contacts.my_reports(principal.id, offset=offset, limit=limit)
    return ReportPage.of(total, items)


# -- console: report queue ---------------------------------------------------------------------------
@router.get("/console/reports")
async def report_queue(
    principal: ReportHandler,
    c: ContainerDep,
    state: str | None = None,
    number: str = "",
    offset: Offset = 0,
    limit: int = Query(50, ge=1, le=200),
) -> StaffReportPage:
    total, items = await c.contacts.reports(state=state or None, number=number, offset=offset, limit=limit)
    return StaffReportPage.of(total, items)


@router.get("/console/reports/{report_id}")
async def report_detail(report_id: Id, principal: ReportHandler, c: ContainerDep) -> StaffReportAnswer:
    return StaffReportAnswer.of(await c.contacts.report_detail(report_id))


@router.post("/console/reports/{report_id}/handle")
async def handle_report(
    report_id: Id, body: ReportHandleIn, principal: ReportHandler, request: Request, c: ContainerDep
) -> StaffReportAnswer:
    view = await c.contacts.handle_report(actor_of(principal, request), report_id, body.action, body.resolution)
    return StaffReportAnswer.of(view)

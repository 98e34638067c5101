"""Announcements and agreement changes (R-33, R-06, R-02): staff publish, subscribers read, accept or
object; staff decide objection cases."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from videophone.edge.deps import ContainerDep, SubscriberDep, actor_of, staff_with
from videophone.edge.params import BodyId, Id, Offset, Version
from videophone.identity.domain.staff import Permission
from videophone.identity.public import Principal
from videophone.notices.api.announcements_answers import (
    AcceptanceAnswer,
    AgreementChangeAnswer,
    AgreementChangesAnswer,
    AgreementTemplateAnswer,
    AnnouncementAnswer,
    AnnouncementPageAnswer,
    MarkedReadAnswer,
    MyAnnouncementsAnswer,
    ObjectionAnswer,
    ObjectionQueueAnswer,
    PublishedVersionAnswer,
)

router = APIRouter(prefix="/api/v1")

AnnouncementManager = Annotated[Principal, Depends(staff_with(Permission.MANAGE_ANNOUNCEMENTS))]
Limit = Annotated[int, Query(ge=1, le=200)]


class AnnouncementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="maintenance | network_expansion | software_upgrade | number_change | other")
    title: str = Field(default="", description="Title in Chinese (at most 200 characters)")
    body: str = Field(default="", description="Text in Chinese (at most 5000 characters)")
    title_en: str = Field(default="", description="English title (optional)")
    body_en: str = Field(default="", description="English text (optional)")
    audience: str = Field(default="all", description="all | numbers")
    numbers: str | list[str] | None = Field(default=None, description="The numbers, for audience 'numbers'")
    publish_at: datetime | None = Field(default=None, description="When to publish (with time zone); blank: now")
    effective_at: datetime | None = Field(
        default=None, description="When the change takes effect (with time zone); blank: the earliest allowed"
    )


class AgreementVersionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    template: str = Field(default="", description="The new agreement text (same placeholders as version 1)")
    template_en: str = Field(
        default="", description="Its English translation, for convenience (the Chinese prevails); empty: none"
    )
    summary: str = Field(default="", description="What changed, in a few sentences")
    title: str = Field(default="", description="The announcement's title")
    body: str = Field(default="", description="The announcement's text")
    title_en: str = Field(default="")
    body_en: str = Field(default="")


class ReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[BodyId] | None = Field(default=None, description="Announcements to mark read; none: all")


class ObjectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(default="", description="What the subscriber objects to (at most 2000 characters)")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(default="", description="accepted | not_agreed")
    note: str = Field(default="", description="What was agreed (the subscriber reads it)")


# -- the subscriber -----------------------------------------------------------------------------------------
@router.get("/me/announcements", tags=["subscriber"])
async def my_announcements(principal: SubscriberDep, c: ContainerDep) -> MyAnnouncementsAnswer:
    """Published announcements for the subscriber, newest first, with the unread count."""
    unread, items = await c.announcements.mine(principal.id)
    return MyAnnouncementsAnswer(unread=unread, items=[AnnouncementAnswer.model_validate(a) for a in items])


@router.post("/me/announcements/read", tags=["subscriber"])
async def read_announcements(body: ReadIn, principal: SubscriberDep, c: ContainerDep) -> MarkedReadAnswer:
    return MarkedReadAnswer(marked=await c.announcements.mark_read(principal.id, body.ids))


@router.get("/me/agreement/changes", tags=["subscriber"])
async def my_agreement_changes(principal: SubscriberDep, c: ContainerDep) -> AgreementChangesAnswer:
    """Announced versions newer than the subscriber's first, with the diff and what they did about it."""
    changes = await c.agreement.changes_for(principal.id)
    return AgreementChangesAnswer(items=[AgreementChangeAnswer.model_validate(v) for v in changes])


@router.post("/me/agreement/changes/{version}/accept", tags=["subscriber"])
async def accept_agreement_change(
    version: Version, principal: SubscriberDep, request: Request, c: ContainerDep
) -> AcceptanceAnswer:
    view = await c.agreement.accept_version(
        actor_of(principal, request), principal.id, version, user_agent=request.headers.get("user-agent", "")
    )
    return AcceptanceAnswer.model_validate(view)


@router.post("/me/agreement/changes/{version}/objection", tags=["subscriber"], status_code=201)
async def object_to_agreement_change(
    version: Version, body: ObjectionIn, principal: SubscriberDep, request: Request, c: ContainerDep
) -> ObjectionAnswer:
    """Object within the window: opens a negotiation case for staff."""
    return ObjectionAnswer.model_validate(
        await c.agreement.object_to(actor_of(principal, request), principal.id, version, body.text)
    )


# -- the console ---------------------------------------------------------------------------------------------
@router.get("/console/announcements", tags=["console"])
async def console_announcements(
    principal: AnnouncementManager, c: ContainerDep, offset: Offset = 0, limit: Limit = 50
) -> AnnouncementPageAnswer:
    total, items = await c.announcements.list_all(offset=offset, limit=limit)
    return AnnouncementPageAnswer(total=total, items=[AnnouncementAnswer.model_validate(a) for a in items])


@router.post("/console/announcements", tags=["console"], status_code=201)
async def console_create_announcement(
    body: AnnouncementIn, principal: AnnouncementManager, request: Request, c: ContainerDep
) -> AnnouncementAnswer:
    """Publish now or later; the job notifies the audience when it is due."""
    view = await c.announcements.create(actor_of(principal, request), body.model_dump())
    return AnnouncementAnswer.model_validate(view)


@router.get("/console/agreement/template", tags=["console"])
async def console_agreement_template(principal: AnnouncementManager, c: ContainerDep) -> AgreementTemplateAnswer:
    """The current version's template, to start a new version from."""
    return AgreementTemplateAnswer.model_validate(await c.agreement.current_template())


@router.post("/console/agreement/versions", tags=["console"], status_code=201)
async def console_publish_agreement(
    body: AgreementVersionIn, principal: AnnouncementManager, request: Request, c: ContainerDep
) -> PublishedVersionAnswer:
    """Publish a new agreement version by announcement to everyone; the objection window starts now."""
    return PublishedVersionAnswer.model_validate(
        await c.agreement.publish_version(actor_of(principal, request), body.model_dump())
    )


@router.get("/console/agreement/objections", tags=["console"])
async def console_objections(
    principal: AnnouncementManager, c: ContainerDep, state: str = "", offset: Offset = 0, limit: Limit = 50
) -> ObjectionQueueAnswer:
    total, counts, items = await c.agreement.objections(state=state or None, offset=offset, limit=limit)
    return ObjectionQueueAnswer(total=total, **counts, items=[ObjectionAnswer.model_validate(o) for o in items])


@router.post("/console/agreement/objections/{objection_id}/decide", tags=["console"])
async def console_decide_objection(
    objection_id: Id, body: DecisionIn, principal: AnnouncementManager, request: Request, c: ContainerDep
) -> ObjectionAnswer:
    view = await c.agreement.decide_objection(actor_of(principal, request), objection_id, body.outcome, body.note)
    return ObjectionAnswer.model_validate(view)

"""Enforcement of the agreement: violations (R-30, ``handle_violations``) and lawful suspension (R-31,
``lawful_suspension`` — the only routes that show an authority's reference)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from videophone.edge.deps import ContainerDep, actor_of, staff_with
from videophone.edge.openapi import binary_response, problem_responses
from videophone.edge.params import FormId, FormText, Id, Offset
from videophone.enforcement.api.enforcement_answers import (
    LawfulAnswer,
    LawfulPage,
    TargetAnswer,
    ViolationAnswer,
    ViolationPage,
)
from videophone.enforcement.domain.violations import MAX_EVIDENCE_FILES
from videophone.enforcement.services.violations import Upload
from videophone.identity.domain.staff import Permission
from videophone.identity.public import Principal
from videophone.kernel.errors import FieldError, ValidationFailed

router = APIRouter(prefix="/api/v1/console", tags=["console"])

ViolationHandler = Annotated[Principal, Depends(staff_with(Permission.HANDLE_VIOLATIONS))]
LegalStaff = Annotated[Principal, Depends(staff_with(Permission.LAWFUL_SUSPENSION))]
Limit = Annotated[int, Query(ge=1, le=200)]


class LiftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", description="Why it is lifted (audited; the subscriber reads it)")


class LawfulIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str = Field(default="", max_length=40, description="The subscriber's number")
    authority: str = Field(default="", description="The authority that requires the suspension")
    reference: str = Field(default="", description="Its reference (encrypted; shown to legal staff only)")
    period_from: str = Field(default="", description="First day (YYYY-MM-DD, not after today; blank: today)")
    period_to: str = Field(default="", description="Last day, inclusive (YYYY-MM-DD; blank: until lifted)")


# -- violations (R-30) -------------------------------------------------------------------------------------
@router.get("/violations/subscriber", responses=problem_responses(404))
async def violation_target(principal: ViolationHandler, c: ContainerDep, number: str = "") -> TargetAnswer:
    """The subscriber with this number: service state and value-added services in force."""
    return TargetAnswer.of(await c.violations.target(number))


@router.get("/violations")
async def list_violations(
    principal: ViolationHandler,
    c: ContainerDep,
    number: str = "",
    state: str = "",
    offset: Offset = 0,
    limit: Limit = 50,
) -> ViolationPage:
    total, items = await c.violations.search(number=number, state=state, offset=offset, limit=limit)
    return ViolationPage.of(total, items)


@router.post("/violations", status_code=201)
async def issue_violation(
    principal: ViolationHandler,
    request: Request,
    c: ContainerDep,
    subscriber_id: FormId,
    action: FormText = "",
    reason: FormText = "",
    vas_code: FormText = "",
    files: Annotated[list[UploadFile] | None, File(description="Evidence: images or PDF")] = None,
) -> ViolationAnswer:
    """A warning, outgoing calls barred, a value-added service withdrawn, a suspension or a termination —
    with the reason and evidence; the subscriber is notified, calls now forbidden end at once."""
    uploads = [f for f in (files or []) if f.filename]
    if len(uploads) > MAX_EVIDENCE_FILES:
        raise ValidationFailed([FieldError("files", "violation_too_many_files", {"max": MAX_EVIDENCE_FILES})])
    _, pol = await c.policy.get()
    read = [
        Upload(f.filename or "evidence", f.content_type or "", await f.read(pol.document_max_bytes + 1))
        for f in uploads
    ]
    view = await c.violations.issue(
        actor_of(principal, request), subscriber_id, action, reason, vas_code=vas_code, files=read
    )
    return ViolationAnswer.of(view)


@router.post("/violations/{violation_id}/lift")
async def lift_violation(
    violation_id: Id, body: LiftIn, principal: ViolationHandler, request: Request, c: ContainerDep
) -> ViolationAnswer:
    return ViolationAnswer.of(await c.violations.lift(actor_of(principal, request), violation_id, body.reason))


@router.get(
    "/violations/{violation_id}/evidence/{evidence_id}",
    response_class=Response,
    responses=binary_response("image/jpeg", "image/png", "application/pdf"),
)
async def violation_evidence(
    violation_id: Id, evidence_id: Id, principal: ViolationHandler, request: Request, c: ContainerDep
) -> Response:
    info, content = await c.violations.evidence(actor_of(principal, request), violation_id, evidence_id)
    return Response(
        content,
        media_type=info.content_type,
        headers={"Content-Disposition": "inline", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


# -- lawful suspension (R-31) --------------------------------------------------------------------------------
@router.get("/lawful")
async def list_lawful(
    principal: LegalStaff,
    c: ContainerDep,
    number: str = "",
    state: str = "",
    offset: Offset = 0,
    limit: Limit = 50,
) -> LawfulPage:
    total, items = await c.lawful.search(number=number, state=state, offset=offset, limit=limit)
    return LawfulPage.of(total, items)


@router.post("/lawful", status_code=201)
async def record_lawful(body: LawfulIn, principal: LegalStaff, request: Request, c: ContainerDep) -> LawfulAnswer:
    """Suspend both ways at once as the authority requires (the rent continues)."""
    view = await c.lawful.record(
        actor_of(principal, request), body.number, body.authority, body.reference, body.period_from, body.period_to
    )
    return LawfulAnswer.of(view)


@router.post("/lawful/{lawful_id}/lift")
async def lift_lawful(
    lawful_id: Id, body: LiftIn, principal: LegalStaff, request: Request, c: ContainerDep
) -> LawfulAnswer:
    return LawfulAnswer.of(await c.lawful.lift(actor_of(principal, request), lawful_id, body.reason))

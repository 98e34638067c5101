"""Staff routes (operator console API).  Each route names the permission it needs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from videophone.edge.deps import (
    STAFF_COOKIE,
    STAFF_CSRF_COOKIE,
    ContainerDep,
    StaffDep,
    actor_of,
    staff_with,
)
from videophone.edge.openapi import binary_response
from videophone.edge.params import Id, IdQuery, Offset
from videophone.edge.schemas import (
    NumberChangeIn,
    PolicyUpdateIn,
    RevealIn,
    ReviewDecisionIn,
    StaffActiveIn,
    StaffCreateIn,
)
from videophone.identity.api.console_answers import (
    AuditPage,
    HistoryEntry,
    IdentityDecision,
    NumberAnswer,
    NumberChangeAnswer,
    PolicyChange,
    QueueItem,
    Revealed,
    ReviewOutcome,
    ReviewQueue,
    Staff,
    StaffMe,
    SubscriberDetail,
    Subscribers,
)
from videophone.identity.api.me_answers import Account, IdentityDocument
from videophone.identity.api.public_answers import PolicyAnswer, PolicyValues
from videophone.identity.domain.staff import ROLE_PERMISSIONS, Permission
from videophone.identity.services.auth import Principal

router = APIRouter(prefix="/api/v1/console", tags=["console"])
DOCUMENT = binary_response("image/jpeg", "image/png", "application/pdf")


ViewSubscribers = Annotated[Principal, Depends(staff_with(Permission.VIEW_SUBSCRIBERS))]
Reviewer = Annotated[Principal, Depends(staff_with(Permission.REVIEW_IDENTITY))]
Revealer = Annotated[Principal, Depends(staff_with(Permission.REVEAL_PERSONAL_DATA))]
NumberChanger = Annotated[Principal, Depends(staff_with(Permission.CHANGE_NUMBER))]
PolicyViewer = Annotated[Principal, Depends(staff_with(Permission.VIEW_POLICY))]
PolicyEditor = Annotated[Principal, Depends(staff_with(Permission.EDIT_POLICY))]
AuditViewer = Annotated[Principal, Depends(staff_with(Permission.VIEW_AUDIT))]
StaffManager = Annotated[Principal, Depends(staff_with(Permission.MANAGE_STAFF))]


@router.get("/me")
async def whoami(principal: StaffDep, c: ContainerDep) -> StaffMe:
    staff = await c.staff.get(principal.id)
    permissions = sorted({p.value for r in principal.roles for p in ROLE_PERMISSIONS[r]})
    return StaffMe.of(staff, permissions)


@router.post("/auth/logout", status_code=204)
async def logout(principal: StaffDep, response: Response, c: ContainerDep) -> None:
    await c.auth.logout(principal)
    response.delete_cookie(STAFF_COOKIE, path="/")
    response.delete_cookie(STAFF_CSRF_COOKIE, path="/")


# -- identity review -----------------------------------------------------------------------------------
@router.get("/review-queue")
async def review_queue(
    principal: Reviewer, c: ContainerDep, offset: Offset = 0, limit: int = Query(50, ge=1, le=200)
) -> ReviewQueue:
    total, items = await c.review.queue(offset=offset, limit=limit)
    return ReviewQueue(total=total, items=[QueueItem.model_validate(i) for i in items])


@router.post("/subscribers/{subscriber_id}/review")
async def review_decide(
    subscriber_id: Id, body: ReviewDecisionIn, principal: Reviewer, request: Request, c: ContainerDep
) -> ReviewOutcome:
    state = await c.review.decide(actor_of(principal, request), subscriber_id, body.action, body.reason)
    return ReviewOutcome.model_validate({"review_state": state})


@router.get("/subscribers/{subscriber_id}/documents/{document_id}", response_class=Response, responses=DOCUMENT)
async def review_document(
    subscriber_id: Id, document_id: Id, principal: Reviewer, request: Request, c: ContainerDep
) -> Response:
    info, content = await c.review.document_content(actor_of(principal, request), subscriber_id, document_id)
    return Response(
        content,
        media_type=info.content_type,
        headers={"Content-Disposition": "inline", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


# -- subscribers ---------------------------------------------------------------------------------------
@router.get("/subscribers")
async def search_subscribers(
    principal: ViewSubscribers,
    c: ContainerDep,
    q: str = "",
    review_state: str | None = None,
    offset: Offset = 0,
    limit: int = Query(50, ge=1, le=200),
) -> Subscribers:
    total, views = await c.subscribers.search(q, review_state=review_state, offset=offset, limit=limit)
    return Subscribers(total=total, items=[Account.of(v) for v in views])


@router.get("/subscribers/{subscriber_id}")
async def subscriber_detail(subscriber_id: Id, principal: ViewSubscribers, c: ContainerDep) -> SubscriberDetail:
    view = await c.subscribers.account(subscriber_id)
    decisions = await c.review.decisions(subscriber_id)
    documents = await c.review.documents(subscriber_id)
    changes = await c.numbers.history(subscriber_id)
    _, history = await c.audit.search(subject_type="subscriber", subject_id=str(subscriber_id), limit=100)
    return SubscriberDetail(
        subscriber=Account.of(view),
        review_decisions=[IdentityDecision.of(d) for d in decisions],
        documents=[IdentityDocument.model_validate(d) for d in documents],
        number_changes=[NumberChangeAnswer.of(n) for n in changes],
        history=[HistoryEntry.model_validate(h) for h in history],
    )


@router.post("/subscribers/{subscriber_id}/reveal")
async def reveal(subscriber_id: Id, body: RevealIn, principal: Revealer, request: Request, c: ContainerDep) -> Revealed:
    value = await c.subscribers.reveal(actor_of(principal, request), subscriber_id, body.field, body.reason)
    return Revealed.model_validate({"field": body.field, "value": value})


@router.post("/subscribers/{subscriber_id}/number-change")
async def change_number(
    subscriber_id: Id, body: NumberChangeIn, principal: NumberChanger, request: Request, c: ContainerDep
) -> NumberAnswer:
    number = await c.numbers.change_number(
        actor_of(principal, request), subscriber_id, reason=body.reason, note=body.note
    )
    return NumberAnswer(number=number)


# -- policy ------------------------------------------------------------------------------------------------
@router.get("/policy")
async def get_policy(principal: PolicyViewer, c: ContainerDep) -> PolicyAnswer:
    version, pol = await c.policy.get()
    return PolicyAnswer.of(version, pol)


@router.put("/policy")
async def update_policy(
    body: PolicyUpdateIn, principal: PolicyEditor, request: Request, c: ContainerDep
) -> PolicyValues:
    version, pol = await c.policy.update(
        actor_of(principal, request), dict(body.values), reason=body.reason, expected_version=body.version
    )
    return PolicyValues(version=version, values=pol.to_mapping())


@router.get("/policy/history")
async def policy_history(principal: PolicyViewer, c: ContainerDep) -> list[PolicyChange]:
    return PolicyChange.history(await c.policy.history())


# -- audit -------------------------------------------------------------------------------------------------
@router.get("/audit")
async def audit_log(
    principal: AuditViewer,
    c: ContainerDep,
    subject_type: str | None = None,
    subject_id: str | None = None,
    action: str | None = None,
    actor_type: str | None = None,
    actor_id: IdQuery = None,
    offset: Offset = 0,
    limit: int = Query(50, ge=1, le=200),
) -> AuditPage:
    total, rows = await c.audit.search(
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        actor_type=actor_type,
        actor_id=actor_id,
        offset=offset,
        limit=limit,
    )
    return AuditPage.of(total, rows)


# -- staff -------------------------------------------------------------------------------------------------
@router.get("/staff")
async def list_staff(principal: StaffManager, c: ContainerDep) -> list[Staff]:
    return [Staff.model_validate(s) for s in await c.staff.list()]


@router.post("/staff", status_code=201)
async def create_staff(body: StaffCreateIn, principal: StaffManager, request: Request, c: ContainerDep) -> Staff:
    view = await c.staff.create(
        actor_of(principal, request), body.username, body.display_name, body.password, body.roles
    )
    return Staff.model_validate(view)


@router.post("/staff/{staff_id}/active")
async def set_staff_active(
    staff_id: Id, body: StaffActiveIn, principal: StaffManager, request: Request, c: ContainerDep
) -> Staff:
    return Staff.model_validate(await c.staff.set_active(actor_of(principal, request), staff_id, body.active))

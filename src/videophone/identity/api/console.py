"""Staff routes (operator console API).  Each route names the permission it needs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from videophone.bootstrap import Container
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
    PolicyPreviewIn,
    PolicyUpdateIn,
    RevealIn,
    ReviewDecisionIn,
    StaffActiveIn,
    StaffCreateIn,
)
from videophone.identity.api.console_answers import (
    ActorType,
    AuditActor,
    AuditFilters,
    AuditPage,
    ConsolePolicy,
    HistoryEntry,
    IdentityDecision,
    NumberAnswer,
    NumberChangeAnswer,
    PlanChoice,
    PolicyChange,
    PolicyPreviewAnswer,
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
from videophone.identity.domain.audit_actions import ACTIONS
from videophone.identity.domain.staff import ROLE_PERMISSIONS, Permission
from videophone.identity.services.audit_log import AuditQuery
from videophone.identity.services.auth import Principal
from videophone.kernel.errors import FieldError, ValidationFailed

router = APIRouter(prefix="/api/v1/console", tags=["console"])
HISTORY_SIZE = 100  # of each kind in a subscriber's history: audit records, account events
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
    _, records = await c.audit_log.search(
        AuditQuery(subject_type="subscriber", subject_id=str(subscriber_id)), limit=HISTORY_SIZE
    )
    events = await c.account_history.list(subscriber_id, limit=HISTORY_SIZE)
    usernames = {s.id: s.username for s in await c.audit_log.staff()}
    history = HistoryEntry.timeline(
        [HistoryEntry.of_audit(r) for r in records] + [HistoryEntry.of_event(e.at, e.kind, e.params) for e in events]
    )
    return SubscriberDetail(
        subscriber=Account.of(view),
        review_decisions=[IdentityDecision.of(d, usernames) for d in decisions],
        documents=[IdentityDocument.model_validate(d) for d in documents],
        number_changes=[NumberChangeAnswer.of(n) for n in changes],
        history=history,
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
async def _check_plan(c: Container, values: Mapping[str, object]) -> None:
    """The default plan must be a plan of the tariff catalogue (billing's; the policy cannot see it)."""
    if "default_plan_code" not in values:
        return
    plans, _ = await c.tariffs.catalog()
    if str(values["default_plan_code"]).strip() not in {p.code for p in plans}:
        raise ValidationFailed([FieldError("default_plan_code", "policy_plan_unknown")])


@router.get("/policy")
async def get_policy(principal: PolicyViewer, c: ContainerDep) -> ConsolePolicy:
    version, pol = await c.policy.get()
    plans, _ = await c.tariffs.catalog()
    answer = PolicyAnswer.of(version, pol)
    return ConsolePolicy(**dict(answer), plans=[PlanChoice.model_validate(p) for p in plans])


@router.post("/policy/preview")
async def preview_policy(body: PolicyPreviewIn, principal: PolicyViewer, c: ContainerDep) -> PolicyPreviewAnswer:
    """What a change would do to the agreement text, validated like the save; nothing is saved."""
    await _check_plan(c, body.values)
    return PolicyPreviewAnswer.of(await c.agreement.preview_policy(dict(body.values)))


@router.put("/policy")
async def update_policy(
    body: PolicyUpdateIn, principal: PolicyEditor, request: Request, c: ContainerDep
) -> PolicyValues:
    await _check_plan(c, body.values)
    version, pol = await c.policy.update(
        actor_of(principal, request), dict(body.values), reason=body.reason, expected_version=body.version
    )
    return PolicyValues(version=version, values=pol.to_mapping())


@router.get("/policy/history")
async def policy_history(principal: PolicyViewer, c: ContainerDep) -> list[PolicyChange]:
    usernames = {s.id: s.username for s in await c.audit_log.staff()}
    return PolicyChange.history(await c.policy.history(), usernames)


# -- audit -------------------------------------------------------------------------------------------------
@router.get("/audit")
async def audit_log(
    principal: AuditViewer,
    c: ContainerDep,
    subject_type: str | None = Query(None, max_length=32),
    subject_id: str | None = Query(None, max_length=64),
    action: str | None = Query(None, max_length=64, description="An action code (``/audit/filters``)"),
    actor_type: ActorType | None = None,
    actor_id: IdQuery = None,
    date_from: date | None = Query(None, description="First day, in the operator's time zone"),
    date_to: date | None = Query(None, description="Last day (included), in the operator's time zone"),
    offset: Offset = 0,
    limit: int = Query(50, ge=1, le=200),
) -> AuditPage:
    """The audit log, newest first, with staff usernames and subscriber numbers and names."""
    query = AuditQuery(
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        actor_type=actor_type,
        actor_id=actor_id,
        date_from=date_from,
        date_to=date_to,
    )
    total, rows = await c.audit_log.search(query, offset=offset, limit=limit)
    return AuditPage.of(total, rows)


@router.get("/audit/filters")
async def audit_filters(principal: AuditViewer, c: ContainerDep) -> AuditFilters:
    """The staff members and action codes the audit log can be filtered by."""
    staff = await c.audit_log.staff()
    return AuditFilters(staff=[AuditActor.model_validate(s) for s in staff], actions=list(ACTIONS))


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

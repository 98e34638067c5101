"""Staff routes (operator console API).  Each route names the permission it needs."""

from __future__ import annotations

from typing import Annotated, Any

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
from videophone.identity.domain.policy import parameter_specs
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
async def whoami(principal: StaffDep, c: ContainerDep) -> dict[str, Any]:
    staff = await c.staff.get(principal.id)
    permissions = sorted({p.value for r in principal.roles for p in ROLE_PERMISSIONS[r]})
    return {**staff.__dict__, "permissions": permissions}


@router.post("/auth/logout", status_code=204)
async def logout(principal: StaffDep, response: Response, c: ContainerDep) -> None:
    await c.auth.logout(principal)
    response.delete_cookie(STAFF_COOKIE, path="/")
    response.delete_cookie(STAFF_CSRF_COOKIE, path="/")


# -- identity review -----------------------------------------------------------------------------------
@router.get("/review-queue")
async def review_queue(
    principal: Reviewer, c: ContainerDep, offset: Offset = 0, limit: int = Query(50, ge=1, le=200)
) -> dict[str, Any]:
    total, items = await c.review.queue(offset=offset, limit=limit)
    return {"total": total, "items": [i.__dict__ for i in items]}


@router.post("/subscribers/{subscriber_id}/review")
async def review_decide(
    subscriber_id: Id, body: ReviewDecisionIn, principal: Reviewer, request: Request, c: ContainerDep
) -> dict[str, Any]:
    state = await c.review.decide(actor_of(principal, request), subscriber_id, body.action, body.reason)
    return {"review_state": state}


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
) -> dict[str, Any]:
    total, views = await c.subscribers.search(q, review_state=review_state, offset=offset, limit=limit)
    return {"total": total, "items": [v.to_dict() for v in views]}


@router.get("/subscribers/{subscriber_id}")
async def subscriber_detail(subscriber_id: Id, principal: ViewSubscribers, c: ContainerDep) -> dict[str, Any]:
    view = await c.subscribers.account(subscriber_id)
    decisions = await c.review.decisions(subscriber_id)
    documents = await c.review.documents(subscriber_id)
    changes = await c.numbers.history(subscriber_id)
    _, history = await c.audit.search(subject_type="subscriber", subject_id=str(subscriber_id), limit=100)
    return {
        "subscriber": view.to_dict(),
        "review_decisions": [
            {
                "action": d.action,
                "from": d.from_state,
                "to": d.to_state,
                "reason": d.reason,
                "staff_id": d.staff_id,
                "at": d.at.isoformat(),
            }
            for d in decisions
        ],
        "documents": [d.__dict__ for d in documents],
        "number_changes": [
            {"old": n.old_number, "new": n.new_number, "reason": n.reason, "note": n.note, "at": n.at.isoformat()}
            for n in changes
        ],
        "history": [
            {"at": h.at.isoformat(), "action": h.action, "actor_type": h.actor_type, "actor_id": h.actor_id}
            for h in history
        ],
    }


@router.post("/subscribers/{subscriber_id}/reveal")
async def reveal(
    subscriber_id: Id, body: RevealIn, principal: Revealer, request: Request, c: ContainerDep
) -> dict[str, str]:
    value = await c.subscribers.reveal(actor_of(principal, request), subscriber_id, body.field, body.reason)
    return {"field": body.field, "value": value}


@router.post("/subscribers/{subscriber_id}/number-change")
async def change_number(
    subscriber_id: Id, body: NumberChangeIn, principal: NumberChanger, request: Request, c: ContainerDep
) -> dict[str, str]:
    number = await c.numbers.change_number(
        actor_of(principal, request), subscriber_id, reason=body.reason, note=body.note
    )
    return {"number": number}


# -- policy ------------------------------------------------------------------------------------------------
@router.get("/policy")
async def get_policy(principal: PolicyViewer, c: ContainerDep) -> dict[str, Any]:
    version, pol = await c.policy.get()
    return {"version": version, "values": pol.to_mapping(), "parameters": parameter_specs()}


@router.put("/policy")
async def update_policy(
    body: PolicyUpdateIn, principal: PolicyEditor, request: Request, c: ContainerDep
) -> dict[str, Any]:
    version, pol = await c.policy.update(
        actor_of(principal, request), dict(body.values), reason=body.reason, expected_version=body.version
    )
    return {"version": version, "values": pol.to_mapping()}


@router.get("/policy/history")
async def policy_history(principal: PolicyViewer, c: ContainerDep) -> list[dict[str, Any]]:
    rows = await c.policy.history()
    out = []
    for i, row in enumerate(rows):
        previous = rows[i + 1].values if i + 1 < len(rows) else {}
        changes = {
            k: {"before": previous.get(k), "after": v}
            for k, v in row.values.items()
            if previous and previous.get(k) != v
        }
        out.append(
            {
                "version": row.version,
                "changed_by": row.changed_by,
                "changed_at": row.changed_at.isoformat(),
                "reason": row.reason,
                "changes": changes,
            }
        )
    return out


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
) -> dict[str, Any]:
    total, rows = await c.audit.search(
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        actor_type=actor_type,
        actor_id=actor_id,
        offset=offset,
        limit=limit,
    )
    return {
        "total": total,
        "items": [
            {
                "id": r.id,
                "at": r.at.isoformat(),
                "actor_type": r.actor_type,
                "actor_id": r.actor_id,
                "action": r.action,
                "subject_type": r.subject_type,
                "subject_id": r.subject_id,
                "details": r.details,
                "ip": r.ip,
            }
            for r in rows
        ],
    }


# -- staff -------------------------------------------------------------------------------------------------
@router.get("/staff")
async def list_staff(principal: StaffManager, c: ContainerDep) -> list[dict[str, Any]]:
    return [s.__dict__ for s in await c.staff.list()]


@router.post("/staff", status_code=201)
async def create_staff(
    body: StaffCreateIn, principal: StaffManager, request: Request, c: ContainerDep
) -> dict[str, Any]:
    view = await c.staff.create(
        actor_of(principal, request), body.username, body.display_name, body.password, body.roles
    )
    return view.__dict__


@router.post("/staff/{staff_id}/active")
async def set_staff_active(
    staff_id: Id, body: StaffActiveIn, principal: StaffManager, request: Request, c: ContainerDep
) -> dict[str, Any]:
    return (await c.staff.set_active(actor_of(principal, request), staff_id, body.active)).__dict__

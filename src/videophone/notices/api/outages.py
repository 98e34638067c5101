"""Outages and their credits (R-27) and the console dashboard (R-52)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from videophone.edge.deps import ContainerDep, actor_of, staff_with
from videophone.edge.params import Id, Offset
from videophone.identity.domain.staff import Permission
from videophone.identity.public import Principal
from videophone.kernel.errors import FieldError, ValidationFailed
from videophone.notices.api.outages_answers import DashboardAnswer, OutageAnswer, OutageDetailAnswer, OutagePageAnswer

router = APIRouter(prefix="/api/v1")

OutageManager = Annotated[Principal, Depends(staff_with(Permission.MANAGE_OUTAGES))]
DashboardViewer = Annotated[Principal, Depends(staff_with(Permission.VIEW_DASHBOARD))]
Limit = Annotated[int, Query(ge=1, le=200)]


class OutageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="", description="What happened (at most 200 characters)")
    description: str = Field(default="", description="Details (optional)")
    started_at: str = Field(default="", description="ISO 8601; without an offset: the operator's local time")
    ended_at: str | None = Field(default=None, description="Blank while the outage goes on")
    scope: str = Field(default="all", description="all | listed")
    numbers: list[str] | str | None = Field(default=None, description="Numbers affected (scope listed)")
    cause: str = Field(
        default="", description="operator | third_party | internet | force_majeure | government (003 §12–§14)"
    )
    evidence: str = Field(default="", description="What shows the cause; required unless it is the operator's fault")


class CauseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cause: str = Field(default="", description="operator | third_party | internet | force_majeure | government")
    evidence: str = Field(default="", description="What shows the cause; required unless it is the operator's fault")


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ended_at: str | None = Field(default=None, description="When service was back (ISO 8601)")


def _instant(raw: str | None, field: str, c: Any) -> datetime | None:
    """ISO 8601 text → aware datetime (no offset: the operator's local time); blank → None."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed([FieldError(field, "outage_time_format")]) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=c.deps.operator_tz)


@router.get("/console/outages", tags=["console"])
async def console_outages(
    principal: OutageManager, c: ContainerDep, state: str = "", offset: Offset = 0, limit: Limit = 50
) -> OutagePageAnswer:
    """Incidents, open ones first, each with the credits it gave."""
    total, items = await c.outages.listing(state=state, offset=offset, limit=limit)
    return OutagePageAnswer(total=total, items=[OutageAnswer.model_validate(o) for o in items])


@router.post("/console/outages", tags=["console"], status_code=201)
async def console_record_outage(
    body: OutageIn, principal: OutageManager, request: Request, c: ContainerDep
) -> OutageDetailAnswer:
    """Record an incident; with an end it is closed and the affected accounts credited at once."""
    errors = []
    started = ended = None
    for field, raw in (("started_at", body.started_at), ("ended_at", body.ended_at)):
        try:
            value = _instant(raw, field, c)
        except ValidationFailed as err:
            errors += err.errors
            continue
        if field == "started_at":
            started = value
        else:
            ended = value
    if errors:
        raise ValidationFailed(errors)
    detail = await c.outages.record(
        actor_of(principal, request),
        title=body.title,
        description=body.description,
        started_at=started,
        ended_at=ended,
        scope=body.scope,
        numbers=body.numbers,
        cause=body.cause,
        evidence=body.evidence,
    )
    return OutageDetailAnswer.of(detail)


@router.get("/console/outages/{outage_id}", tags=["console"])
async def console_outage(outage_id: Id, principal: OutageManager, c: ContainerDep) -> OutageDetailAnswer:
    """The incident and the accounts credited (largest credit first)."""
    return OutageDetailAnswer.of(await c.outages.detail(outage_id))


@router.post("/console/outages/{outage_id}/close", tags=["console"])
async def console_close_outage(
    outage_id: Id, body: CloseIn, principal: OutageManager, request: Request, c: ContainerDep
) -> OutageDetailAnswer:
    """Close an open incident and credit it (24 continuous hours or more); closing again changes nothing."""
    ended = _instant(body.ended_at, "ended_at", c)
    return OutageDetailAnswer.of(await c.outages.close(actor_of(principal, request), outage_id, ended))


@router.post("/console/outages/{outage_id}/cause", tags=["console"])
async def console_outage_cause(
    outage_id: Id, body: CauseIn, principal: OutageManager, request: Request, c: ContainerDep
) -> OutageDetailAnswer:
    """Correct an incident's cause and evidence.  After crediting, a change away from the operator's
    fault reverses the credits on the next bill; a change to it credits the accounts."""
    detail = await c.outages.change_cause(
        actor_of(principal, request), outage_id, cause=body.cause, evidence=body.evidence
    )
    return OutageDetailAnswer.of(detail)


@router.get("/console/dashboard", tags=["console"])
async def console_dashboard(principal: DashboardViewer, c: ContainerDep) -> DashboardAnswer:
    """The dashboard's series: subscribers by state, calls and minutes per day, revenue and payments
    per month, arrears ageing, disputes against their deadlines."""
    return DashboardAnswer.model_validate((await c.dashboard.overview()).data)

"""Call history and missed calls (R-13), call quality samples (R-15), and the console's view of calls."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from videophone.calling.api.calls_answers import (
    CallDetailAnswer,
    CallPage,
    LiveCalls,
    MissedCount,
    MissedMarked,
    StaffCallDetailAnswer,
    StaffCallPage,
)
from videophone.edge.deps import ContainerDep, SubscriberDep, actor_of, staff_with
from videophone.edge.openapi import problem_responses
from videophone.edge.params import Offset
from videophone.identity.domain.staff import Permission
from videophone.identity.public import Principal

router = APIRouter(prefix="/api/v1")

CallViewer = Annotated[Principal, Depends(staff_with(Permission.VIEW_CALLS))]
Limit = Annotated[int, Query(ge=1, le=200)]


class QualitySampleIn(BaseModel):
    """One sample of a party's WebRTC statistics; every metric is optional.  Values are checked by
    the domain rules (``videophone.calling.domain.call_quality``)."""

    model_config = ConfigDict(extra="forbid")

    final: bool = Field(default=False, description="The last sample, sent when the call ends")
    rtt_ms: float | None = Field(default=None, description="Round-trip time, ms (0–60000)")
    packet_loss_pct: float | None = Field(default=None, description="Inbound packet loss, % (0–100)")
    bitrate_in_kbps: float | None = Field(default=None, description="Received bitrate, kbit/s (≤ 100000)")
    bitrate_out_kbps: float | None = Field(default=None, description="Sent bitrate, kbit/s (≤ 100000)")
    frames_per_second: float | None = Field(default=None, description="Received video frame rate (≤ 240)")
    frame_width: int | None = Field(default=None, description="Received video width, px (≤ 8192)")
    frame_height: int | None = Field(default=None, description="Received video height, px (≤ 8192)")
    frames_decoded: int | None = Field(default=None, description="Video frames decoded so far (cumulative)")
    audio_packets_received: int | None = Field(default=None, description="Audio packets received so far")
    path: Literal["p2p", "turn"] | None = Field(
        default=None,
        description="The media path of the selected ICE candidate pair: 'turn' if either candidate is a relay "
        "(TURN) candidate, else 'p2p'",
    )


# -- the subscriber's own calls ---------------------------------------------------------------------------
@router.get("/me/calls", tags=["subscriber"])
async def my_calls(
    principal: SubscriberDep,
    c: ContainerDep,
    direction: str = "all",
    since: date | None = None,
    until: date | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> CallPage:
    total, items = await c.calls.history(
        principal.id, direction=direction, since=since, until=until, offset=offset, limit=limit
    )
    return CallPage.of(total, items)


@router.get("/me/calls/missed-count", tags=["subscriber"])
async def my_missed_count(principal: SubscriberDep, c: ContainerDep) -> MissedCount:
    return MissedCount(count=await c.calls.missed_count(principal.id))


@router.post("/me/calls/missed-seen", tags=["subscriber"])
async def my_missed_seen(principal: SubscriberDep, c: ContainerDep) -> MissedMarked:
    return MissedMarked(marked=await c.calls.mark_missed_seen(principal.id))


@router.get("/me/calls/{call_id}", tags=["subscriber"])
async def my_call(call_id: str, principal: SubscriberDep, c: ContainerDep) -> CallDetailAnswer:
    return CallDetailAnswer.of(await c.calls.detail(principal.id, call_id))


@router.post("/me/calls/{call_id}/quality", status_code=204, tags=["subscriber"], responses=problem_responses(429))
async def my_call_quality(call_id: str, body: QualitySampleIn, principal: SubscriberDep, c: ContainerDep) -> None:
    metrics = body.model_dump(exclude={"final", "path"}, exclude_none=True)
    await c.calls.record_quality(principal.id, call_id, metrics, final=body.final, path=body.path)


# -- operator console ---------------------------------------------------------------------------------------
@router.get("/console/calls", tags=["console"])
async def console_calls(
    principal: CallViewer,
    c: ContainerDep,
    number: str = "",
    outcome: str = "",
    since: date | None = None,
    until: date | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> StaffCallPage:
    total, items = await c.calls.search(
        number=number or None, outcome=outcome or None, since=since, until=until, offset=offset, limit=limit
    )
    return StaffCallPage.of(total, items)


@router.get("/console/calls/live", tags=["console"])
async def console_live_calls(principal: CallViewer, c: ContainerDep) -> LiveCalls:
    return LiveCalls.of(await c.calls.live_calls())


@router.get("/console/calls/{call_id}", tags=["console"])
async def console_call(call_id: str, principal: CallViewer, request: Request, c: ContainerDep) -> StaffCallDetailAnswer:
    return StaffCallDetailAnswer.of(await c.calls.staff_detail(call_id, actor_of(principal, request)))

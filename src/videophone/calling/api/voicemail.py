"""Video voicemail (R-18): leaving a message with a deposit token (the caller), the mailbox and the
greeting (its owner), and the console's view and clearing of a mailbox (support).

Recordings are served only to whom they belong, never cached (``Cache-Control: private, no-store``).
An upload is read up to the policy's byte cap plus one byte (more is refused without reading the rest);
what it is comes from its bytes (WebM with video), never from the declared type.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from videophone.calling.api.voicemail_answers import (
    MailboxAnswer,
    MessageLeftAnswer,
    StaffMailboxAnswer,
    UnreadCount,
    VoicemailMessageAnswer,
)
from videophone.calling.services.voicemail import Recording
from videophone.edge.deps import ContainerDep, SubscriberDep, actor_of, staff_with
from videophone.edge.openapi import binary_response, problem_responses
from videophone.edge.params import Id, Offset
from videophone.identity.domain.staff import Permission
from videophone.identity.public import Principal

router = APIRouter(prefix="/api/v1")

Limit = Annotated[int, Query(ge=1, le=100)]
SubscriberViewer = Annotated[Principal, Depends(staff_with(Permission.VIEW_SUBSCRIBERS))]
MailboxClearer = Annotated[Principal, Depends(staff_with(Permission.CLEAR_MAILBOX))]
VIDEO = binary_response("video/webm", description="The recording (WebM).")


class ClearIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=2000, description="Why the mailbox is cleared (audited)")
    reference: str = Field(default="", max_length=2000, description="The legal request's reference")


def _video(recording: Recording) -> Response:
    return Response(
        recording.data,
        media_type=recording.content_type,
        headers={"Cache-Control": "private, no-store", "Content-Disposition": "inline"},
    )


async def _upload(c: ContainerDep, video: UploadFile) -> bytes:
    _, pol = await c.policy.get()
    return await video.read(pol.voicemail_max_bytes + 1)


# -- the caller -----------------------------------------------------------------------------------------------
@router.post(
    "/voicemail/deposits/{token}", status_code=201, tags=["subscriber"], responses=problem_responses(409, 413, 503)
)
async def leave_message(token: str, video: UploadFile, principal: SubscriberDep, c: ContainerDep) -> MessageLeftAnswer:
    """Leave a video message (multipart field ``video``, a WebM recording) with the token of the caller's
    ``ended`` message (docs/signaling.md); once per token."""
    data = await _upload(c, video)
    return MessageLeftAnswer.of(await c.voicemail.leave(principal.id, token, data))


@router.get(
    "/voicemail/deposits/{token}/greeting",
    tags=["subscriber"],
    response_class=Response,
    responses={**VIDEO, **problem_responses(409, 503)},
)
async def deposit_greeting(token: str, principal: SubscriberDep, c: ContainerDep) -> Response:
    """The callee's own greeting, for the caller holding the token (404 when the callee has none)."""
    return _video(await c.voicemail.greeting_for_deposit(principal.id, token))


# -- the mailbox's owner --------------------------------------------------------------------------------------
@router.get("/me/voicemail", tags=["subscriber"])
async def my_mailbox(principal: SubscriberDep, c: ContainerDep, offset: Offset = 0, limit: Limit = 50) -> MailboxAnswer:
    return MailboxAnswer.of(await c.voicemail.mailbox(principal.id, offset=offset, limit=limit))


@router.get("/me/voicemail/unread-count", tags=["subscriber"])
async def my_unread_messages(principal: SubscriberDep, c: ContainerDep) -> UnreadCount:
    return UnreadCount(count=await c.voicemail.unread(principal.id))


@router.get(
    "/me/voicemail/{message_id}/video",
    tags=["subscriber"],
    response_class=Response,
    responses={**VIDEO, **problem_responses(503)},
)
async def play_message(message_id: str, principal: SubscriberDep, c: ContainerDep) -> Response:
    return _video(await c.voicemail.play(principal.id, message_id))


@router.post("/me/voicemail/{message_id}/read", tags=["subscriber"])
async def mark_message_read(message_id: str, principal: SubscriberDep, c: ContainerDep) -> VoicemailMessageAnswer:
    return VoicemailMessageAnswer.of(await c.voicemail.mark_read(principal.id, message_id))


@router.delete("/me/voicemail/{message_id}", status_code=204, tags=["subscriber"], responses=problem_responses(503))
async def delete_message(message_id: str, principal: SubscriberDep, c: ContainerDep) -> None:
    await c.voicemail.delete(principal.id, message_id)


@router.get(
    "/me/voicemail-greeting",
    tags=["subscriber"],
    response_class=Response,
    responses={**VIDEO, **problem_responses(404, 503)},
)
async def my_greeting(principal: SubscriberDep, c: ContainerDep) -> Response:
    return _video(await c.voicemail.greeting(principal.id))


@router.put("/me/voicemail-greeting", tags=["subscriber"], responses=problem_responses(409, 413, 503))
async def set_my_greeting(video: UploadFile, principal: SubscriberDep, c: ContainerDep) -> MailboxAnswer:
    """Record or upload the greeting callers see (a WebM with video, within the message limits)."""
    data = await _upload(c, video)
    return MailboxAnswer.of(await c.voicemail.set_greeting(principal.id, data))


@router.delete("/me/voicemail-greeting", tags=["subscriber"], responses=problem_responses(503))
async def delete_my_greeting(principal: SubscriberDep, c: ContainerDep) -> MailboxAnswer:
    """Back to the default greeting."""
    return MailboxAnswer.of(await c.voicemail.delete_greeting(principal.id))


# -- the console ------------------------------------------------------------------------------------------------
@router.get("/console/subscribers/{subscriber_id}/voicemail", tags=["console"])
async def console_mailbox(subscriber_id: Id, principal: SubscriberViewer, c: ContainerDep) -> StaffMailboxAnswer:
    return StaffMailboxAnswer.of(await c.voicemail_admin.summary(subscriber_id))


@router.post("/console/subscribers/{subscriber_id}/voicemail/clear", tags=["console"], responses=problem_responses(503))
async def console_clear_mailbox(
    subscriber_id: Id, body: ClearIn, principal: MailboxClearer, request: Request, c: ContainerDep
) -> StaffMailboxAnswer:
    """Delete every message and the greeting of a subscriber's mailbox on a legal request (reason
    required, audited)."""
    view = await c.voicemail_admin.clear(
        actor_of(principal, request), subscriber_id, reason=body.reason, reference=body.reference
    )
    return StaffMailboxAnswer.of(view)

"""Terminals and warranty (R-40, R-41) and client releases (R-34).

Subscribers see their terminals and file written warranty claims with photos; staff keep the inventory
(``manage_terminals``), decide claims (``handle_warranty``) and publish releases (``manage_releases``);
a terminal authenticates with its own bearer token on the provisioning endpoint.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from videophone.edge.deps import ContainerDep, SubscriberDep, actor_of, staff_with
from videophone.edge.openapi import binary_response, problem_responses
from videophone.edge.params import FormId, Id, NoControl, Offset
from videophone.identity.domain.staff import Permission
from videophone.identity.public import Principal
from videophone.kernel.errors import NotAuthenticated
from videophone.terminals.api.terminals_answers import (
    ClaimAnswer,
    ClaimQueue,
    DecidedAnswer,
    IssuedTokenAnswer,
    MyTerminals,
    ProvisioningAnswer,
    ReleaseAnswer,
    ReleaseList,
    TerminalAnswer,
    TerminalPage,
)
from videophone.terminals.domain.terminals import MAX_PHOTOS, PHOTO_TYPES

router = APIRouter(prefix="/api/v1")

TerminalManager = Annotated[Principal, Depends(staff_with(Permission.MANAGE_TERMINALS))]
WarrantyHandler = Annotated[Principal, Depends(staff_with(Permission.HANDLE_WARRANTY))]
ReleaseManager = Annotated[Principal, Depends(staff_with(Permission.MANAGE_RELEASES))]
Limit = Annotated[int, Query(ge=1, le=200)]


class TerminalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    serial: str = Field(default="", max_length=60, description="Serial number (letters, digits, hyphens)")
    model: str = Field(default="", max_length=100, description="Model name")


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str = Field(default="", max_length=30, description="The subscriber's number")
    installed_on: date | None = Field(default=None, description="Installation date (default: today)")


class InstallationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    installed_on: date = Field(description="The installation date from the installer's record")


class OpenedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=2000, description="What was found (the subscriber reads it)")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: str = Field(default="", description="repair | replace | deny")
    cause: str = Field(default="", description="defect | shipping_damage (covered) or an excluded external cause")
    note: str = Field(default="", max_length=2000, description="Explanation; the reason of a denial")
    replacement_serial: str = Field(default="", max_length=60, description="For replace: a unit in stock")


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: str = Field(default="", description="web | terminal")
    version: str = Field(default="", max_length=32, description="Semantic version, newer than the newest")
    notes: str = Field(default="", max_length=4000, description="What changed")
    mandatory: bool = Field(default=False, description="Clients must update (web: as soon as no call is active)")


# -- the subscriber -----------------------------------------------------------------------------------------
@router.get("/me/terminals", tags=["subscriber"])
async def my_terminals(principal: SubscriberDep, c: ContainerDep) -> MyTerminals:
    """The subscriber's terminals with their warranty end, and their warranty claims."""
    terminals, claims = await c.terminals.mine(principal.id)
    return MyTerminals.of(terminals, claims)


@router.post("/me/warranty-claims", tags=["subscriber"], status_code=201)
async def file_claim(
    principal: SubscriberDep,
    request: Request,
    c: ContainerDep,
    terminal_id: FormId,
    description: Annotated[str, Form(max_length=4000), NoControl] = "",
    photos: Annotated[list[UploadFile] | None, File()] = None,
) -> ClaimAnswer:
    """A written warranty claim with photos (JPEG/PNG); accepted only within the warranty."""
    _, pol = await c.policy.get()
    files: list[tuple[str, str, bytes]] = []
    for upload in (photos or [])[: MAX_PHOTOS + 1]:
        files.append(
            (upload.filename or "photo", upload.content_type or "", await upload.read(pol.document_max_bytes + 1))
        )
    view = await c.terminals.file_claim(actor_of(principal, request), principal.id, terminal_id, description, files)
    return ClaimAnswer.of(view)


@router.get(
    "/me/warranty-claims/{claim_id}/photos/{photo_id}",
    tags=["subscriber"],
    response_class=Response,
    responses=binary_response(*PHOTO_TYPES),
)
async def my_claim_photo(claim_id: Id, photo_id: Id, principal: SubscriberDep, c: ContainerDep) -> Response:
    content_type, content = await c.terminals.photo(claim_id, photo_id, principal.id)
    return Response(content, media_type=content_type, headers={"X-Content-Type-Options": "nosniff"})


# -- the terminal (its own token) ----------------------------------------------------------------------------
@router.get("/terminal/provisioning", tags=["terminal"], responses=problem_responses(401))
async def provisioning(
    request: Request, c: ContainerDep, version: Annotated[str, Query(max_length=32)] = ""
) -> ProvisioningAnswer:
    """For terminals: ``Authorization: Bearer <terminal token>``.  Who the terminal is, its subscriber's
    number, and the client release it should run (``upgrade``: it reported an older ``version``)."""
    auth = request.headers.get("authorization", "")
    if not auth.lower().startswith("bearer "):
        raise NotAuthenticated()
    return ProvisioningAnswer.of(await c.terminals.provisioning(auth[7:].strip(), version))


# -- the console: inventory ---------------------------------------------------------------------------------
@router.get("/console/terminals", tags=["console"])
async def console_terminals(
    principal: TerminalManager, c: ContainerDep, state: str = "", q: str = "", offset: Offset = 0, limit: Limit = 50
) -> TerminalPage:
    total, items = await c.terminals.inventory(state=state, query=q, offset=offset, limit=limit)
    return TerminalPage.of(total, items)


@router.post("/console/terminals", tags=["console"], status_code=201)
async def console_add_terminal(
    body: TerminalIn, principal: TerminalManager, request: Request, c: ContainerDep
) -> TerminalAnswer:
    return TerminalAnswer.of(await c.terminals.add(actor_of(principal, request), body.serial, body.model))


@router.post("/console/terminals/{terminal_id}/assign", tags=["console"])
async def console_assign_terminal(
    terminal_id: Id, body: AssignIn, principal: TerminalManager, request: Request, c: ContainerDep
) -> IssuedTokenAnswer:
    """Install at a subscriber's; returns the terminal's token (shown once)."""
    issued = await c.terminals.assign(actor_of(principal, request), terminal_id, body.number, body.installed_on)
    return IssuedTokenAnswer.of(issued)


@router.post("/console/terminals/{terminal_id}/installation", tags=["console"])
async def console_installation_date(
    terminal_id: Id, body: InstallationIn, principal: TerminalManager, request: Request, c: ContainerDep
) -> TerminalAnswer:
    view = await c.terminals.set_installation(actor_of(principal, request), terminal_id, body.installed_on)
    return TerminalAnswer.of(view)


@router.post("/console/terminals/{terminal_id}/opened", tags=["console"])
async def console_opened_by_others(
    terminal_id: Id, body: OpenedIn, principal: TerminalManager, request: Request, c: ContainerDep
) -> TerminalAnswer:
    """The unit was opened by someone other than the operator: its warranty ends now."""
    return TerminalAnswer.of(await c.terminals.mark_opened(actor_of(principal, request), terminal_id, body.note))


@router.post("/console/terminals/{terminal_id}/token", tags=["console"])
async def console_reissue_token(
    terminal_id: Id, principal: TerminalManager, request: Request, c: ContainerDep
) -> IssuedTokenAnswer:
    """A new token (the old one stops working); shown once."""
    return IssuedTokenAnswer.of(await c.terminals.reissue_token(actor_of(principal, request), terminal_id))


@router.delete("/console/terminals/{terminal_id}/token", tags=["console"])
async def console_revoke_token(
    terminal_id: Id, principal: TerminalManager, request: Request, c: ContainerDep
) -> TerminalAnswer:
    return TerminalAnswer.of(await c.terminals.revoke_token(actor_of(principal, request), terminal_id))


# -- the console: warranty claims ---------------------------------------------------------------------------
@router.get("/console/warranty-claims", tags=["console"])
async def console_claims(
    principal: WarrantyHandler, c: ContainerDep, state: str = "", offset: Offset = 0, limit: Limit = 50
) -> ClaimQueue:
    total, open_count, items = await c.terminals.queue(state=state, offset=offset, limit=limit)
    return ClaimQueue.of(total, open_count, items)


@router.post("/console/warranty-claims/{claim_id}/decision", tags=["console"])
async def console_decide_claim(
    claim_id: Id, body: DecisionIn, principal: WarrantyHandler, request: Request, c: ContainerDep
) -> DecidedAnswer:
    decided = await c.terminals.decide(
        actor_of(principal, request), claim_id, body.decision, body.cause, body.note, body.replacement_serial
    )
    return DecidedAnswer.of(decided)


@router.get(
    "/console/warranty-claims/{claim_id}/photos/{photo_id}",
    tags=["console"],
    response_class=Response,
    responses=binary_response(*PHOTO_TYPES),
)
async def console_claim_photo(claim_id: Id, photo_id: Id, principal: WarrantyHandler, c: ContainerDep) -> Response:
    content_type, content = await c.terminals.photo(claim_id, photo_id)
    return Response(content, media_type=content_type, headers={"X-Content-Type-Options": "nosniff"})


# -- the console: client releases ---------------------------------------------------------------------------
@router.get("/console/releases", tags=["console"])
async def console_releases(principal: ReleaseManager, c: ContainerDep, platform: str = "") -> ReleaseList:
    return ReleaseList.of(await c.releases.list(platform))


@router.post("/console/releases", tags=["console"], status_code=201)
async def console_publish_release(
    body: ReleaseIn, principal: ReleaseManager, request: Request, c: ContainerDep
) -> ReleaseAnswer:
    view = await c.releases.publish(
        actor_of(principal, request), body.platform, body.version, body.notes, body.mandatory
    )
    return ReleaseAnswer.of(view)

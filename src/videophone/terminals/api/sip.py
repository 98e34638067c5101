"""SIP phones (issue 16, ADR 0012): a subscriber's softphone credentials, and the routes the SIP edge
(Kamailio) calls — guarded by the shared secret ``VIDEOPHONE_SIP_EDGE_SECRET`` in the
``X-Videophone-Edge-Secret`` header (compared in constant time; without the setting they do not exist: 404).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from videophone.edge.deps import ContainerDep, SubscriberDep, actor_of
from videophone.edge.openapi import problem_responses
from videophone.edge.params import Id, NoControl
from videophone.kernel.errors import NotAuthenticated, NotFound
from videophone.terminals.api.sip_answers import (
    EdgeAuthAnswer,
    IssuedSipAnswer,
    MySipCredentials,
    RegistrarAnswer,
    SipCredentialAnswer,
)
from videophone.terminals.domain.sip_credentials import LABEL_MAX, MAX_SOFTPHONES

router = APIRouter(prefix="/api/v1")

EDGE_SECRET_HEADER = "x-videophone-edge-secret"  # noqa: S105 (a header name)
EdgeText = Annotated[str, Form(max_length=200), NoControl]


class SoftphoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(default="", max_length=LABEL_MAX, description="What the softphone is, e.g. 'Laptop'")


# -- the subscriber ---------------------------------------------------------------------------------------
@router.get("/me/sip-credentials", tags=["subscriber"])
async def my_sip_credentials(principal: SubscriberDep, c: ContainerDep) -> MySipCredentials:
    """The subscriber's softphone SIP credentials (never a password) and where phones register."""
    items = await c.sip.mine(principal.id)
    return MySipCredentials(
        items=[SipCredentialAnswer.of(v) for v in items],
        max=MAX_SOFTPHONES,
        registrar=RegistrarAnswer.of(c.sip.settings),
    )


@router.post("/me/sip-credentials", tags=["subscriber"], status_code=201)
async def create_sip_credential(
    body: SoftphoneIn, principal: SubscriberDep, request: Request, c: ContainerDep
) -> IssuedSipAnswer:
    """A new softphone credential (at most three); its password is in this answer only."""
    issued = await c.sip.create_softphone(actor_of(principal, request), principal.id, body.label)
    return IssuedSipAnswer.of(issued)


@router.delete("/me/sip-credentials/{credential_id}", tags=["subscriber"], status_code=204)
async def revoke_sip_credential(
    credential_id: Id, principal: SubscriberDep, request: Request, c: ContainerDep
) -> Response:
    """The softphone cannot register any more."""
    await c.sip.revoke_softphone(actor_of(principal, request), principal.id, credential_id)
    return Response(status_code=204)


# -- the SIP edge -----------------------------------------------------------------------------------------
async def edge(request: Request, c: ContainerDep) -> None:
    """The caller is the SIP edge: it sent the shared secret (the routes are off without one)."""
    secret = c.settings.sip_edge_secret
    if not secret:
        raise NotFound("not_found")
    sent = request.headers.get(EDGE_SECRET_HEADER, "")
    if not hmac.compare_digest(sent.encode(), secret.encode()):
        raise NotAuthenticated()


EDGE = [Depends(edge)]
EDGE_PROBLEMS = problem_responses(401, 403, 404, 429)


@router.get("/sip/auth", tags=["sip-edge"], dependencies=EDGE, responses=EDGE_PROBLEMS)
async def sip_auth(
    c: ContainerDep,
    user: Annotated[str, Query(max_length=64)] = "",
    realm: Annotated[str, Query(max_length=100)] = "",
    source: Annotated[str, Query(max_length=64)] = "",
) -> EdgeAuthAnswer:
    """For the SIP edge: the digest HA1 of ``user`` (and its number) if it may register now; 404 unknown,
    403 revoked or the subscriber's service ended or lawfully suspended, 429 too many failures."""
    return EdgeAuthAnswer.of(await c.sip.edge_auth(user, realm, source))


@router.post("/sip/auth-failed", tags=["sip-edge"], dependencies=EDGE, responses=EDGE_PROBLEMS, status_code=204)
async def sip_auth_failed(
    c: ContainerDep, user: Annotated[str, Form(max_length=64)], source: Annotated[str, Form(max_length=64)]
) -> Response:
    """For the SIP edge: a wrong digest of ``user`` from ``source`` (counted for throttling)."""
    await c.sip.edge_auth_failed(user, source)
    return Response(status_code=204)


@router.post("/sip/registered", tags=["sip-edge"], dependencies=EDGE, responses=EDGE_PROBLEMS, status_code=204)
async def sip_registered(
    c: ContainerDep,
    user: Annotated[str, Form(max_length=64)],
    source: Annotated[str, Form(max_length=64)],
    address: EdgeText = "",
    user_agent: EdgeText = "",
    expires: Annotated[int, Form(ge=0, le=86_400)] = 0,
) -> Response:
    """For the SIP edge: ``user`` registered from ``address`` (``expires`` 0: it unregistered)."""
    await c.sip.edge_registered(user, source, address, user_agent, expires)
    return Response(status_code=204)

"""The subscriber's own account (every route acts on the caller only)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response, UploadFile

from videophone.adapters.turn import ice_servers
from videophone.edge.deps import (
    SUBSCRIBER_COOKIE,
    SUBSCRIBER_CSRF_COOKIE,
    ContainerDep,
    ReaderLanguage,
    SubscriberDep,
    actor_of,
    client_ip,
    user_agent,
)
from videophone.edge.openapi import binary_response
from videophone.edge.params import Id
from videophone.edge.schemas import ContactDetailsIn, LanguageIn, PasswordChangeIn, TokenIn
from videophone.edge.views import pdf_response
from videophone.identity.api.me_answers import (
    Account,
    Export,
    IdentityDocument,
    IssuedToken,
    LoginSession,
    TurnCredentials,
)
from videophone.identity.api.public_answers import AgreementAnswer
from videophone.identity.domain.agreement import AgreementDocument

router = APIRouter(prefix="/api/v1", tags=["subscriber"])


@router.get("/me")
async def me(principal: SubscriberDep, c: ContainerDep) -> Account:
    return Account.of(await c.subscribers.account(principal.id))


@router.patch("/me")
async def update_me(body: ContactDetailsIn, principal: SubscriberDep, request: Request, c: ContainerDep) -> Account:
    view = await c.subscribers.update_contact_details(
        actor_of(principal, request), principal.id, body.model_dump(exclude_unset=True)
    )
    return Account.of(view)


@router.put("/me/language", status_code=204)
async def set_language(body: LanguageIn, principal: SubscriberDep, c: ContainerDep) -> None:
    """The language of the account's notices (email, SMS); the interface keeps the language chosen with the
    language switch in each browser."""
    await c.subscribers.set_language(principal.id, body.language)


@router.post("/auth/logout", status_code=204)
async def logout(principal: SubscriberDep, response: Response, c: ContainerDep) -> None:
    await c.auth.logout(principal)
    response.delete_cookie(SUBSCRIBER_COOKIE, path="/")
    response.delete_cookie(SUBSCRIBER_CSRF_COOKIE, path="/")


@router.get("/me/turn-credentials")
async def turn_credentials(principal: SubscriberDep, c: ContainerDep) -> TurnCredentials:
    """Short-lived STUN/TURN servers for this subscriber (also sent in the signaling `welcome`)."""
    servers = ice_servers(c.settings.turn_config(), principal.id, c.deps.clock.now())
    return TurnCredentials.of(servers, c.settings.turn_ttl_seconds)


@router.get("/me/sessions")
async def sessions(principal: SubscriberDep, c: ContainerDep) -> list[LoginSession]:
    return [LoginSession.model_validate(s) for s in await c.auth.sessions(principal)]


@router.delete("/me/sessions/{session_id}", status_code=204)
async def revoke_session(session_id: Id, principal: SubscriberDep, request: Request, c: ContainerDep) -> None:
    await c.auth.revoke(principal, session_id, client_ip(request))


@router.post("/me/tokens", status_code=201)
async def issue_token(body: TokenIn, principal: SubscriberDep, request: Request, c: ContainerDep) -> IssuedToken:
    issued = await c.auth.issue_api_token(principal, body.label, client_ip(request), user_agent(request))
    return IssuedToken.of(issued)


@router.post("/me/password", status_code=204)
async def change_password(body: PasswordChangeIn, principal: SubscriberDep, request: Request, c: ContainerDep) -> None:
    await c.auth.change_password(principal, body.current_password, body.new_password, client_ip(request))


@router.get(
    "/me/export",
    response_class=Response,
    responses={200: {"model": Export, "description": "Everything held about the subscriber (an attachment)."}},
)
async def export(principal: SubscriberDep, request: Request, c: ContainerDep) -> Response:
    data = Export.of(await c.subscribers.export(actor_of(principal, request), principal.id))
    return Response(
        json.dumps(data.model_dump(mode="json", by_alias=True), ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="videophone-{data.subscriber.number}.json"'},
    )


async def _my_agreement(principal_id: int, c: ContainerDep, language: str = "zh-CN") -> AgreementDocument:
    sub_data = await c.subscribers.own_agreement_details(principal_id)
    return await c.agreement.for_subscriber(principal_id, sub_data["address"], sub_data["credit_code"], language)


@router.get("/me/agreement")
async def my_agreement(principal: SubscriberDep, c: ContainerDep, language: ReaderLanguage) -> AgreementAnswer:
    """The agreement the subscriber accepted, filled in; in English for an English reader when the
    version has a translation (the Chinese text prevails)."""
    return AgreementAnswer.of(await _my_agreement(principal.id, c, language))


@router.get("/me/agreement.pdf", response_class=Response, responses=binary_response("application/pdf"))
async def my_agreement_pdf(principal: SubscriberDep, c: ContainerDep) -> Response:
    doc = await _my_agreement(principal.id, c)
    return pdf_response(c.agreement.pdf(doc), f"agreement-v{doc.version}.pdf")


@router.get("/me/documents")
async def my_documents(principal: SubscriberDep, c: ContainerDep) -> list[IdentityDocument]:
    return [IdentityDocument.model_validate(d) for d in await c.review.documents(principal.id)]


@router.post("/me/documents", status_code=201)
async def upload_document(
    file: UploadFile, principal: SubscriberDep, request: Request, c: ContainerDep
) -> IdentityDocument:
    _, pol = await c.policy.get()
    content = await file.read(pol.document_max_bytes + 1)
    info = await c.review.upload(
        actor_of(principal, request), principal.id, file.filename or "document", file.content_type or "", content
    )
    return IdentityDocument.model_validate(info)

"""Routes anyone may call: health, price-list/agreement documents, registration, login."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from videophone.edge.deps import (
    STAFF_COOKIE,
    STAFF_CSRF_COOKIE,
    SUBSCRIBER_COOKIE,
    SUBSCRIBER_CSRF_COOKIE,
    ContainerDep,
    ReaderLanguage,
    client_ip,
    user_agent,
)
from videophone.edge.openapi import binary_response, problem_responses
from videophone.edge.schemas import (
    LoginIn,
    PasswordResetConfirmIn,
    PasswordResetRequestIn,
    RegistrationIn,
    StaffLoginIn,
)
from videophone.edge.views import pdf_response
from videophone.identity.api.me_answers import Account
from videophone.identity.api.public_answers import (
    Accepted,
    AgreementAnswer,
    ApiLogin,
    BrowserLogin,
    Health,
    IdTypeAnswer,
    PolicyAnswer,
    StaffLogin,
    login_answer,
)
from videophone.identity.domain.identity_numbers import ID_TYPE_LABELS
from videophone.identity.services.auth import IssuedSession
from videophone.identity.services.subscribers import RequestInfo

router = APIRouter(prefix="/api/v1", tags=["public"])


@router.get("/health")
async def health(c: ContainerDep) -> Health:
    version, _ = await c.policy.get()
    return Health(status="ok", policy_version=version)


@router.get("/id-types")
async def id_types() -> list[IdTypeAnswer]:
    return [IdTypeAnswer(value=t, zh_cn=zh, en=en) for t, (zh, en) in ID_TYPE_LABELS.items()]


@router.get("/policy")
async def public_policy(c: ContainerDep) -> PolicyAnswer:
    """The operator's policy parameters are part of the public agreement text."""
    version, pol = await c.policy.get()
    return PolicyAnswer.of(version, pol)


@router.get("/agreement")
async def current_agreement(c: ContainerDep, language: ReaderLanguage) -> AgreementAnswer:
    """The current agreement, in English for an English reader when the version has a translation
    (for convenience: the Chinese text prevails; ``language`` says which one this is)."""
    return AgreementAnswer.of(await c.agreement.current(language))


@router.get("/agreement.pdf", response_class=Response, responses=binary_response("application/pdf"))
async def current_agreement_pdf(c: ContainerDep) -> Response:
    doc = await c.agreement.current()
    return pdf_response(c.agreement.pdf(doc), f"agreement-v{doc.version}.pdf")


@router.post("/subscribers", status_code=201, responses=problem_responses(409, 503))
async def register(body: RegistrationIn, request: Request, c: ContainerDep) -> Account:
    channel = "api" if request.headers.get("x-client") != "web" else "web"
    view = await c.subscribers.register(
        body.model_dump(), RequestInfo(ip=client_ip(request), user_agent=user_agent(request), channel=channel)
    )
    return Account.of(view)


def set_session_cookies(response: Response, issued: IssuedSession, *, staff: bool, secure: bool) -> None:
    # Session cookies: the server-side expiry and revocation decide how long a login lasts.
    name, csrf_name = (STAFF_COOKIE, STAFF_CSRF_COOKIE) if staff else (SUBSCRIBER_COOKIE, SUBSCRIBER_CSRF_COOKIE)
    response.set_cookie(name, issued.token, httponly=True, samesite="lax", secure=secure, path="/")
    # The CSRF token is readable by the page's script, which echoes it in X-CSRF-Token.
    response.set_cookie(csrf_name, issued.csrf_token, httponly=False, samesite="lax", secure=secure, path="/")


@router.post("/auth/login", responses=problem_responses(401, 403, 429))
async def login(body: LoginIn, request: Request, response: Response, c: ContainerDep) -> ApiLogin | BrowserLogin:
    issued = await c.auth.login_subscriber(
        body.login,
        body.password,
        ip=client_ip(request),
        user_agent=user_agent(request),
        kind=body.kind,
        label=body.label,
    )
    if body.kind != "api":
        # The interface language stays the one chosen in this browser (the vp_lang cookie of the language
        # switch): the account's language is the one its notices (email, SMS) are written in.
        set_session_cookies(response, issued, staff=False, secure=c.settings.cookie_secure)
    return login_answer(issued, api=body.kind == "api")


@router.post("/auth/password-reset", status_code=202, responses=problem_responses(429))
async def request_password_reset(body: PasswordResetRequestIn, request: Request, c: ContainerDep) -> Accepted:
    """Always 202: whether the account exists is not revealed.  The link arrives by email."""
    await c.auth.request_password_reset(body.login, ip=client_ip(request))
    return Accepted(status="accepted")


@router.post("/auth/password-reset/confirm", status_code=204)
async def confirm_password_reset(body: PasswordResetConfirmIn, request: Request, c: ContainerDep) -> None:
    await c.auth.reset_password(body.token, body.new_password, ip=client_ip(request))


@router.post("/console/auth/login", responses=problem_responses(401, 403, 429))
async def staff_login(body: StaffLoginIn, request: Request, response: Response, c: ContainerDep) -> StaffLogin:
    issued = await c.auth.login_staff(
        body.username, body.password, ip=client_ip(request), user_agent=user_agent(request)
    )
    set_session_cookies(response, issued, staff=True, secure=c.settings.cookie_secure)
    return StaffLogin.of(issued)

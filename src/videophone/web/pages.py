"""HTML pages.  Each page is a server-rendered shell; its data comes from the JSON API, so the pages
and the API can never disagree about rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from videophone import __version__
from videophone.edge.deps import STAFF_COOKIE, SUBSCRIBER_COOKIE, container
from videophone.edge.i18n import LANGUAGES, ui
from videophone.edge.params import Id
from videophone.edge.problems import request_language
from videophone.edge.views import agreement_json
from videophone.identity.domain.identity_numbers import ID_TYPE_LABELS
from videophone.kernel.errors import DomainError
from videophone.web.page_texts import page_catalog

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)


def operator_calendar(request: Request) -> dict[str, str]:
    """The operator's today and time zone: console pages default periods and show times by these, not
    by the browser's clock and zone."""
    deps = container(request).deps
    return {
        "today": deps.clock.now().astimezone(deps.operator_tz).date().isoformat(),
        "zone": deps.operator_tz.key,
    }


def render(request: Request, template: str, *, area: str, page: str, **context: Any) -> HTMLResponse:
    lang = request_language(request)
    if area == "console":
        context.setdefault("operator", operator_calendar(request))
    return templates.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "area": area,
            "page": page,
            "t": lambda key: ui(key, lang),
            "ui_catalog": page_catalog(template, lang),
            "version": __version__,
            "id_types": [
                {"value": t.value, "label": zh if lang == "zh-CN" else en} for t, (zh, en) in ID_TYPE_LABELS.items()
            ],
            **context,
        },
    )


async def _logged_in(request: Request, cookie: str, principal_type: str) -> bool:
    token = request.cookies.get(cookie)
    if not token:
        return False
    try:
        principal = await container(request).auth.authenticate(token)
    except DomainError:
        return False
    return principal.type == principal_type


@router.get("/lang/{language}")
async def switch_language(language: str, request: Request, next: str = "/") -> Response:
    target = next if next.startswith("/") and not urlparse(next).netloc and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if language in LANGUAGES:
        response.set_cookie("vp_lang", language, samesite="lax", path="/", max_age=365 * 86400)
    return response


# -- subscriber portal ---------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return render(
        request,
        "portal/home.html",
        area="portal",
        page="home",
        logged_in=await _logged_in(request, SUBSCRIBER_COOKIE, "subscriber"),
    )


@router.get("/register", response_class=HTMLResponse)
async def register_page(request: Request) -> HTMLResponse:
    doc = await container(request).agreement.current()
    return render(request, "portal/register.html", area="portal", page="register", agreement_version=doc.version)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> HTMLResponse:
    return render(request, "portal/login.html", area="portal", page="login")


@router.get("/forgot-password", response_class=HTMLResponse)
async def forgot_password_page(request: Request) -> HTMLResponse:
    return render(request, "portal/forgot_password.html", area="portal", page="forgot-password")


@router.get("/reset-password", response_class=HTMLResponse)
async def reset_password_page(request: Request, token: str = "") -> HTMLResponse:
    return render(request, "portal/reset_password.html", area="portal", page="reset-password", token=token)


@router.get("/account", response_class=HTMLResponse, response_model=None)
async def account_page(request: Request) -> Response:
    if not await _logged_in(request, SUBSCRIBER_COOKIE, "subscriber"):
        return RedirectResponse("/login?next=/account", status_code=303)
    return render(request, "portal/account.html", area="portal", page="account")


PORTAL_PAGES = {
    "phone": "portal/phone.html",
    "history": "portal/history.html",
    "voicemail": "portal/voicemail.html",
    "contacts": "portal/contacts.html",
    "orders": "portal/orders.html",
    "bills": "portal/bills.html",
    "payments": "portal/payments.html",
    "notifications": "portal/notifications.html",
    "credit": "portal/credit.html",
    "disputes": "portal/disputes.html",
    "announcements": "portal/announcements.html",
    "terminals": "portal/terminals.html",
    "termination": "portal/termination.html",
}


@router.get("/phone", response_class=HTMLResponse, response_model=None)
@router.get("/history", response_class=HTMLResponse, response_model=None)
@router.get("/voicemail", response_class=HTMLResponse, response_model=None)
@router.get("/contacts", response_class=HTMLResponse, response_model=None)
@router.get("/orders", response_class=HTMLResponse, response_model=None)
@router.get("/bills", response_class=HTMLResponse, response_model=None)
@router.get("/payments", response_class=HTMLResponse, response_model=None)
@router.get("/notifications", response_class=HTMLResponse, response_model=None)
@router.get("/credit", response_class=HTMLResponse, response_model=None)
@router.get("/disputes", response_class=HTMLResponse, response_model=None)
@router.get("/announcements", response_class=HTMLResponse, response_model=None)
@router.get("/terminals", response_class=HTMLResponse, response_model=None)
@router.get("/termination", response_class=HTMLResponse, response_model=None)
async def subscriber_page(request: Request) -> Response:
    section = request.url.path.strip("/")
    if not await _logged_in(request, SUBSCRIBER_COOKIE, "subscriber"):
        return RedirectResponse(f"/login?next=/{section}", status_code=303)
    return render(request, PORTAL_PAGES[section], area="portal", page=section, logged_in=True)


@router.get("/prices", response_class=HTMLResponse)
async def prices_page(request: Request) -> HTMLResponse:
    """The public price list (no login needed)."""
    return render(
        request,
        "portal/prices.html",
        area="portal",
        page="prices",
        logged_in=await _logged_in(request, SUBSCRIBER_COOKIE, "subscriber"),
    )


@router.get("/agreement", response_class=HTMLResponse)
async def agreement_page(request: Request) -> HTMLResponse:
    doc = await container(request).agreement.current(request_language(request))
    return render(
        request,
        "portal/agreement.html",
        area="portal",
        page="agreement",
        doc=agreement_json(doc),
        pdf_url="/api/v1/agreement.pdf",
    )


@router.get("/account/agreement", response_class=HTMLResponse, response_model=None)
async def my_agreement_page(request: Request) -> Response:
    if not await _logged_in(request, SUBSCRIBER_COOKIE, "subscriber"):
        return RedirectResponse("/login?next=/account/agreement", status_code=303)
    c = container(request)
    token = request.cookies.get(SUBSCRIBER_COOKIE, "")
    principal = await c.auth.authenticate(token)
    details = await c.subscribers.own_agreement_details(principal.id)
    doc = await c.agreement.for_subscriber(
        principal.id, details["address"], details["credit_code"], request_language(request)
    )
    return render(
        request,
        "portal/agreement.html",
        area="portal",
        page="agreement",
        doc=agreement_json(doc),
        pdf_url="/api/v1/me/agreement.pdf",
    )


# -- operator console ------------------------------------------------------------------------------------
CONSOLE_PAGES = {
    "reviews": "console/reviews.html",
    "subscribers": "console/subscribers.html",
    "policy": "console/policy.html",
    "audit": "console/audit.html",
    "staff": "console/staff.html",
    "calls": "console/calls.html",
    "reports": "console/reports.html",
    "tariffs": "console/tariffs.html",
    "bills": "console/bills.html",
    "payments": "console/payments.html",
    "arrears": "console/arrears.html",
    "disputes": "console/disputes.html",
    "violations": "console/violations.html",
    "lawful": "console/lawful.html",
    "terminations": "console/terminations.html",
    "announcements": "console/announcements.html",
    "outages": "console/outages.html",
    "dashboard": "console/dashboard.html",
    "terminals": "console/terminals.html",
    "warranty": "console/warranty.html",
    "releases": "console/releases.html",
}


@router.get("/console/login", response_class=HTMLResponse)
async def console_login(request: Request) -> HTMLResponse:
    return render(request, "console/login.html", area="console", page="console-login")


@router.get("/console", response_class=HTMLResponse, response_model=None)
async def console_home(request: Request) -> Response:
    if not await _logged_in(request, STAFF_COOKIE, "staff"):
        return RedirectResponse("/console/login", status_code=303)
    return RedirectResponse("/console/dashboard", status_code=303)


@router.get("/console/subscribers/{subscriber_id}", response_class=HTMLResponse, response_model=None)
async def console_subscriber(subscriber_id: Id, request: Request) -> Response:
    if not await _logged_in(request, STAFF_COOKIE, "staff"):
        return RedirectResponse("/console/login", status_code=303)
    return render(
        request, "console/subscriber.html", area="console", page="console-subscriber", subscriber_id=subscriber_id
    )


@router.get("/console/{section}", response_class=HTMLResponse, response_model=None)
async def console_section(section: str, request: Request) -> Response:
    template = CONSOLE_PAGES.get(section)
    if template is None:
        response = render(request, "not_found.html", area="console", page="not-found")
        response.status_code = 404
        return response
    if not await _logged_in(request, STAFF_COOKIE, "staff"):
        return RedirectResponse("/console/login", status_code=303)
    return render(request, template, area="console", page=f"console-{section}")

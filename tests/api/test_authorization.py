"""Every protected route refuses the wrong caller: nobody, the other kind of principal, staff without
the permission, and (for cookie sessions) a write without the CSRF token."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from tests.api.conftest import client_for, register_and_login, staff_login
from videophone.bootstrap import Container
from videophone.identity.domain.staff import ROLE_PERMISSIONS, Permission, StaffRole

PUBLIC = {
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/id-types"),
    ("GET", "/api/v1/policy"),
    ("GET", "/api/v1/agreement"),
    ("GET", "/api/v1/agreement.pdf"),
    ("POST", "/api/v1/subscribers"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/console/auth/login"),
    ("GET", "/api/v1/prices"),
    ("POST", "/api/v1/payments/gateway/notify"),  # the gateway's signed notification (no session)
    ("POST", "/api/v1/auth/password-reset"),  # asking for a reset link (answers the same whoever asks)
    ("POST", "/api/v1/auth/password-reset/confirm"),  # the emailed token is the credential
    ("GET", "/api/v1/push/vapid-public-key"),  # the operator's public key browsers subscribe with
}
# The SIP edge's routes (issue 16): Kamailio's shared secret, not a session; refused without it
# (tests/api/test_sip_api.py).  No session is needed, so they are checked like the public ones.
EDGE = {
    ("GET", "/api/v1/sip/auth"),
    ("POST", "/api/v1/sip/auth-failed"),
    ("POST", "/api/v1/sip/registered"),
}
PUBLIC |= EDGE
# Routes for terminals, authenticated by the terminal's own token (not a session); refused to anyone else.
TERMINAL = {("GET", "/api/v1/terminal/provisioning")}
# A subscriber's routes outside /api/v1/me: leaving a video message in someone else's mailbox,
# with the deposit token of the caller's own diverted call.
SUBSCRIBER = {
    ("POST", "/api/v1/voicemail/deposits/{token}"),
    ("GET", "/api/v1/voicemail/deposits/{token}/greeting"),
}
# Console routes and the permission each needs (None: any staff member).
CONSOLE_PERMISSION: dict[str, Permission | None] = {
    "/api/v1/console/me": None,
    "/api/v1/console/auth/logout": None,
    "/api/v1/console/review-queue": Permission.REVIEW_IDENTITY,
    "/api/v1/console/subscribers/{subscriber_id}/review": Permission.REVIEW_IDENTITY,
    "/api/v1/console/subscribers/{subscriber_id}/documents/{document_id}": Permission.REVIEW_IDENTITY,
    "/api/v1/console/subscribers": Permission.VIEW_SUBSCRIBERS,
    "/api/v1/console/subscribers/{subscriber_id}": Permission.VIEW_SUBSCRIBERS,
    "/api/v1/console/subscribers/{subscriber_id}/reveal": Permission.REVEAL_PERSONAL_DATA,
    "/api/v1/console/subscribers/{subscriber_id}/number-change": Permission.CHANGE_NUMBER,
    "/api/v1/console/policy": Permission.VIEW_POLICY,
    "/api/v1/console/policy/history": Permission.VIEW_POLICY,
    "/api/v1/console/policy/preview": Permission.VIEW_POLICY,
    "/api/v1/console/audit": Permission.VIEW_AUDIT,
    "/api/v1/console/audit/filters": Permission.VIEW_AUDIT,
    "/api/v1/console/staff": Permission.MANAGE_STAFF,
    "/api/v1/console/staff/{staff_id}/active": Permission.MANAGE_STAFF,
    "/api/v1/console/calls": Permission.VIEW_CALLS,
    "/api/v1/console/calls/live": Permission.VIEW_CALLS,
    "/api/v1/console/calls/{call_id}": Permission.VIEW_CALLS,
    "/api/v1/console/reports": Permission.HANDLE_REPORTS,
    "/api/v1/console/reports/{report_id}": Permission.HANDLE_REPORTS,
    "/api/v1/console/reports/{report_id}/handle": Permission.HANDLE_REPORTS,
    "/api/v1/console/bills": Permission.VIEW_BILLING,
    "/api/v1/console/bills/{bill_id}": Permission.VIEW_BILLING,
    "/api/v1/console/bill-runs": Permission.VIEW_BILLING,
    "/api/v1/console/subscribers/{subscriber_id}/adjustments": Permission.ADJUST_BILLS,
    "/api/v1/console/arrears": Permission.VIEW_BILLING,
    "/api/v1/console/subscribers/{subscriber_id}/account": Permission.VIEW_SUBSCRIBERS,
    "/api/v1/console/subscribers/{subscriber_id}/features": Permission.VIEW_SUBSCRIBERS,
    "/api/v1/console/payments": Permission.VIEW_BILLING,
    "/api/v1/console/subscribers/{subscriber_id}/payments": Permission.RECORD_PAYMENTS,
    "/api/v1/console/subscribers/{subscriber_id}/refunds": Permission.REFUND_PAYMENTS,
    "/api/v1/console/tariffs": Permission.MANAGE_TARIFFS,
    "/api/v1/console/tariffs/plans": Permission.MANAGE_TARIFFS,
    "/api/v1/console/tariffs/plans/{code}/prices": Permission.MANAGE_TARIFFS,
    "/api/v1/console/tariffs/plans/{code}/active": Permission.MANAGE_TARIFFS,
    "/api/v1/console/tariffs/vas": Permission.MANAGE_TARIFFS,
    "/api/v1/console/tariffs/vas/{code}/prices": Permission.MANAGE_TARIFFS,
    "/api/v1/console/tariffs/vas/{code}/active": Permission.MANAGE_TARIFFS,
    "/api/v1/console/tariffs/plans/{code}/descriptions": Permission.MANAGE_TARIFFS,
    "/api/v1/console/tariffs/vas/{code}/descriptions": Permission.MANAGE_TARIFFS,
    "/api/v1/console/disputes": Permission.HANDLE_DISPUTES,
    "/api/v1/console/disputes/{dispute_id}": Permission.HANDLE_DISPUTES,
    "/api/v1/console/disputes/{dispute_id}/adjust": Permission.HANDLE_DISPUTES,
    "/api/v1/console/disputes/{dispute_id}/reject": Permission.HANDLE_DISPUTES,
    "/api/v1/console/terminations": Permission.TERMINATE_ACCOUNTS,
    "/api/v1/console/outages": Permission.MANAGE_OUTAGES,
    "/api/v1/console/outages/{outage_id}": Permission.MANAGE_OUTAGES,
    "/api/v1/console/outages/{outage_id}/close": Permission.MANAGE_OUTAGES,
    "/api/v1/console/outages/{outage_id}/cause": Permission.MANAGE_OUTAGES,
    "/api/v1/console/dashboard": Permission.VIEW_DASHBOARD,
    "/api/v1/console/terminals": Permission.MANAGE_TERMINALS,
    "/api/v1/console/terminals/{terminal_id}/assign": Permission.MANAGE_TERMINALS,
    "/api/v1/console/terminals/{terminal_id}/installation": Permission.MANAGE_TERMINALS,
    "/api/v1/console/terminals/{terminal_id}/opened": Permission.MANAGE_TERMINALS,
    "/api/v1/console/terminals/{terminal_id}/token": Permission.MANAGE_TERMINALS,
    "/api/v1/console/warranty-claims": Permission.HANDLE_WARRANTY,
    "/api/v1/console/warranty-claims/{claim_id}/decision": Permission.HANDLE_WARRANTY,
    "/api/v1/console/warranty-claims/{claim_id}/photos/{photo_id}": Permission.HANDLE_WARRANTY,
    "/api/v1/console/releases": Permission.MANAGE_RELEASES,
    "/api/v1/console/violations": Permission.HANDLE_VIOLATIONS,
    "/api/v1/console/violations/subscriber": Permission.HANDLE_VIOLATIONS,
    "/api/v1/console/violations/{violation_id}/lift": Permission.HANDLE_VIOLATIONS,
    "/api/v1/console/violations/{violation_id}/evidence/{evidence_id}": Permission.HANDLE_VIOLATIONS,
    "/api/v1/console/lawful": Permission.LAWFUL_SUSPENSION,
    "/api/v1/console/lawful/{lawful_id}/lift": Permission.LAWFUL_SUSPENSION,
    "/api/v1/console/announcements": Permission.MANAGE_ANNOUNCEMENTS,
    "/api/v1/console/agreement/template": Permission.MANAGE_ANNOUNCEMENTS,
    "/api/v1/console/agreement/versions": Permission.MANAGE_ANNOUNCEMENTS,
    "/api/v1/console/agreement/objections": Permission.MANAGE_ANNOUNCEMENTS,
    "/api/v1/console/agreement/objections/{objection_id}/decide": Permission.MANAGE_ANNOUNCEMENTS,
    "/api/v1/console/subscribers/{subscriber_id}/voicemail": Permission.VIEW_SUBSCRIBERS,
    "/api/v1/console/subscribers/{subscriber_id}/voicemail/clear": Permission.CLEAR_MAILBOX,
}


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    # FastAPI keeps included routers as such (app.routes holds no APIRoute of theirs): walk them.
    out = []
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and route.path_format.startswith("/api/"):
            out.extend((m, route.path_format) for m in sorted(route.methods))
    assert len(out) > 100, "the routes were not found: every check below would pass vacuously"
    return out


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def permission_for(method: str, path: str) -> Permission | None:
    if method == "PUT" and path == "/api/v1/console/policy":
        return Permission.EDIT_POLICY
    if method == "POST" and path == "/api/v1/console/bill-runs":
        return Permission.RUN_BILLING
    return CONSOLE_PERMISSION[path]


async def test_every_route_is_classified(app: FastAPI) -> None:
    for method, path in api_routes(app):
        if (method, path) in PUBLIC or path.startswith("/api/v1/me") or path == "/api/v1/auth/logout":
            continue
        if (method, path) in TERMINAL:  # the terminal's own bearer token (tests/api/test_terminals_api.py)
            continue
        if (method, path) in SUBSCRIBER:  # a subscriber's session or token (tests/api/test_voicemail_api.py)
            continue
        assert path in CONSOLE_PERMISSION, f"unclassified route {method} {path}"


async def test_nobody_gets_nothing(app: FastAPI) -> None:
    async with client_for(app) as anonymous:
        for method, path in api_routes(app):
            if (method, path) in PUBLIC:
                continue
            r = await anonymous.request(method, concrete(path), json={})
            assert r.status_code == 401, f"{method} {path} → {r.status_code}"
            assert r.json()["code"] == "not_authenticated"


async def test_subscribers_cannot_use_the_console_and_staff_cannot_act_as_subscribers(
    app: FastAPI, container: Container
) -> None:
    sub = await register_and_login(app)
    admin = await staff_login(app, container, "administrator")
    for method, path in api_routes(app):
        if (method, path) in PUBLIC:
            continue
        if path.startswith("/api/v1/console"):
            r = await sub.request(method, concrete(path), json={})
        else:
            r = await admin.request(method, concrete(path), json={})
        assert r.status_code == 401, f"{method} {path} → {r.status_code}"


@pytest.mark.parametrize("role", list(StaffRole))
async def test_staff_need_the_permission(app: FastAPI, container: Container, role: StaffRole) -> None:
    staff = await staff_login(app, container, role.value)
    for method, path in api_routes(app):
        if not path.startswith("/api/v1/console") or (method, path) in PUBLIC:
            continue
        needed = permission_for(method, path)
        if needed is None or needed in ROLE_PERMISSIONS[role]:
            continue
        r = await staff.request(method, concrete(path), json={})
        assert r.status_code == 403, f"{role} {method} {path} → {r.status_code}"


async def test_cookie_writes_without_csrf_are_refused(app: FastAPI, container: Container) -> None:
    sub = await register_and_login(app)
    admin = await staff_login(app, container, "administrator")
    for method, path in api_routes(app):
        if method == "GET" or (method, path) in PUBLIC:
            continue
        who = admin if path.startswith("/api/v1/console") else sub
        r = await who.client.request(method, concrete(path), json={})
        assert r.status_code == 403 and r.json()["code"] == "csrf_failed", f"{method} {path}"


async def test_a_subscriber_only_ever_sees_their_own_data(app: FastAPI) -> None:
    alice = await register_and_login(app)
    bob = await register_and_login(app)
    for path in (
        "/api/v1/me",
        "/api/v1/me/export",
        "/api/v1/me/agreement",
        "/api/v1/me/sessions",
        "/api/v1/me/documents",
    ):
        body = (await bob.get(path)).text
        assert alice.account["number"] not in body and alice.account["email"] not in body
    # Bob cannot end Alice's session, even knowing its id.
    alice_sessions = (await alice.get("/api/v1/me/sessions")).json()
    r = await bob.request("DELETE", f"/api/v1/me/sessions/{alice_sessions[0]['id']}")
    assert r.status_code == 404
    assert (await alice.get("/api/v1/me")).status_code == 200

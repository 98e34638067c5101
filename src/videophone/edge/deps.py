"""Request dependencies: the container, the caller, CSRF, permissions."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.edge.problems import request_language
from videophone.identity.domain.staff import Permission, has_permission
from videophone.identity.services.auth import Principal
from videophone.kernel.errors import NotAuthenticated, PermissionDenied

SUBSCRIBER_COOKIE = "vp_session"
SUBSCRIBER_CSRF_COOKIE = "vp_csrf"
STAFF_COOKIE = "vp_staff_session"
STAFF_CSRF_COOKIE = "vp_staff_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"


def container(request: Request) -> Container:
    c: Container = request.app.state.container
    return c


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")[:400]


async def _principal(request: Request, cookie_name: str, expected_type: str) -> Principal:
    c = container(request)
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        principal = await c.auth.authenticate(auth[7:].strip())
        from_cookie = False
    else:
        token = request.cookies.get(cookie_name)
        if not token:
            raise NotAuthenticated()
        principal = await c.auth.authenticate(token)
        from_cookie = True
    if principal.type != expected_type:
        # A subscriber's token on a staff route (or the reverse) is simply not a login there.
        raise NotAuthenticated()
    if from_cookie and request.method not in SAFE_METHODS:
        sent = request.headers.get("x-csrf-token", "")
        if not sent or not hmac.compare_digest(sent, principal.csrf_token):
            raise CsrfFailed()
    return principal


async def current_subscriber(request: Request) -> Principal:
    return await _principal(request, SUBSCRIBER_COOKIE, "subscriber")


async def current_staff(request: Request) -> Principal:
    return await _principal(request, STAFF_COOKIE, "staff")


def staff_with(permission: Permission) -> Callable[[Principal], Awaitable[Principal]]:
    # Through ``current_staff`` as a sub-dependency, so the route's dependency tree shows that it needs a
    # login (web/openapi.py documents 401/403 from it).
    async def dependency(principal: Annotated[Principal, Depends(current_staff)]) -> Principal:
        if not has_permission(principal.roles, permission):
            raise PermissionDenied(params={"permission": permission.value})
        return principal

    return dependency


def actor_of(principal: Principal, request: Request) -> Actor:
    return principal.actor(client_ip(request))


ContainerDep = Annotated[Container, Depends(container)]
# The reader's interface language (the ``vp_lang`` cookie, else Accept-Language): what stored texts
# with both languages are shown in — not the account's notice language, which email and SMS follow.
ReaderLanguage = Annotated[str, Depends(request_language)]
SubscriberDep = Annotated[Principal, Depends(current_subscriber)]
StaffDep = Annotated[Principal, Depends(current_staff)]

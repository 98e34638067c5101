"""Each HTTP request's log context: a request id (the caller's ``X-Request-ID`` when well-formed, else a
new one; echoed in the response) and the route's path template, bound for every record written while
the request runs and cleared after.  Query strings and bodies are never bound."""

from __future__ import annotations

import re
import uuid

import structlog
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from videophone.adapters.logs import Deferred

HEADER = "X-Request-ID"
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = bytes(value).decode("latin-1")
            if _WELL_FORMED.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str | None:
    """The matched route's path template (``/api/v1/me/bills/{bill_id}``), once routing is done."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else None


def request_id_of(connection: HTTPConnection) -> str:
    """The id :class:`RequestContext` gave this request (a new one outside it)."""
    state = connection.scope.get("state") or {}
    value = state.get("request_id")
    return value if isinstance(value, str) else uuid.uuid4().hex


class RequestContext:
    """Pure ASGI middleware (no response buffering, no body access)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        header = (HEADER.lower().encode(), request_id.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not any(name.lower() == header[0] for name, _ in headers):
                    headers.append(header)
                message = {**message, "headers": headers}
            await send(message)

        tokens = structlog.contextvars.bind_contextvars(
            request_id=request_id, method=scope.get("method", ""), route=Deferred(lambda: route_template(scope))
        )
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.reset_contextvars(**tokens)

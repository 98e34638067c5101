"""Pure ASGI middleware counting HTTP requests by route template, method and status, with their
latency, and the WebSocket connections open (``adapters.metrics``).  No buffering and no body access:
per request it costs one clock read at each end and two labelled updates.  The route is the matched
route's template (``/api/v1/me/bills/{bill_id}``), ``unmatched`` when none matched — never the raw path."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from videophone.adapters import metrics
from videophone.edge.request_context import route_template

UNMATCHED = "unmatched"


class HttpMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an error that escapes before the answer starts is answered 500 by the server

        async def send_seen(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_seen)
        finally:
            route = route_template(scope) or UNMATCHED
            method = metrics.method_label(scope.get("method", ""))
            metrics.HTTP_REQUESTS.labels(route, method, str(status)).inc()
            metrics.HTTP_LATENCY.labels(route, method).observe(time.perf_counter() - started)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        accepted = False

        async def send_seen(message: Message) -> None:
            nonlocal accepted
            await send(message)
            if message["type"] == "websocket.accept" and not accepted:
                accepted = True
                metrics.WEBSOCKETS.inc()

        try:
            await self.app(scope, receive, send_seen)
        finally:
            if accepted:
                metrics.WEBSOCKETS.dec()

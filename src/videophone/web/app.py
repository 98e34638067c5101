"""The ASGI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from videophone import __version__
from videophone.adapters import heap
from videophone.billing.api import billing, disputes, sales
from videophone.bootstrap import Container
from videophone.calling.api import calls, contacts, features, forwarding, voicemail, ws
from videophone.collections.api import arrears, credit, payments, termination
from videophone.edge import guard, openapi, problems
from videophone.edge.http_metrics import HttpMetrics
from videophone.edge.request_context import RequestContext
from videophone.edge.security_headers import SecurityHeaders
from videophone.enforcement.api import enforcement
from videophone.identity.api import console, me, public
from videophone.jobs.scheduler import Scheduler
from videophone.kernel.errors import DomainError
from videophone.notices.api import announcements, outages, preferences, push
from videophone.terminals.api import sip, terminals
from videophone.web import health, metrics, pages, pwa

STATIC = Path(__file__).parent / "static"


async def _http_error(request: Request, exc: Exception) -> Response:
    """Browsers asking for a page that does not exist get a page; API clients get problem JSON."""
    wants_html = "text/html" in request.headers.get("accept", "")
    if (
        isinstance(exc, StarletteHTTPException)
        and exc.status_code == 404
        and wants_html
        and not request.url.path.startswith("/api/")
    ):
        area = "console" if request.url.path.startswith("/console") else "portal"
        response = pages.render(request, "not_found.html", area=area, page="not-found")
        response.status_code = 404
        return response
    return await problems.http_error_handler(request, exc)


def create_app(
    container: Container, *, manage_lifecycle: bool = True, run_jobs: bool = False, freeze_heap: bool = False
) -> FastAPI:
    """``run_jobs`` and ``freeze_heap`` are for the serving process (``videophone serve``)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await container.ensure_reference_data()
        await container.start_storage()
        scheduler = Scheduler(container)
        if run_jobs:
            scheduler.start()
        await container.signaling.start()
        if container.sip_gateway is not None:  # SIP phones' calls (issue 16): after the hub it feeds
            await container.sip_gateway.start()
        if freeze_heap:
            heap.settle()
        try:
            yield
        finally:
            if container.sip_gateway is not None:
                await container.sip_gateway.stop()
            await container.signaling.stop()
            await scheduler.stop()
            if manage_lifecycle:
                await container.close()

    app = FastAPI(
        title="videophone",
        version=__version__,
        description="Video telephone service platform (可视电话业务): subscribers, identity review, agreement.",
        lifespan=lifespan,
    )
    app.state.container = container
    app.add_exception_handler(DomainError, problems.domain_error_handler)
    app.add_exception_handler(RequestValidationError, problems.request_validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, problems.unexpected_error_handler)
    app.include_router(ws.router)  # first: a device connecting is not matched against every HTTP route
    app.include_router(health.router)  # /livez, /readyz: before the pages' catch-alls
    app.include_router(public.router)
    app.include_router(me.router)
    app.include_router(console.router)
    app.include_router(calls.router)
    app.include_router(features.router)
    app.include_router(contacts.router)
    app.include_router(forwarding.router)
    app.include_router(voicemail.router)
    app.include_router(sales.router)
    app.include_router(billing.router)
    app.include_router(payments.router)
    app.include_router(arrears.router)
    app.include_router(preferences.router)
    app.include_router(push.router)
    app.include_router(credit.router)
    app.include_router(disputes.router)
    app.include_router(enforcement.router)
    app.include_router(termination.router)
    app.include_router(announcements.router)
    app.include_router(outages.router)
    app.include_router(terminals.router)
    app.include_router(sip.router)
    app.include_router(pwa.router)
    app.include_router(metrics.router)  # /metrics: off until VIDEOPHONE_METRICS_TOKEN is set
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(guard.Guard, upload_limit=guard.policy_upload_limit(container))  # body size, JSON, text
    app.add_middleware(RequestContext)  # the request id and route in every log record (outside the guard)
    openapi.install(app)  # every operation's problem answers in the OpenAPI document

    app.add_middleware(SecurityHeaders)  # nosniff, no framing, same-origin referrers on every answer

    # Outermost: every answer counted and timed by route template, refusals of the guard included.
    app.add_middleware(HttpMetrics)
    return app

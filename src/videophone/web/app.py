"""The ASGI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from videophone import __version__
from videophone.bootstrap import Container
from videophone.domain.errors import DomainError
from videophone.jobs.scheduler import Scheduler
from videophone.web import pages, problems
from videophone.web.api import console, me, public

STATIC = Path(__file__).parent / "static"


def create_app(container: Container, *, manage_lifecycle: bool = True, run_jobs: bool = False) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await container.ensure_reference_data()
        scheduler = Scheduler(container)
        if run_jobs:
            scheduler.start()
        try:
            yield
        finally:
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
    app.add_exception_handler(StarletteHTTPException, problems.http_error_handler)
    app.add_exception_handler(Exception, problems.unexpected_error_handler)
    app.include_router(public.router)
    app.include_router(me.router)
    app.include_router(console.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.middleware("http")
    async def security_headers(request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return app

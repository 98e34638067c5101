"""Coded errors → problem JSON (RFC 9457) with a stable ``code``, the field(s) at fault and a
message in the user's language."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from videophone.adapters.logs import mark_logged
from videophone.edge.i18n import message, negotiate
from videophone.edge.request_context import HEADER, request_id_of, route_template
from videophone.kernel import errors as e

log = structlog.get_logger(__name__)

STATUS: list[tuple[type[e.DomainError], int]] = [
    (e.ValidationFailed, 422),
    (e.NotAuthenticated, 401),
    (e.PermissionDenied, 403),
    (e.NotFound, 404),
    (e.Conflict, 409),
    (e.InvalidState, 409),
    (e.Throttled, 429),
    (e.ServiceUnavailable, 503),
    (e.PayloadTooLarge, 413),
]


class ProblemFieldError(BaseModel):
    """One field at fault."""

    field: str = Field(description="The field's name (dotted for nested fields; `body` for the whole body).")
    code: str = Field(description="Stable error code of this field.")
    message: str = Field(description="The error in the caller's language.")


class Problem(BaseModel):
    """Every error answer (RFC 9457 problem details, `application/problem+json`), built by ``problem``."""

    type: str = Field(description="`about:blank#<code>`.")
    title: str = Field(description="The error in English.")
    status: int = Field(description="The HTTP status.")
    code: str = Field(description="Stable error code (clients switch on this).")
    message: str = Field(description="The error in the caller's language (zh-CN or English).")
    field: str | None = Field(description="The field at fault, if one is.")
    errors: list[ProblemFieldError] = Field(description="Every field at fault (validation errors).")
    params: dict[str, str | int | float] | None = Field(
        default=None, description="Values the message names (e.g. `retry_after`); absent when none."
    )


def request_language(request: Request) -> str:
    return negotiate(request.cookies.get("vp_lang"), request.headers.get("accept-language"))


def status_of(exc: e.DomainError) -> int:
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 400


def problem(
    request: Request,
    status: int,
    code: str,
    *,
    field: str | None = None,
    params: dict[str, Any] | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    lang = request_language(request)
    body: dict[str, Any] = {
        "type": f"about:blank#{code}",
        "title": message(code, "en", params),
        "status": status,
        "code": code,
        "message": message(code, lang, params),
        "field": field,
        "errors": errors or [],
    }
    if params:
        body["params"] = {k: v for k, v in params.items() if isinstance(v, str | int | float)}
    body.update(extra or {})
    return JSONResponse(body, status_code=status, headers=headers, media_type="application/problem+json")


async def domain_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, e.DomainError)
    lang = request_language(request)
    errors: list[dict[str, Any]] = []
    if isinstance(exc, e.ValidationFailed):
        errors = [
            {"field": fe.field, "code": fe.code, "message": message(fe.code, lang, fe.params)} for fe in exc.errors
        ]
    headers = {}
    if isinstance(exc, e.Throttled):
        headers["Retry-After"] = str(exc.params.get("retry_after", 60))
    return problem(
        request, status_of(exc), exc.code, field=exc.field, params=dict(exc.params), errors=errors, headers=headers
    )


async def request_validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    lang = request_language(request)
    errors = []
    for err in exc.errors():
        # The first element says where (body, query…); only it is dropped — a field may be named "path".
        loc = [str(p) for p in err.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header", "cookie"):
            loc = loc[1:]
        field = ".".join(loc) or "body"
        code = "control_characters" if err.get("type") == "control_characters" else "invalid_input"
        errors.append({"field": field, "code": code, "message": message(code, lang)})
    # Text refused for control characters only: the same code as when web.guard refuses it.
    only_control = bool(errors) and all(e["code"] == "control_characters" for e in errors)
    first = errors[0]["field"] if errors else None
    return problem(
        request, 422, "control_characters" if only_control else "validation_failed", field=first, errors=errors
    )


def allowed_methods(request: Request) -> set[str]:
    """Every method declared for the path template that answered.  Starlette's 405 names only the
    methods of the first route whose template matched, but GET and POST on one template are two routes.
    (Another template that also matches, like `/me/calls/{call_id}` for `/me/calls/missed-seen`, is
    another resource.)"""
    methods: set[str] = set()
    template: str | None = None
    for route in iter_route_contexts(request.app.routes):
        regex = getattr(route, "path_regex", None)
        if not route.methods or regex is None or not regex.match(request.url.path):
            continue
        template = template or route.path_format
        if route.path_format == template:
            methods |= route.methods
    return methods


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405 and (methods := allowed_methods(request)):
        headers["Allow"] = ", ".join(sorted(methods))
    code = {
        400: "bad_request",
        401: "not_authenticated",
        403: "permission_denied",
        404: "not_found",
        405: "method_not_allowed",
    }.get(exc.status_code, "error")
    return problem(request, exc.status_code, code, headers=headers or None)


async def unexpected_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """One log line (bounded traceback without local variables, secrets redacted: adapters/logs.py) and
    a problem answer carrying the request id, so that support can find that line."""
    request_id = request_id_of(request)
    log.error(
        "unhandled error",
        exc_info=exc,
        request_id=request_id,
        method=request.method,
        route=route_template(request.scope),
    )
    mark_logged(exc)  # the server's own record of the same exception is dropped
    return problem(request, 500, "internal_error", headers={HEADER: request_id}, extra={"request_id": request_id})

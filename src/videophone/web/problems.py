"""Coded errors → problem JSON (RFC 9457) with a stable ``code``, the field(s) at fault and a
message in the user's language."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from videophone.adapters.logs import mark_logged
from videophone.domain import errors as e
from videophone.web.i18n import message, negotiate
from videophone.web.request_context import HEADER, request_id_of, route_template

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
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header", "cookie")]
        field = ".".join(loc) or "body"
        code = "control_characters" if err.get("type") == "control_characters" else "invalid_input"
        errors.append({"field": field, "code": code, "message": message(code, lang)})
    # Text refused for control characters only: the same code as when web.guard refuses it.
    only_control = bool(errors) and all(e["code"] == "control_characters" for e in errors)
    first = errors[0]["field"] if errors else None
    return problem(
        request, 422, "control_characters" if only_control else "validation_failed", field=first, errors=errors
    )


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {401: "not_authenticated", 403: "permission_denied", 404: "not_found", 405: "not_found"}.get(
        exc.status_code, "error"
    )
    return problem(request, exc.status_code, code, headers=getattr(exc, "headers", None))


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

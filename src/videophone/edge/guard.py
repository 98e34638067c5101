"""The edge's guard: bounds every HTTP request before a route (or a database driver) sees it.

* the body is counted as it arrives and refused with 413 past the limit — 1 MiB for everything but
  multipart uploads, whose limit follows the upload policy — so no upload is read whole first;
* JSON bodies: nesting at most ``MAX_JSON_DEPTH`` levels (checked without recursion), every integer
  within int64, no control characters in any string or key;
* urlencoded form bodies, the query string and the path: no control characters.

Control characters are C0 except tab, line feed and carriage return, and DEL (``params``); PostgreSQL
cannot store NUL at all.  Every refusal is problem JSON with a stable code (``body_too_large``,
``json_too_deep``, ``integer_out_of_range``, ``control_characters``) and a message in the caller's
language.  Multipart text fields are checked by their parameter type (``params.FormText``).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from videophone.bootstrap import Container
from videophone.edge.params import INT64_MAX, INT64_MIN
from videophone.edge.problems import domain_error_handler
from videophone.enforcement.domain.violations import MAX_EVIDENCE_FILES
from videophone.kernel.errors import DomainError, PayloadTooLarge, UnsafeInput
from videophone.kernel.text import has_control_characters
from videophone.terminals.domain.terminals import MAX_PHOTOS

MAX_JSON_DEPTH = 32
BODY_LIMIT = 1024 * 1024  # JSON, forms and anything else that is not an upload
MULTIPART_OVERHEAD = 256 * 1024  # part headers and the form's text fields
UploadLimit = Callable[[Scope], Awaitable[int]]

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_PARENS = bytes.maketrans(b"[{]}", b"(())")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_INT_DIGITS = len(str(INT64_MAX))


class _TooLarge(Exception):
    """Raised into the app by the counting ``receive`` once the body passes its limit."""


class _Gone(Exception):
    """The client disconnected while its body was being read."""


# -- checks (pure) ---------------------------------------------------------------------------------------
def json_depth_exceeds(data: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``data``'s arrays and objects nest deeper than ``limit``, without parsing (a parser
    recurses once per level).  Strings are dropped, the brackets kept, then each pass removes every
    innermost pair: after ``limit`` passes nothing may be left open.  All in C: a megabyte costs
    milliseconds."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", raw).translate(_PARENS, _NOT_BRACKETS)
    for _ in range(limit):
        reduced = brackets.replace(b"()", b"")
        if reduced == brackets:
            break
        brackets = reduced
    else:
        return b"(" in brackets
    return brackets.count(b"(") > limit


def _int64(digits: str) -> int:
    if len(digits.lstrip("-")) > _INT_DIGITS:
        raise UnsafeInput("integer_out_of_range", "body")
    value = int(digits)
    if not INT64_MIN <= value <= INT64_MAX:
        raise UnsafeInput("integer_out_of_range", "body")
    return value


def _first_control(value: Any, path: str) -> str | None:
    """The path of the first string (or key) holding a control character (depth already bounded)."""
    if isinstance(value, str):
        return path if has_control_characters(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if has_control_characters(str(key)):
                return path or "body"
            found = _first_control(item, where)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_control(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None


def check_json(body: bytes) -> None:
    """Raise :class:`UnsafeInput` for JSON nested too deep, an integer beyond int64 or a control
    character; JSON that does not parse is left for the route to refuse as usual."""
    if json_depth_exceeds(body):
        raise UnsafeInput("json_too_deep", "body", {"max": MAX_JSON_DEPTH})
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return
    try:
        value = json.loads(text, parse_int=_int64)
    except ValueError:
        return
    field = _first_control(value, "")
    if field is not None:
        raise UnsafeInput("control_characters", field or "body")


def check_form(body: bytes) -> None:
    for key, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="utf-8"):
        if has_control_characters(key) or has_control_characters(value):
            raise UnsafeInput("control_characters", key if not has_control_characters(key) else "body")


def check_target(scope: Scope) -> None:
    """The path and the query string."""
    if has_control_characters(scope.get("path", "")):
        raise UnsafeInput("control_characters", "path")
    query = scope.get("query_string", b"").decode("latin-1")
    for key, value in parse_qsl(query, keep_blank_values=True, encoding="utf-8"):
        if has_control_characters(key) or has_control_characters(value):
            raise UnsafeInput("control_characters", key if not has_control_characters(key) else "query")


def _media_type(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            media_type: str = value.decode("latin-1").split(";", 1)[0].strip().lower()
            return media_type
    return ""


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _is_json(media_type: str) -> bool:
    # What FastAPI reads as JSON: no content type at all, application/json and application/*+json.
    return not media_type or media_type == "application/json" or media_type.endswith("+json")


def policy_upload_limit(container: Container) -> UploadLimit:
    """A multipart body may carry as many files as the largest upload route takes, each at most the
    policy's ``document_max_bytes``, or one video message of ``voicemail_max_bytes`` (each route still
    checks its own count and sizes)."""

    async def limit(scope: Scope) -> int:
        _, pol = await container.policy.get()
        documents = max(MAX_PHOTOS, MAX_EVIDENCE_FILES) * pol.document_max_bytes
        return max(documents, pol.voicemail_max_bytes) + MULTIPART_OVERHEAD

    return limit


# -- the middleware --------------------------------------------------------------------------------------
class Guard:
    """Pure ASGI (a ``BaseHTTPMiddleware`` would buffer the body it is meant to count)."""

    def __init__(self, app: ASGIApp, *, upload_limit: UploadLimit, body_limit: int = BODY_LIMIT) -> None:
        self.app = app
        self.upload_limit = upload_limit
        self.body_limit = body_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            check_target(scope)
            media_type = _media_type(scope)
            limit = await self.upload_limit(scope) if media_type == "multipart/form-data" else self.body_limit
            declared = _content_length(scope)
            if declared is not None and declared > limit:
                raise PayloadTooLarge(params={"max_mb": _mb(limit)})
            if _is_json(media_type) or media_type == "application/x-www-form-urlencoded":
                body = await _read(receive, limit)
                if body and _is_json(media_type):
                    check_json(body)
                elif body:
                    check_form(body)
                await self.app(scope, _replay(body, receive), send)
                return
        except DomainError as exc:
            await _refuse(scope, send, exc)
            return
        except _Gone:
            return
        await self._stream(scope, receive, send, limit)

    async def _stream(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Pass the body through as it arrives, counting; past ``limit`` the app's reading fails and
        whatever it answers is replaced by the 413."""
        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise _TooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _TooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's answer to a body it could not read: the 413 goes out instead
            started = True
            await send(message)

        with contextlib.suppress(_TooLarge):
            await self.app(scope, counting_receive, guarded_send)
        if exceeded and not started:
            await _refuse(scope, send, PayloadTooLarge(params={"max_mb": _mb(limit)}))


def _mb(limit: int) -> float:
    return round(limit / 1e6, 1)  # MB as in the upload messages (upload_too_large)


async def _read(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Gone()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(params={"max_mb": _mb(limit)})
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _refuse(scope: Scope, send: Send, exc: DomainError) -> None:
    request = Request(scope)
    response = await domain_error_handler(request, exc)
    if isinstance(exc, PayloadTooLarge):
        response.headers["Connection"] = "close"  # the rest of the body is not read
    await response(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}

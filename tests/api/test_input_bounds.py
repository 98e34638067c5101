"""Issue 12 / R-54: hostile input at the edge gets a clear 4xx (problem JSON, zh-CN and English),
never a 500 or a stall — and nothing is written.  The attacks are sent at the size that hurt, through
the public routes, on SQLite and on PostgreSQL (the fixtures are parametrised)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.api.conftest import Session, client_for, register_and_login, staff_login
from tests.api.test_signaling_ws import subscriber as ws_subscriber
from tests.factories import person
from tests.support.files import JPEG, PDF, PNG
from tests.support.live import Device, serve
from videophone.adapters.db.models import Base, IdentityDocument
from videophone.bootstrap import Container
from videophone.edge.guard import BODY_LIMIT, MAX_JSON_DEPTH, MULTIPART_OVERHEAD
from videophone.web.app import create_app

BIG = 2**64  # 18446744073709551616: past every BIGINT column
INT64_MAX = 2**63 - 1
MB = 1024 * 1024


async def row_counts(container: Container) -> dict[str, int]:
    async with container.deps.uow() as uow:
        return {
            t.name: int(await uow.session.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables
        }


def problem(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert body["code"] == code and body["status"] == status and body["message"] and body["title"]
    return body


async def subscriber_with_documents_requested(app: FastAPI, container: Container) -> Session:
    sub = await register_and_login(app)
    reviewer = await staff_login(app, container, "reviewer")
    sid = (await sub.get("/api/v1/me")).json()["id"]
    r = await reviewer.request(
        "POST",
        f"/api/v1/console/subscribers/{sid}/review",
        json={"action": "request_documents", "reason": "请上传身份证正反面"},
    )
    assert r.status_code == 200, r.text
    return sub


# -- control characters ------------------------------------------------------------------------------------
NUL_ATTACKS: list[tuple[str, str, dict[str, Any], str]] = [
    ("POST", "/api/v1/auth/login", {"json": {"login": "a\u0000b", "password": "x"}}, "login"),
    ("POST", "/api/v1/auth/login", {"json": {"login": "13800000000", "password": "pass\u0000word"}}, "password"),
    ("POST", "/api/v1/console/auth/login", {"json": {"username": "ad\u0000min", "password": "x"}}, "username"),
    ("POST", "/api/v1/auth/password-reset", {"json": {"login": "a\u0000b@example.com"}}, "login"),
    (
        "POST",
        "/api/v1/auth/password-reset/confirm",
        {"json": {"token": "t\u0000", "new_password": "Another-Passw0rd!"}},
        "token",
    ),
    ("POST", "/api/v1/subscribers", {"json": person(name="张\u001b三")}, "name"),  # ESC
    ("POST", "/api/v1/subscribers", {"json": person(address="北京市\u007f朝阳区")}, "address"),  # DEL
    ("POST", "/api/v1/payments/gateway/notify", {"data": {"out_trade_no": "VP\u00001", "sign": "x"}}, "out_trade_no"),
    ("GET", "/api/v1/prices?plan=a%00b", {}, "plan"),
    ("GET", "/api/v1/me/payments/pi%00x", {}, "path"),
    ("GET", "/api/v1/agreement%01", {}, "path"),
]


@pytest.mark.parametrize(("method", "url", "kwargs", "field"), NUL_ATTACKS)
async def test_control_characters_are_refused_with_422(
    client: httpx.AsyncClient, container: Container, method: str, url: str, kwargs: dict[str, Any], field: str
) -> None:
    before = await row_counts(container)
    r = await client.request(method, url, **kwargs)
    body = problem(r, 422, "control_characters")
    assert body["field"] == field and body["errors"][0]["code"] == "control_characters"
    assert "控制字符" in body["message"]  # zh-CN by default
    assert await row_counts(container) == before


async def test_control_character_messages_in_english_and_tabs_still_allowed(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/v1/auth/login", json={"login": "a\u0000b", "password": "x"}, headers={"Accept-Language": "en"}
    )
    assert "control characters" in problem(r, 422, "control_characters")["message"]
    # Tab, line feed and carriage return are text: an ordinary wrong login, not a refusal at the edge.
    r = await client.post("/api/v1/auth/login", json={"login": "a\tb\r\nc", "password": "x"})
    assert r.status_code == 401 and r.json()["code"] == "login_failed"


async def test_control_characters_in_multipart_fields_and_file_names(app: FastAPI, container: Container) -> None:
    sub = await subscriber_with_documents_requested(app, container)
    admin = await staff_login(app, container, "administrator")
    sid = (await sub.get("/api/v1/me")).json()["id"]
    before = await row_counts(container)
    r = await admin.request(
        "POST",
        "/api/v1/console/violations",
        data={"subscriber_id": str(sid), "action": "warning", "reason": "骚扰\u0000电话"},
        files=[("files", ("shot.png", PNG, "image/png"))],  # multipart: the route's own form check
    )
    body = problem(r, 422, "control_characters")
    assert body["errors"] == [
        {"field": "reason", "code": "control_characters", "message": body["errors"][0]["message"]}
    ]
    raw = (  # by hand: httpx would percent-encode the NUL in the file name
        b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="id\x00.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + PNG + b"\r\n--xyz--\r\n"
    )
    r = await sub.request(
        "POST", "/api/v1/me/documents", content=raw, headers={"Content-Type": "multipart/form-data; boundary=xyz"}
    )
    assert problem(r, 422, "control_characters")["errors"][0]["field"] == "file"
    assert await row_counts(container) == before


# -- JSON nesting ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("content_type", ["application/json", None])
async def test_deeply_nested_json_to_the_gateway_notification(
    client: httpx.AsyncClient, container: Container, content_type: str | None
) -> None:
    before = await row_counts(container)
    headers = {"Content-Type": content_type} if content_type else {}
    r = await client.post("/api/v1/payments/gateway/notify", content=b"[" * 16384, headers=headers)
    body = problem(r, 422, "json_too_deep")
    assert body["params"] == {"max": MAX_JSON_DEPTH}
    assert await row_counts(container) == before


async def test_json_depth_limit_is_exact(client: httpx.AsyncClient) -> None:
    deep = {"login": "x", "password": "x", "label": "[" * 200}  # brackets inside strings do not count
    at_limit: Any = "x"
    for _ in range(MAX_JSON_DEPTH - 1):  # + the body object itself = MAX_JSON_DEPTH levels
        at_limit = [at_limit]
    r = await client.post("/api/v1/auth/login", json={**deep, "kind": at_limit})
    assert r.status_code == 422 and r.json()["code"] == "validation_failed"  # an ordinary wrong type
    r = await client.post("/api/v1/auth/login", json={**deep, "kind": [at_limit]})
    problem(r, 422, "json_too_deep")
    r = await client.post("/api/v1/auth/login", json=deep)
    assert r.status_code == 401


async def test_oversized_json_is_refused_with_413(client: httpx.AsyncClient, container: Container) -> None:
    before = await row_counts(container)
    r = await client.post("/api/v1/auth/login", json={"login": "x" * BODY_LIMIT, "password": "x"})
    body = problem(r, 413, "body_too_large")
    assert body["params"] == {"max_mb": 1.0}
    assert await row_counts(container) == before


# -- integers past int64 -----------------------------------------------------------------------------------
async def test_ids_and_offsets_past_int64(app: FastAPI, container: Container) -> None:
    sub = await register_and_login(app)
    for url in (
        f"/api/v1/me/bills/{BIG}",
        f"/api/v1/me/bills/{INT64_MAX + 1}",
        f"/api/v1/me/orders/{BIG}.pdf",
        f"/api/v1/me/calls?offset={BIG}",
        f"/api/v1/me/notifications?before_id={BIG}",
        f"/api/v1/me/account-history?before_id={BIG}",
        "/api/v1/me/bills/0",
    ):
        body = problem(await sub.get(url), 422, "validation_failed")
        assert body["field"] in ("bill_id", "order_id", "offset", "before_id"), body
    r = await sub.get(f"/api/v1/me/bills/{INT64_MAX}")
    assert r.status_code == 404
    r = await sub.get(f"/api/v1/me/calls?offset={INT64_MAX}")
    assert r.status_code == 200 and r.json()["items"] == []


async def test_every_integer_path_parameter_refuses_2_64(app: FastAPI, container: Container) -> None:
    """Walks the OpenAPI document: each operation with an integer in its path, sent 2**64 by a caller
    allowed to use it, answers 422 naming that parameter (31 operations gave 500 before)."""
    sub = await register_and_login(app)
    admin = await staff_login(app, container, "administrator")
    tried = 0
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            params = [p for p in operation.get("parameters", []) if p["in"] == "path"]
            ints = [p["name"] for p in params if p["schema"].get("type") == "integer"]
            if not ints:
                continue
            url = path
            for p in params:
                url = url.replace("{" + p["name"] + "}", str(BIG) if p["name"] in ints else "x")
            session = admin if path.startswith("/api/v1/console") else sub
            kwargs: dict[str, Any] = {} if method == "get" else {"json": {}}
            r = await session.request(method.upper(), url, **kwargs)
            assert r.status_code == 422, (method, url, r.status_code, r.text)
            assert {e["field"] for e in r.json()["errors"]} & set(ints), (method, url, r.text)
            tried += 1
    assert tried >= 40


@pytest.mark.parametrize(
    ("method", "url", "payload"),
    [
        ("POST", "/api/v1/me/disputes", {"bill_id": BIG, "reason": "计费有误"}),
        ("POST", "/api/v1/me/disputes", {"bill_id": -(2**63) - 1, "reason": "计费有误"}),
        ("POST", "/api/v1/me/payments", {"amount_yuan": "1", "bill_id": BIG}),
        ("POST", "/api/v1/me/notifications/read", {"up_to_id": BIG}),
        ("PUT", "/api/v1/me/credit-limit", {"limit_yuan": BIG}),
        ("POST", "/api/v1/me/announcements/read", {"ids": [1, [2, {"deep": BIG}]]}),
    ],
)
async def test_json_integers_past_int64_anywhere_in_a_body(
    app: FastAPI, container: Container, method: str, url: str, payload: dict[str, Any]
) -> None:
    sub = await register_and_login(app)
    before = await row_counts(container)
    problem(await sub.request(method, url, json=payload), 422, "integer_out_of_range")
    assert await row_counts(container) == before


async def test_integer_body_fields_are_bounded(app: FastAPI, container: Container) -> None:
    """Inside int64 but out of a column's range, or a float standing for a huge integer: the model's
    bounds answer (documented in the OpenAPI schema)."""
    sub = await register_and_login(app)
    for payload in ({"bill_id": 1e30, "reason": "计费有误"}, {"bill_id": 0, "reason": "计费有误"}):
        body = problem(await sub.request("POST", "/api/v1/me/disputes", json=payload), 422, "validation_failed")
        assert body["field"] == "bill_id"
    r = await client_for(app).post("/api/v1/subscribers", json=person(agreement_version=INT64_MAX))
    assert problem(r, 422, "validation_failed")["field"] == "agreement_version"


def test_openapi_documents_a_maximum_for_every_integer_parameter(app: FastAPI) -> None:
    seen = set()
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            for p in operation.get("parameters", []):
                schema = p["schema"]
                variants = schema.get("anyOf", [schema])
                integers = [v for v in variants if v.get("type") == "integer"]
                if not integers:
                    continue
                seen.add(p["name"])
                for v in integers:
                    assert "maximum" in v and "minimum" in v, (method, path, p["name"], schema)
                    if re.search(r"(_id|^id|offset)$", p["name"]):
                        assert v["maximum"] <= INT64_MAX, (method, path, p["name"])
    assert {"bill_id", "subscriber_id", "offset", "before_id", "limit"} <= seen


# -- uploads -----------------------------------------------------------------------------------------------
class Stream:
    """A request body of ``total`` bytes produced on demand, counting what the server pulled."""

    def __init__(self, total: int, chunk: int = MB) -> None:
        self.total, self.chunk, self.sent = total, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        boundary_head = (
            b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="id.png"\r\n'
            b"Content-Type: image/png\r\n\r\n"
        )
        self.sent += len(boundary_head)
        yield boundary_head
        while self.sent < self.total:
            self.sent += self.chunk
            yield b"\x89PNG\r\n\x1a\n" + b"\0" * (self.chunk - 8)
        yield b"\r\n--xyz--\r\n"


async def test_a_300_mb_upload_is_refused_while_it_streams(app: FastAPI, container: Container) -> None:
    sub = await subscriber_with_documents_requested(app, container)
    _, pol = await container.policy.get()
    limit = 5 * pol.document_max_bytes + MULTIPART_OVERHEAD
    before = await row_counts(container)
    body = Stream(300 * 1000 * 1000)
    r = await sub.request(
        "POST",
        "/api/v1/me/documents",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
    )
    problem(r, 413, "body_too_large")
    # The server stopped reading at the limit: the client was never asked for the rest.
    assert body.sent <= limit + 2 * MB, (body.sent, limit)
    assert body.sent < 300 * 1000 * 1000 // 5
    assert await row_counts(container) == before


async def test_a_declared_length_past_the_limit_is_refused_before_reading(app: FastAPI) -> None:
    pulled = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * MB, "more_body": True}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/me/documents",
        "raw_path": b"/api/v1/me/documents",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"multipart/form-data; boundary=xyz"),
            (b"content-length", str(300 * 1000 * 1000).encode()),
        ],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
        "state": {},
    }
    await app(scope, receive, send)
    assert sent[0]["status"] == 413 and pulled == 0


async def test_a_png_header_followed_by_html_is_refused(app: FastAPI, container: Container) -> None:
    sub = await subscriber_with_documents_requested(app, container)
    fake = b"\x89PNG\r\n\x1a\n<html><body><script>alert(document.cookie)</script></body></html>"
    for name, content, content_type, code in (
        ("id.png", fake, "image/png", "image_invalid"),
        ("id.jpg", b"\xff\xd8\xff\xe0<html>not a jpeg</html>", "image/jpeg", "image_invalid"),
        ("id.png", PNG[: len(PNG) // 2], "image/png", "image_invalid"),  # truncated
        ("id.pdf", b"%PDF-1.4\n<html>not a pdf</html>", "application/pdf", "pdf_invalid"),
    ):
        r = await sub.request("POST", "/api/v1/me/documents", files={"file": (name, content, content_type)})
        body = problem(r, 422, "validation_failed")
        assert body["errors"][0]["code"] == code, body
    async with container.deps.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(IdentityDocument)) == 0
    # The same check where staff attach evidence to a violation (services/violations.py).
    admin = await staff_login(app, container, "administrator")
    sid = (await sub.get("/api/v1/me")).json()["id"]
    before = await row_counts(container)
    r = await admin.request(
        "POST",
        "/api/v1/console/violations",
        data={"subscriber_id": str(sid), "action": "warning", "reason": "骚扰电话，多次被举报"},
        files=[("files", ("shot.png", fake, "image/png"))],
    )
    assert problem(r, 422, "validation_failed")["errors"][0]["code"] == "image_invalid"
    assert await row_counts(container) == before


async def test_real_images_and_pdfs_are_accepted(app: FastAPI, container: Container) -> None:
    sub = await subscriber_with_documents_requested(app, container)
    for name, content, content_type in (("id.png", PNG, "image/png"), ("id.jpg", JPEG, ""), ("id.pdf", PDF, "")):
        r = await sub.request("POST", "/api/v1/me/documents", files={"file": (name, content, content_type)})
        assert r.status_code == 201, r.text
        assert r.json()["size"] == len(content)
    assert len((await sub.get("/api/v1/me/documents")).json()) == 3


# -- the signaling WebSocket -------------------------------------------------------------------------------
async def test_a_deeply_nested_frame_is_bad_json_and_the_socket_keeps_working(container: Container) -> None:
    """docs/signaling.md: an error never ends the connection.  16 KB of ``[`` used to drop it without a
    close frame (RecursionError in the parser)."""
    a = await ws_subscriber(container)
    async with serve(create_app(container, manage_lifecycle=False)) as host:
        device = await Device.open(host, a.token, "edge-dev-1")
        for frame in ("[" * 16384, '{"type":"ping","ref":' + "[" * 5000 + "]" * 5000 + "}"):
            await device.send(frame)
            error = await device.expect("error")
            assert error["code"] == "bad_json" and error["message"]
        await device.send({"type": "ping"})
        assert (await device.expect("pong"))["type"] == "pong"  # the same connection answers
        await device.close()

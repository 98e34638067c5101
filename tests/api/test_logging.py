"""Issue 12, items 1 and 2: an unhandled error is one bounded log line, written in milliseconds, with no
secret and no bearer token in it; the caller gets the request id to quote to support."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
import uvicorn
from fastapi import FastAPI

from tests.conftest import FAST_HASHER, TEST_KEY, _empty_tables
from tests.factories import PASSWORD, person
from tests.support.server import free_port
from videophone.adapters import logs
from videophone.adapters.clock import FakeClock
from videophone.adapters.mail import MemoryMailer
from videophone.bootstrap import Container, build
from videophone.config import Settings
from videophone.web.app import create_app

SECRETS = {
    "secret_key": "known-secret-key-0123456789abcdef0123",
    "smtp_password": "known-smtp-password-42",
    "gateway_secret": "known-gateway-secret-0123456789abcdef",
    "turn_secret": "known-turn-secret-77",
    "sms_token": "known-sms-token-99",
    "metrics_token": "known-metrics-token-0123456789abcdef",
}


@pytest.fixture
async def secret_container(database_url: str, tmp_path: Path) -> AsyncIterator[Container]:
    """The usual test container, with known values in every secret setting."""
    await _empty_tables(database_url)
    settings = Settings(demo=True, database_url=database_url, data_key=TEST_KEY, data_dir=tmp_path, **SECRETS)
    c = build(settings, clock=FakeClock(), hasher=FAST_HASHER, mailer=MemoryMailer())
    await c.ensure_reference_data()
    try:
        yield c
    finally:
        await c.close()


def reset_logging() -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == "videophone":
            root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    structlog.reset_defaults()


@pytest.fixture(params=[True, False], ids=["json", "text"])
def log_stream(request: pytest.FixtureRequest, secret_container: Container) -> Iterator[io.StringIO]:
    stream = io.StringIO()
    secret_container.settings.log_json = request.param
    logs.configure(secret_container.settings, stream)
    yield stream
    reset_logging()


def client(app: FastAPI) -> httpx.AsyncClient:
    # The app re-raises an unhandled error to the server after answering (so a server can log it):
    # like a server, the transport answers the 500 instead of raising it into the test.
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://testserver"
    )


async def api_token(app: FastAPI) -> str:
    async with client(app) as c:
        data = person()
        assert (await c.post("/api/v1/subscribers", json=data)).status_code == 201
        r = await c.post("/api/v1/auth/login", json={"login": data["email"], "password": PASSWORD, "kind": "api"})
        assert r.status_code == 200, r.text
        return str(r.json()["token"])


def poison(container: Container, bearer: str, depth: int = 60) -> None:
    """``GET /api/v1/me`` fails deep inside the service, with the secrets and the caller's token held
    in local variables of every frame and quoted in the exception's message."""
    settings = container.settings

    def descend(level: int, smtp_password: str, gateway_secret: str, authorization: str, cfg: Settings) -> None:
        if level == 0:
            raise RuntimeError(f"mail relay refused {smtp_password!r}; caller sent {authorization}")
        descend(level - 1, smtp_password, gateway_secret, authorization, cfg)

    async def account(subscriber_id: int) -> Any:
        turn_secret, sms_token, secret_key = settings.turn_secret, settings.sms_token, settings.secret_key
        assert turn_secret and sms_token and secret_key
        descend(depth, settings.smtp_password, settings.effective_gateway_secret(), f"Bearer {bearer}", settings)

    container.subscribers.account = account  # type: ignore[method-assign]


def error_lines(stream: io.StringIO) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if "unhandled error" in line]


async def test_an_unhandled_error_is_one_bounded_line_without_secrets_written_at_once(
    secret_container: Container, log_stream: io.StringIO
) -> None:
    app = create_app(secret_container, manage_lifecycle=False)
    token = await api_token(app)
    poison(secret_container, token)
    async with client(app) as c:
        c.cookies.set("vp_session", token)
        started = time.perf_counter()
        r = await c.get(
            "/api/v1/me?access_token=" + token,
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "support-ticket-4711"},
        )
        elapsed = time.perf_counter() - started
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "internal_error"
    assert r.json()["request_id"] == r.headers["x-request-id"] == "support-ticket-4711"
    # Before issue 12, rendering the locals of deep frames made errors cost seconds each (five at once
    # held the node for 50 s); a loaded CI machine has taken a second for this request itself (a 0.5 s
    # bound failed once on PostgreSQL), so the bound tells the two apart without timing the machine.
    assert elapsed < 3.0, f"the 500 took {elapsed:.3f} s"

    text = log_stream.getvalue()
    for name, value in SECRETS.items():
        assert value not in text, name
    assert secret_container.settings.effective_gateway_secret() not in text
    assert token not in text
    (line,) = error_lines(log_stream)
    assert len(line.encode()) < 16_000
    assert "support-ticket-4711" in line and "/api/v1/me" in line and "RuntimeError" in line
    assert "access_token" not in line  # no query string
    if secret_container.settings.log_json:
        record = json.loads(line)
        assert record["level"] == "error"
        assert (record["request_id"], record["method"], record["route"]) == ("support-ticket-4711", "GET", "/api/v1/me")
        assert record["exception"]["type"] == "RuntimeError"
        assert record["exception"]["message"] == "mail relay refused '[redacted]'; caller sent Bearer [redacted]"
        assert len(record["exception"]["frames"]) == logs.MAX_FRAMES
    else:
        with pytest.raises(json.JSONDecodeError):
            json.loads(line)


@pytest.mark.parametrize("sent", ["", "bad id with spaces", "x" * 300, "ok\u00e9"])
async def test_a_request_id_is_generated_when_missing_or_malformed(
    secret_container: Container, log_stream: io.StringIO, sent: str
) -> None:
    app = create_app(secret_container, manage_lifecycle=False)
    async with client(app) as c:
        headers: dict[str, Any] = {"X-Request-ID": sent.encode()} if sent else {}
        ok = await c.get("/api/v1/health", headers=headers)
        poison(secret_container, "no-token")
        token = await api_token(app)
        failed = await c.get("/api/v1/me", headers={**headers, "Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and failed.status_code == 500
    for r in (ok, failed):
        assert r.headers["x-request-id"] != sent and len(r.headers["x-request-id"]) == 32
    assert failed.json()["request_id"] == failed.headers["x-request-id"]
    (line,) = error_lines(log_stream)
    assert failed.headers["x-request-id"] in line


async def test_the_request_context_is_in_every_record_of_the_request_and_cleared_after(
    secret_container: Container, log_stream: io.StringIO
) -> None:
    app = create_app(secret_container, manage_lifecycle=False)
    seen: list[dict[str, Any]] = []

    async def account(subscriber_id: int) -> Any:
        structlog.get_logger("videophone.test").info("inside")
        seen.append(structlog.contextvars.get_contextvars())
        raise LookupError("gone")

    token = await api_token(app)
    secret_container.subscribers.account = account  # type: ignore[method-assign]
    async with client(app) as c:
        r = await c.get("/api/v1/me", headers={"Authorization": f"Bearer {token}", "X-Request-ID": "rid-1"})
    assert r.status_code == 500
    assert seen[0]["request_id"] == "rid-1"
    assert structlog.contextvars.get_contextvars() == {}
    inside = next(line for line in log_stream.getvalue().splitlines() if "inside" in line)
    assert "rid-1" in inside and "/api/v1/me" in inside


async def test_uvicorn_access_and_error_records_go_through_the_pipeline(
    secret_container: Container, log_stream: io.StringIO
) -> None:
    """A real uvicorn (as ``videophone serve`` runs it: its own logging config off): its access lines
    carry no query string, and an error the app logged is not logged again by the server."""
    app = create_app(secret_container, manage_lifecycle=False)
    token = await api_token(app)
    poison(secret_container, token)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, log_level="info", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.02)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as c:
            ok = await c.get(f"/api/v1/health?token={token}")
            failed = await c.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)
        for name in ("uvicorn.error", "uvicorn.access", "uvicorn.asgi"):
            logging.getLogger(name).setLevel(logging.NOTSET)
    assert ok.status_code == 200 and failed.status_code == 500
    text = log_stream.getvalue()
    assert token not in text
    access = [line for line in text.splitlines() if "uvicorn.access" in line]
    assert any("GET /api/v1/health HTTP/1.1" in line for line in access), text
    assert len(error_lines(log_stream)) == 1
    assert "Exception in ASGI application" not in text
    if secret_container.settings.log_json:
        assert all(json.loads(line) for line in text.splitlines())

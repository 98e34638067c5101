"""Issue 12, items 1 and 2, against a real ``videophone serve``: five unhandled errors at once must not
hold ``/api/v1/health`` back by more than 100 ms (they once cost 5–9 s of CPU each on the event loop,
rendering every local variable of every frame), and the server's log must hold one bounded line per
error with none of the process's secrets nor the caller's bearer token."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import RunningApp, start_app

REPO = Path(__file__).resolve().parents[2]
SECRETS = {
    "VIDEOPHONE_SECRET_KEY": "serve-secret-key-0123456789abcdef012345",
    "VIDEOPHONE_SMTP_PASSWORD": "serve-smtp-password-31337",
    "VIDEOPHONE_GATEWAY_SECRET": "serve-gateway-secret-0123456789abcdef01",
    "VIDEOPHONE_TURN_SECRET": "serve-turn-secret-2718",
    "VIDEOPHONE_SMS_TOKEN": "serve-sms-token-1618",
}
BEARER = "caller-bearer-token-5f3c9a7e1d2b4c6a8e0f"
BURST = 5
ROUNDS = 9
WARM_UP = 3
MAX_ADDED_DELAY = 0.100


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    workdir = tmp_path_factory.mktemp("poisoned")
    env = {
        **SECRETS,
        "VIDEOPHONE_DEMO": "true",  # no demo data, but its embedded database and key
        "VIDEOPHONE_LOG_JSON": "true",
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p),
    }
    app = start_app(workdir, demo=False, extra_env=env, command=[sys.executable, "-m", "tests.support.poisoned_serve"])
    try:
        yield app
    finally:
        app.stop()


async def _exchange(
    connection: tuple[asyncio.StreamReader, asyncio.StreamWriter], path: str, headers: dict[str, str]
) -> tuple[int, bytes]:
    """One request on an already open connection (``Connection: close``): status and body."""
    reader, writer = connection
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *(f"{k}: {v}" for k, v in headers.items())]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


async def _round(host: str, port: int, poisoned: int) -> tuple[float, list[tuple[int, bytes]]]:
    """Health's latency while ``poisoned`` unhandled errors are sent just before it.  The connections
    are opened first, so only the server's work is timed (one client thread, no request threads)."""
    connections = [await asyncio.open_connection(host, port) for _ in range(poisoned + 1)]
    caller = {"Authorization": f"Bearer {BEARER}", "Cookie": f"vp_session={BEARER}"}
    burst = [
        asyncio.create_task(_exchange(c, f"/api/v1/agreement?access_token={BEARER}", caller))
        for c in connections[:poisoned]
    ]
    await asyncio.sleep(0)  # the poisoned requests are on the wire first
    started = time.perf_counter()
    status, _ = await _exchange(connections[-1], "/api/v1/health", {})
    elapsed = time.perf_counter() - started
    assert status == 200
    return elapsed, [await task for task in burst]


async def test_five_concurrent_unhandled_errors_do_not_delay_health(server: RunningApp) -> None:
    host, port = server.base_url.removeprefix("http://").split(":")
    for _ in range(WARM_UP):
        await _round(host, int(port), BURST)
    idle: list[float] = []
    during: list[float] = []
    answers: list[tuple[int, bytes]] = []
    for _ in range(ROUNDS):  # interleaved, so that a busy machine weighs on both alike
        idle.append((await _round(host, int(port), 0))[0])
        elapsed, burst = await _round(host, int(port), BURST)
        during.append(elapsed)
        answers += burst

    added = statistics.median(during) - statistics.median(idle)
    assert added < MAX_ADDED_DELAY, (
        f"health took {statistics.median(during) * 1000:.1f} ms (median) during bursts of {BURST} unhandled "
        f"errors vs {statistics.median(idle) * 1000:.1f} ms idle"
    )
    bodies = [json.loads(body) for status, body in answers if status == 500]
    assert len(bodies) == BURST * ROUNDS, [status for status, _ in answers]
    assert all(body["code"] == "internal_error" and body["request_id"] for body in bodies)

    port = server.base_url.rsplit(":", 1)[1]
    log = (server.workdir / f"serve-{port}.log").read_text(encoding="utf-8")
    for name, value in SECRETS.items():
        assert value not in log, name
    assert BEARER not in log
    assert "Exception in ASGI application" not in log  # the server does not log the error again
    errors = [json.loads(line) for line in log.splitlines() if '"unhandled error"' in line]
    assert len(errors) == BURST * (WARM_UP + ROUNDS)
    assert {body["request_id"] for body in bodies} <= {e["request_id"] for e in errors}
    for line in log.splitlines():
        if '"unhandled error"' in line:
            assert len(line.encode()) < 16_000
    assert all(e["route"] == "/api/v1/agreement" and e["exception"]["type"] == "RuntimeError" for e in errors)

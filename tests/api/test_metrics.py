"""``GET /metrics`` (issue 17, docs/operations.md "Monitor"): off without a token, refused without the
right one; a real call over real WebSockets moves the call metrics; HTTP requests are counted by route
template; the outbox, bill-run and pool gauges are read at scrape time; job runs are counted."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text as sql

from tests.api.test_signaling_ws import ANSWER, invite, subscriber
from tests.support.live import Device, serve
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import BillRun, OutboxMessage
from videophone.adapters.db.pool_usage import PoolUsage, pool_usage
from videophone.bootstrap import Container
from videophone.config import Settings, SettingsError
from videophone.jobs.scheduler import Job, run_measured
from videophone.reporting.services import operations
from videophone.web.app import create_app

TOKEN = "metrics-token-0123456789abcdef0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def value(text: str, name: str, **labels: str) -> float:
    """The sample ``name`` with exactly ``labels`` in an exposition (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0


def names(text: str) -> set[str]:
    return {sample.name for family in text_string_to_metric_families(text) for sample in family.samples}


@pytest.fixture
def app(container: Container) -> FastAPI:
    container.settings.metrics_token = TOKEN
    return create_app(container, manage_lifecycle=False)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


async def scrape(client: httpx.AsyncClient) -> str:
    r = await client.get("/metrics", headers=AUTH)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert r.headers["cache-control"] == "no-store"
    return r.text


async def test_metrics_are_off_without_a_token_and_refused_without_the_right_one(
    container: Container, client: httpx.AsyncClient
) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}, {"Authorization": ""}):
        r = await client.get("/metrics", headers=headers)
        assert r.status_code == 401, headers
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert "videophone_" not in r.text
    r = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"})
    assert r.status_code == 401
    assert "videophone_http_requests_total" in await scrape(client)

    container.settings.metrics_token = ""  # off: as unknown as any other path, token or not
    for headers in ({}, AUTH):
        r = await client.get("/metrics", headers=headers)
        assert r.status_code == 404
        assert r.json()["code"] == "not_found"


async def test_an_http_request_is_counted_by_its_route_template(client: httpx.AsyncClient) -> None:
    template = "/api/v1/me/bills/{bill_id}"
    before = await scrape(client)
    for bill_id in (4711, 4712, 4713):
        assert (await client.get(f"/api/v1/me/bills/{bill_id}")).status_code == 401  # not signed in
    assert (await client.get("/no/such/page/8934")).status_code == 404
    after = await scrape(client)
    moved = value(after, "videophone_http_requests_total", route=template, method="GET", status="401") - value(
        before, "videophone_http_requests_total", route=template, method="GET", status="401"
    )
    assert moved == 3
    timed = value(after, "videophone_http_request_duration_seconds_count", route=template, method="GET") - value(
        before, "videophone_http_request_duration_seconds_count", route=template, method="GET"
    )
    assert timed == 3
    unmatched = value(after, "videophone_http_requests_total", route="unmatched", method="GET", status="404")
    assert unmatched - value(before, "videophone_http_requests_total", route="unmatched", method="GET", status="404")
    # Raw paths and ids never become labels (values may contain any digits: only the labels are read).
    labels = " ".join(re.findall(r"\{[^}]*\}", after))
    assert "4711" not in labels and "/no/such/page" not in labels
    # The scrapes themselves are counted under their own route.
    assert value(after, "videophone_http_requests_total", route="/metrics", method="GET", status="200") >= 1


async def test_a_real_call_moves_the_call_metrics(container: Container, clock: FakeClock) -> None:
    container.settings.metrics_token = TOKEN
    async with (
        serve(create_app(container, manage_lifecycle=False)) as host,
        httpx.AsyncClient(base_url=f"http://{host}", timeout=10) as http,
    ):

        async def scrape_live() -> str:
            r = await http.get("/metrics", headers=AUTH)
            assert r.status_code == 200, r.text
            return r.text

        a, b = await subscriber(container), await subscriber(container)
        before = await scrape_live()
        da = await Device.open(host, a.token, "phone-a-1")
        db = await Device.open(host, b.token, "phone-b-1")
        connected = await scrape_live()
        assert (
            value(connected, "videophone_websocket_connections") - value(before, "videophone_websocket_connections")
            == 2
        )
        assert value(connected, "videophone_connected_devices") == 2

        call_id = await invite(da, b.number)
        await db.expect("incoming")
        await da.expect("ringing")
        ringing = await scrape_live()
        handled = "videophone_invite_handling_seconds_count"
        assert value(ringing, handled) - value(before, handled) == 1
        assert value(ringing, "videophone_call_invites_total") - value(before, "videophone_call_invites_total") == 1
        assert value(ringing, "videophone_ringing_calls") == 1
        assert value(ringing, "videophone_active_calls") == 0

        clock.advance(timedelta(seconds=1.5))  # answered 1.5 s after the invite
        await db.send({"type": "accept", "call_id": call_id, "sdp": ANSWER})
        await da.expect("accepted")
        await db.expect("answered")
        talking = await scrape_live()
        assert value(talking, "videophone_call_setups_total") - value(before, "videophone_call_setups_total") == 1
        assert value(talking, "videophone_active_calls") == 1
        assert value(talking, "videophone_ringing_calls") == 0

        def bucket(text: str, le: str) -> float:
            return value(text, "videophone_call_setup_seconds_bucket", le=le)

        assert bucket(talking, "2.0") - bucket(before, "2.0") == 1  # within 2 s …
        assert bucket(talking, "1.0") - bucket(before, "1.0") == 0  # … not within 1 s
        total = value(talking, "videophone_call_setup_seconds_sum") - value(before, "videophone_call_setup_seconds_sum")
        assert total == pytest.approx(1.5)

        await da.send({"type": "hangup", "call_id": call_id})
        await da.expect("ended")
        await db.expect("ended")
        ended = await scrape_live()
        answered = "videophone_calls_ended_total"
        assert value(ended, answered, outcome="answered") - value(before, answered, outcome="answered") == 1
        assert value(ended, "videophone_active_calls") == 0

        await da.close()
        await db.close()
        for _ in range(100):  # the server sees the close a moment later
            gone = await scrape_live()
            if value(gone, "videophone_websocket_connections") == value(before, "videophone_websocket_connections"):
                break
            await asyncio.sleep(0.05)
        assert value(gone, "videophone_websocket_connections") == value(before, "videophone_websocket_connections")


async def test_the_outbox_bill_run_and_pool_gauges_are_read_at_scrape_time(
    container: Container, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    empty = await scrape(client)
    assert value(empty, "videophone_outbox_pending") == 0
    assert value(empty, "videophone_outbox_oldest_pending_age_seconds") == 0
    assert value(empty, "videophone_scrape_collector_up", collector="database") == 1
    assert {"videophone_db_pool_in_use", "videophone_db_pool_waiting", "videophone_db_pool_size"} <= names(empty)
    assert value(empty, "videophone_db_pool_size") >= 1
    assert value(empty, "videophone_db_pool_waiting") == 0

    now = clock.now()
    async with container.deps.uow() as uow:
        # (created seconds ago, state, next attempt in seconds: negative = due that long ago)
        for age, state, attempt in (
            (600, "pending", -240),
            (120, "pending", 3600),
            (900, "sent", 0),
            (30, "failed", 0),
        ):
            uow.session.add(
                OutboxMessage(
                    channel="email",
                    recipient="someone@example.com",
                    subject="s",
                    body="b",
                    state=state,
                    attempts=0,
                    next_attempt_at=now + timedelta(seconds=attempt),
                    last_error="",
                    created_at=now - timedelta(seconds=age),
                )
            )
        uow.session.add(
            BillRun(
                period="2026-10",
                started_at=now - timedelta(minutes=5),
                accounts=40,
                bills_created=25,
                state="running",
                heartbeat_at=now - timedelta(seconds=20),
            )
        )
        await uow.commit()
    full = await scrape(client)
    assert value(full, "videophone_outbox_pending") == 2
    assert value(full, "videophone_outbox_oldest_pending_age_seconds") == 600
    assert value(full, "videophone_outbox_failed") == 1
    assert value(full, "videophone_outbox_due") == 1  # the other waits for its retry
    assert value(full, "videophone_outbox_oldest_due_age_seconds") == 240
    assert value(full, "videophone_bill_run_running") == 1
    assert (value(full, "videophone_bill_run_accounts"), value(full, "videophone_bill_run_bills_created")) == (40, 25)
    assert value(full, "videophone_bill_run_heartbeat_age_seconds") == 20

    # A database that does not answer in time: the scrape goes on, the figures kept and marked stale.
    class StuckUnitOfWork:
        async def __aenter__(self) -> None:
            await asyncio.sleep(30)

        async def __aexit__(self, *exc: object) -> None:
            return None

    stuck = dataclasses.replace(container.deps, uow=lambda: StuckUnitOfWork())  # type: ignore[arg-type,return-value]
    started = asyncio.get_running_loop().time()
    assert await operations.refresh_database_figures(stuck, within=0.2) is False
    assert asyncio.get_running_loop().time() - started < 2
    assert REGISTRY.get_sample_value("videophone_scrape_collector_up", {"collector": "database"}) == 0
    assert REGISTRY.get_sample_value("videophone_outbox_pending") == 2  # the last values read
    again = await scrape(client)
    assert value(again, "videophone_scrape_collector_up", collector="database") == 1


async def test_job_runs_failures_and_durations_are_counted(container: Container) -> None:
    def sample(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    purge = Job("purge-expired-sessions", 3600, lambda c: c.auth.purge_expired())

    async def broken(c: Container) -> object:
        raise RuntimeError("the job's own failure")

    ok_before = sample("videophone_job_runs_total", job=purge.name, result="ok")
    await run_measured(purge, container)
    assert sample("videophone_job_runs_total", job=purge.name, result="ok") == ok_before + 1
    assert sample("videophone_job_duration_seconds_count", job=purge.name) >= 1
    assert sample("videophone_job_last_success_timestamp_seconds", job=purge.name) > 0

    failing = Job("metrics-test-broken", 60, broken)
    failed_before = sample("videophone_job_runs_total", job=failing.name, result="failed")
    for _ in range(2):
        with pytest.raises(RuntimeError):
            await run_measured(failing, container)
    assert sample("videophone_job_runs_total", job=failing.name, result="failed") == failed_before + 2
    assert sample("videophone_job_runs_total", job=failing.name, result="ok") == 0


def test_the_token_is_a_secret_and_must_be_strong_outside_demo_mode() -> None:
    base = {
        "demo": False,
        "secret_key": "s" * 40,
        "data_key": "k",
        "database_url": "postgresql://x@127.0.0.1/x",
        "gateway_secret": "g" * 40,
    }
    Settings(**base).check_secrets()  # metrics off: no token needed
    Settings(**base, metrics_token=TOKEN).check_secrets()
    with pytest.raises(SettingsError, match="VIDEOPHONE_METRICS_TOKEN"):
        Settings(**base, metrics_token="short").check_secrets()
    settings = Settings(**base, metrics_token=TOKEN)
    assert TOKEN not in repr(settings) and TOKEN in settings.secret_values()


async def test_the_pool_gauges_see_connections_in_use_and_tasks_waiting(container: Container) -> None:
    engine = container.engine
    pool = engine.sync_engine.pool
    capacity = pool.size() + max(0, getattr(pool, "_max_overflow", 0))
    release = asyncio.Event()
    holding = 0

    async def hold() -> None:
        nonlocal holding
        async with engine.connect() as conn:
            await conn.execute(sql("SELECT 1"))
            holding += 1
            await release.wait()

    tasks = [asyncio.create_task(hold()) for _ in range(capacity + 1)]
    try:
        for _ in range(200):
            if holding == capacity and pool_usage(engine).waiting == 1:
                break
            await asyncio.sleep(0.02)
        assert pool_usage(engine) == PoolUsage(in_use=capacity, waiting=1, size=pool.size())
    finally:
        release.set()
        await asyncio.gather(*tasks)
    assert pool_usage(engine).in_use == 0 and pool_usage(engine).waiting == 0

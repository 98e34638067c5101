"""Two `videophone serve` processes sharing PostgreSQL and Redis: a call between a subscriber on
each node, and a node that dies mid-call has its calls ended by the other (docs/signaling.md)."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as redis_asyncio

from tests.conftest import PG_URL, _create_pg_database, _drop_pg_database
from tests.factories import PASSWORD, person
from tests.support.live import Device
from tests.support.server import RunningApp, start_app

REDIS_URL = os.environ.get("VIDEOPHONE_TEST_REDIS_URL", "")
OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
ANSWER = "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


@pytest.fixture(scope="module")
def cluster_env() -> Iterator[dict[str, str]]:
    if not PG_URL or not REDIS_URL:
        pytest.skip("the cluster test needs VIDEOPHONE_TEST_POSTGRES_URL and VIDEOPHONE_TEST_REDIS_URL (CI sets both)")
    url = asyncio.run(_create_pg_database(PG_URL))

    async def flush() -> None:
        client = redis_asyncio.from_url(REDIS_URL)
        await client.flushdb()
        await client.aclose()

    asyncio.run(flush())
    yield {
        "VIDEOPHONE_DEMO": "false",
        "VIDEOPHONE_DATABASE_URL": url,
        "VIDEOPHONE_REDIS_URL": REDIS_URL,
        "VIDEOPHONE_SECRET_KEY": "cluster-test-secret-" + "x" * 32,
        "VIDEOPHONE_GATEWAY_SECRET": "cluster-gateway-secret-" + "x" * 32,
        "VIDEOPHONE_DATA_KEY": base64.b64encode(b"c" * 32).decode(),
        "VIDEOPHONE_NODE_STALE_SECONDS": "3",
        "VIDEOPHONE_SWEEP_SECONDS": "1",
    }
    asyncio.run(_drop_pg_database(PG_URL, url))


@pytest.fixture(scope="module")
def nodes(cluster_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[RunningApp]]:
    started: list[RunningApp] = []
    try:
        for name in ("node-one", "node-two"):
            workdir: Path = tmp_path_factory.mktemp(name)
            started.append(start_app(workdir, demo=False, extra_env={**cluster_env, "VIDEOPHONE_NODE_ID": name}))
        yield started
    finally:
        for node in started:
            node.stop()


async def subscriber_token(base_url: str) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        data = person()
        r = await client.post("/api/v1/subscribers", json=data)
        assert r.status_code == 201, r.text
        number = r.json()["number"]
        r = await client.post(
            "/api/v1/auth/login", json={"login": number, "password": PASSWORD, "kind": "api", "label": "cluster test"}
        )
        return number, r.json()["token"]


@pytest.fixture
async def pair(nodes: list[RunningApp]) -> AsyncIterator[tuple[Device, Device, str]]:
    one, two = (n.base_url.removeprefix("http://") for n in nodes)
    _, a_token = await subscriber_token(nodes[0].base_url)
    b_number, b_token = await subscriber_token(nodes[1].base_url)
    da = await Device.open(one, a_token, f"a-{uuid.uuid4().hex[:8]}")
    db = await Device.open(two, b_token, f"b-{uuid.uuid4().hex[:8]}")
    yield da, db, b_number
    for d in (da, db):
        await d.close()


async def test_a_call_between_subscribers_on_two_nodes(
    pair: tuple[Device, Device, str], nodes: list[RunningApp]
) -> None:
    da, db, b_number = pair
    call_id = str(uuid.uuid4())
    await da.send({"type": "invite", "call_id": call_id, "to": b_number, "sdp": OFFER})
    incoming = await db.expect("incoming", within=10)  # crossed nodes through Redis
    assert incoming["sdp"] == OFFER
    await da.expect("ringing")
    await da.send(
        {"type": "ice", "call_id": call_id, "candidate": {"candidate": "candidate:1 1 udp 9 127.0.0.1 9 typ host"}}
    )
    assert (await db.expect("ice"))["candidate"]["candidate"].startswith("candidate:1")
    await db.send({"type": "accept", "call_id": call_id, "sdp": ANSWER})
    assert (await da.expect("accepted"))["sdp"] == ANSWER
    await db.expect("answered")
    await db.send({"type": "ice", "call_id": call_id, "candidate": None})
    assert (await da.expect("ice"))["candidate"] is None
    await db.send({"type": "hangup", "call_id": call_id})
    for d in (da, db):
        ended = await d.expect("ended")
        assert (ended["reason"], ended["outcome"], ended["by"]) == ("hangup", "answered", "callee")


async def test_busy_and_unknown_numbers_across_nodes(pair: tuple[Device, Device, str], nodes: list[RunningApp]) -> None:
    da, db, b_number = pair
    call_id = str(uuid.uuid4())
    await da.send({"type": "invite", "call_id": call_id, "to": "95199999998", "sdp": OFFER})
    assert (await da.expect("ended"))["reason"] == "number_unknown"
    await da.send({"type": "invite", "call_id": str(uuid.uuid4()), "to": b_number, "sdp": OFFER})
    await db.expect("incoming", within=10)
    await db.send({"type": "reject", "call_id": (await da.expect("ringing"))["call_id"]})
    assert (await da.expect("ended"))["reason"] == "rejected"


async def test_a_dead_nodes_calls_go_on_on_the_other_and_end_once(nodes: list[RunningApp]) -> None:
    """Node one holds two answered calls and dies (SIGKILL).  Node two takes both over (ADR 0013): the
    call whose device comes back (to node two) goes on and ends by hang-up with its whole duration; the
    call whose device never comes back ends once, as a lost connection, after the grace period."""
    one, two = (n.base_url.removeprefix("http://") for n in nodes)
    calls = []
    answered_at: list[float] = []
    for _ in range(3):
        _, a_token = await subscriber_token(nodes[0].base_url)
        b_number, b_token = await subscriber_token(nodes[1].base_url)
        a_id = f"a-{uuid.uuid4().hex[:8]}"
        da = await Device.open(one, a_token, a_id)
        db = await Device.open(two, b_token, f"b-{uuid.uuid4().hex[:8]}")
        call_id = str(uuid.uuid4())
        await da.send({"type": "invite", "call_id": call_id, "to": b_number, "sdp": OFFER})
        await db.expect("incoming", within=10)
        await da.expect("ringing")
        await db.send({"type": "accept", "call_id": call_id, "sdp": ANSWER})
        await db.expect("answered")
        await da.expect("accepted")
        answered_at.append(time.monotonic())
        calls.append((call_id, da, db, a_token, a_id))
    answered = answered_at[0]
    nodes[0].process.send_signal(signal.SIGKILL)  # node one holds the calls and dies without a word
    nodes[0].process.wait(timeout=10)
    (back_id, _, back_b, back_token, back_device), (lost_id, _, lost_b, lost_token, _), third = calls
    # The third call's callee hangs up at once, while node one is dead and before node two's sweep took
    # the call over: node two kept the hang-up it forwarded and applies it at the takeover, as of when
    # it was sent — the call ends as a hang-up, billed to then, not after the grace period.
    hung_id, _, hung_b, hung_token, _ = third
    await hung_b.send({"type": "hangup", "call_id": hung_id})
    hung = time.monotonic()
    # The first caller's device reconnects through the load balancer: here, to node two.
    back = await Device.open(two, back_token, back_device)
    try:
        ended = await hung_b.recv(15)
        while ended["type"] in ("pong", "peer_reconnecting"):  # the takeover saw the caller's device gone
            ended = await hung_b.recv(15)
        assert (ended["call_id"], ended["reason"], ended["outcome"]) == (hung_id, "hangup", "answered"), ended
        record = await my_call(nodes[1].base_url, hung_token, hung_id)
        assert abs(record["billable_seconds"] - (hung - answered_at[2])) <= 2, (record, hung - answered_at[2])
        # The second call's callee hears its peer is away (taken over, the caller absent) …
        reconnecting = await lost_b.expect("peer_reconnecting", within=15)
        assert reconnecting["call_id"] == lost_id
        # … while the first goes on: its signaling works on node two (a relayed message, then the hang-up).
        await asyncio.sleep(1)
        await back.send({"type": "media", "call_id": back_id, "audio": True, "video": False})
        assert (await back_b.expect("media", within=10))["video"] is False
        await back.send({"type": "hangup", "call_id": back_id})
        talked = time.monotonic() - answered
        for device in (back, back_b):
            ended = await device.expect("ended", within=10)
            assert (ended["reason"], ended["outcome"]) == ("hangup", "answered")
        record = await my_call(nodes[1].base_url, back_token, back_id)
        assert record["outcome"] == "answered" and abs(record["billable_seconds"] - talked) <= 2, (record, talked)
        # The call whose caller never came back ends once, after the grace period (20 s by default).
        ended = await lost_b.expect("ended", within=40)
        assert (ended["call_id"], ended["reason"], ended["outcome"]) == (lost_id, "connection_lost", "answered")
        assert (await my_call(nodes[1].base_url, lost_token, lost_id))["end_reason"] == "connection_lost"
    finally:
        for device in (back, back_b, lost_b, hung_b):
            await device.close()


async def my_call(base_url: str, token: str, call_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        r = await client.get("/api/v1/me/calls?limit=20", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        found = [c for c in r.json()["items"] if c["id"] == call_id]
        assert found, r.json()
        return dict(found[0])

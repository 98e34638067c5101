"""One call per subscriber over the cluster (R-10, R-54): two `videophone serve` processes on
PostgreSQL and Redis, invites raced from both nodes at the same moment, round after round.

(a) One subscriber with a device on each node calls two different callees at once, and both callees
    answer at once: one call rings and is answered, the other is refused as "already in a call".
(b) Two callers, one on each node, call the same callee at once: the callee rings for one call, the
    other caller hears busy.
The call records agree: never two open records for one subscriber.
"""

from __future__ import annotations

import asyncio
import base64
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as redis_asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import PG_URL, _create_pg_database, _drop_pg_database
from tests.integration.test_cluster import ANSWER, OFFER, subscriber_token
from tests.support.live import Device
from tests.support.server import RunningApp, start_app
from videophone.adapters.db.engine import make_engine

REDIS_URL = os.environ.get("VIDEOPHONE_TEST_REDIS_URL", "")
ROUNDS = 10


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    if not PG_URL or not REDIS_URL:
        pytest.skip("the cluster test needs VIDEOPHONE_TEST_POSTGRES_URL and VIDEOPHONE_TEST_REDIS_URL (CI sets both)")
    url = asyncio.run(_create_pg_database(PG_URL))

    async def flush() -> None:
        client = redis_asyncio.from_url(REDIS_URL)
        await client.flushdb()
        await client.aclose()

    asyncio.run(flush())
    yield url
    asyncio.run(_drop_pg_database(PG_URL, url))


@pytest.fixture(scope="module")
def nodes(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[RunningApp]]:
    env = {
        "VIDEOPHONE_DEMO": "false",
        "VIDEOPHONE_DATABASE_URL": database,
        "VIDEOPHONE_REDIS_URL": REDIS_URL,
        "VIDEOPHONE_SECRET_KEY": "cluster-test-secret-" + "x" * 32,
        "VIDEOPHONE_GATEWAY_SECRET": "cluster-gateway-secret-" + "x" * 32,
        "VIDEOPHONE_DATA_KEY": base64.b64encode(b"c" * 32).decode(),
    }
    started: list[RunningApp] = []
    try:
        for name in ("lines-one", "lines-two"):
            workdir: Path = tmp_path_factory.mktemp(name)
            started.append(start_app(workdir, demo=False, extra_env={**env, "VIDEOPHONE_NODE_ID": name}))
        yield started
    finally:
        for node in started:
            node.stop()


@pytest.fixture
async def engine(database: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database)
    yield engine
    await engine.dispose()


@pytest.fixture
async def devices() -> AsyncIterator[list[Device]]:
    opened: list[Device] = []
    yield opened
    for device in opened:
        await device.close()


async def open_device(opened: list[Device], node: RunningApp, token: str) -> Device:
    device = await Device.open(node.base_url.removeprefix("http://"), token, f"d-{uuid.uuid4().hex[:8]}")
    opened.append(device)
    return device


async def next_for(device: Device, call_id: str, *kinds: str, within: float = 10.0) -> dict[str, Any]:
    """The next message about ``call_id``, which must be one of ``kinds`` (pongs are skipped)."""
    while True:
        message = await device.recv(within)
        if message["type"] == "pong":
            continue
        assert message["type"] in kinds and message.get("call_id") == call_id, (kinds, call_id, message)
        return message


async def nothing_more(*devices: Device) -> None:
    """No device has anything left to hear (a refused call rang nowhere)."""
    for device in devices:
        with pytest.raises(TimeoutError):
            while True:
                message = await device.recv(0.3)
                assert message["type"] == "pong", message


async def open_calls(engine: AsyncEngine, number: str) -> list[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT id FROM call_records WHERE ended_at IS NULL AND (caller_number = :n OR callee_number = :n)"),
            {"n": number},
        )
        return [row.id for row in rows]


async def overlapping_answered_calls(engine: AsyncEngine, number: str) -> int:
    """Pairs of this subscriber's answered calls whose times overlap."""
    async with engine.connect() as conn:
        return int(
            (
                await conn.execute(
                    text(
                        "SELECT count(*) FROM call_records a JOIN call_records b ON a.id < b.id"
                        " WHERE :n IN (a.caller_number, a.callee_number) AND :n IN (b.caller_number, b.callee_number)"
                        " AND a.answered_at IS NOT NULL AND b.answered_at IS NOT NULL"
                        " AND a.answered_at < coalesce(b.ended_at, now()) AND b.answered_at < coalesce(a.ended_at, now())"
                    ),
                    {"n": number},
                )
            ).scalar_one()
        )


async def test_one_subscriber_on_two_nodes_calling_two_callees_at_once_gets_one_call(
    nodes: list[RunningApp], engine: AsyncEngine, devices: list[Device]
) -> None:
    one, two = nodes
    s_number, s_token = await subscriber_token(one.base_url)
    x_number, x_token = await subscriber_token(one.base_url)
    y_number, y_token = await subscriber_token(two.base_url)
    s1, s2 = await open_device(devices, one, s_token), await open_device(devices, two, s_token)
    x = await open_device(devices, two, x_token)  # each call crosses the nodes
    y = await open_device(devices, one, y_token)
    legs = [(s1, x, x_number), (s2, y, y_number)]
    winners = set()
    for _ in range(ROUNDS):
        ids = [str(uuid.uuid4()), str(uuid.uuid4())]
        await asyncio.gather(
            *(
                caller.send({"type": "invite", "call_id": call_id, "to": to, "sdp": OFFER})
                for call_id, (caller, _, to) in zip(ids, legs, strict=True)
            )
        )
        first = await asyncio.gather(
            *(next_for(caller, call_id, "ringing", "ended") for call_id, (caller, _, _) in zip(ids, legs, strict=True))
        )
        rang = [i for i, message in enumerate(first) if message["type"] == "ringing"]
        # Both callees answer at once whatever rang for them.
        incoming = await asyncio.gather(*(next_for(legs[i][1], ids[i], "incoming") for i in rang))
        await asyncio.gather(
            *(
                legs[i][1].send({"type": "accept", "call_id": m["call_id"], "sdp": ANSWER})
                for i, m in zip(rang, incoming)
            )
        )
        accepted = await asyncio.gather(*(next_for(legs[i][0], ids[i], "accepted") for i in rang))
        live = await open_calls(engine, s_number)
        assert len(rang) == 1 and len(accepted) == 1, first
        assert live == [ids[rang[0]]]
        winner, loser = rang[0], 1 - rang[0]
        winners.add(winner)
        refusal = first[loser]
        assert (refusal["reason"], refusal["detail"]) == ("not_allowed", "in_call")
        await next_for(legs[winner][1], ids[winner], "answered")
        # The call goes on; then it ends and the subscriber is free for the next round.
        await legs[winner][0].send({"type": "hangup", "call_id": ids[winner]})
        for device in legs[winner][:2]:
            await next_for(device, ids[winner], "ended")
        await nothing_more(s1, s2, x, y)
    assert await open_calls(engine, s_number) == []
    assert await overlapping_answered_calls(engine, s_number) == 0


async def test_two_callers_on_two_nodes_calling_one_callee_at_once_one_rings(
    nodes: list[RunningApp], engine: AsyncEngine, devices: list[Device]
) -> None:
    one, two = nodes
    c_number, c_token = await subscriber_token(one.base_url)
    _, p_token = await subscriber_token(one.base_url)
    _, q_token = await subscriber_token(two.base_url)
    p, q = await open_device(devices, one, p_token), await open_device(devices, two, q_token)
    c1, c2 = await open_device(devices, one, c_token), await open_device(devices, two, c_token)
    callers = [p, q]
    for _ in range(ROUNDS):
        ids = [str(uuid.uuid4()), str(uuid.uuid4())]
        await asyncio.gather(
            *(
                caller.send({"type": "invite", "call_id": call_id, "to": c_number, "sdp": OFFER})
                for call_id, caller in zip(ids, callers, strict=True)
            )
        )
        first = await asyncio.gather(
            *(next_for(caller, call_id, "ringing", "ended") for call_id, caller in zip(ids, callers, strict=True))
        )
        rang = [i for i, message in enumerate(first) if message["type"] == "ringing"]
        assert len(rang) == 1, first
        winner, loser = rang[0], 1 - rang[0]
        assert first[loser]["reason"] == "busy"
        # Every device of the callee rings for the one call, and for nothing else.
        for device in (c1, c2):
            await next_for(device, ids[winner], "incoming")
        assert await open_calls(engine, c_number) == [ids[winner]]
        await callers[winner].send({"type": "cancel", "call_id": ids[winner]})
        for device in (callers[winner], c1, c2):
            await next_for(device, ids[winner], "ended")
        await nothing_more(p, q, c1, c2)
    assert await open_calls(engine, c_number) == []

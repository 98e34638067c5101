"""The Redis bus and presence against a real Redis (VIDEOPHONE_TEST_REDIS_URL; CI sets it)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis_asyncio

from videophone.adapters.bus import MemoryBus, RedisBus
from videophone.adapters.presence import MemoryPresence, RedisPresence
from videophone.adapters.redis_client import MAX_CONNECTIONS
from videophone.adapters.redis_client import redis_client as node_redis_client

REDIS_URL = os.environ.get("VIDEOPHONE_TEST_REDIS_URL", "")


@pytest.fixture
async def redis_client() -> AsyncIterator[redis_asyncio.Redis]:
    if not REDIS_URL:
        pytest.skip("Redis not configured: set VIDEOPHONE_TEST_REDIS_URL (CI sets it)")
    client = node_redis_client(REDIS_URL)
    yield client
    await client.aclose()


async def _round_trip(bus: RedisBus | MemoryBus) -> None:
    channel = f"vp:test:{uuid.uuid4().hex}"
    received: list[dict[str, object]] = []

    async def listen() -> None:
        async for message in bus.subscribe(channel):
            received.append(message)
            if len(received) == 3:
                return

    task = asyncio.create_task(listen())
    await asyncio.sleep(0.2)  # let the subscription start
    for i in range(3):
        await bus.publish(channel, {"n": i, "text": "你好"})
    await asyncio.wait_for(task, timeout=5)
    assert received == [{"n": 0, "text": "你好"}, {"n": 1, "text": "你好"}, {"n": 2, "text": "你好"}]


async def test_redis_bus_delivers_in_order(redis_client: redis_asyncio.Redis) -> None:
    await _round_trip(RedisBus(redis_client))


async def test_memory_bus_delivers_in_order() -> None:
    await _round_trip(MemoryBus())


@pytest.fixture(params=["memory", "redis"])
async def presence(request: pytest.FixtureRequest) -> AsyncIterator[RedisPresence | MemoryPresence]:
    if request.param == "memory":
        yield MemoryPresence()
        return
    if not REDIS_URL:
        pytest.skip("Redis not configured: set VIDEOPHONE_TEST_REDIS_URL (CI sets it)")
    client = node_redis_client(REDIS_URL)
    yield RedisPresence(client, prefix=f"vp:test:{uuid.uuid4().hex}:")
    await client.aclose()


async def test_presence(presence: RedisPresence | MemoryPresence) -> None:
    await presence.add(7, "phone", "node-a", ttl=60)
    await presence.add(7, "tablet", "node-b", ttl=60)
    assert await presence.devices(7) == {"phone": "node-a", "tablet": "node-b"}
    await presence.remove(7, "tablet", "node-a")  # only the node that holds the device may remove it
    assert await presence.devices(7) == {"phone": "node-a", "tablet": "node-b"}
    await presence.remove(7, "tablet", "node-b")
    assert await presence.devices(7) == {"phone": "node-a"}
    await presence.add(7, "old", "node-c", ttl=1)
    await asyncio.sleep(1.1)
    assert await presence.devices(7) == {"phone": "node-a"}  # expired entries disappear
    assert await presence.devices(8) == {}


async def test_a_burst_beyond_the_pool_waits_for_connections_instead_of_failing(
    redis_client: redis_asyncio.Redis,
) -> None:
    """Ten times more devices updating their presence at once than the node has Redis connections
    (as when thousands of devices connect after a restart): every update is made."""
    presence = RedisPresence(redis_client, prefix=f"vp:test:{uuid.uuid4().hex}:")
    burst = 10 * MAX_CONNECTIONS
    await asyncio.gather(*(presence.add(i, "phone", "node-a", ttl=60) for i in range(burst)))
    found = await asyncio.gather(*(presence.devices(i) for i in range(burst)))
    assert all(devices == {"phone": "node-a"} for devices in found)

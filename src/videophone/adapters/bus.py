"""Message bus between serving nodes: in process, or Redis pub/sub for a cluster."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Protocol

import redis.asyncio as redis_asyncio


class Bus(Protocol):
    async def publish(self, channel: str, message: dict[str, Any]) -> None: ...

    def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any]]: ...

    async def close(self) -> None: ...


class MemoryBus:
    """One process: a queue per subscription."""

    def __init__(self) -> None:
        self._queues: dict[str, list[asyncio.Queue[dict[str, Any]]]] = defaultdict(list)

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        for queue in self._queues.get(channel, []):
            queue.put_nowait(message)

    async def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._queues[channel].append(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues[channel].remove(queue)

    async def close(self) -> None:
        self._queues.clear()


class RedisBus:
    """Redis pub/sub: each node listens on its own channel."""

    def __init__(self, client: redis_asyncio.Redis) -> None:
        self._redis = client

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        await self._redis.publish(channel, json.dumps(message, separators=(",", ":")))

    async def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any]]:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(channel)
        try:
            while True:
                item = await pubsub.get_message(timeout=1.0)
                if item is None:
                    continue
                data = item.get("data")
                if isinstance(data, bytes | str):
                    yield json.loads(data)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe(channel)
                await pubsub.aclose()

    async def close(self) -> None:
        await self._redis.aclose()

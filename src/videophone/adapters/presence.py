"""Presence: which devices of a subscriber are connected, and on which node."""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Protocol

import redis.asyncio as redis_asyncio


class Presence(Protocol):
    async def add(self, subscriber_id: int, device_id: str, node_id: str, ttl: int) -> None: ...

    async def remove(self, subscriber_id: int, device_id: str, node_id: str) -> None: ...

    async def devices(self, subscriber_id: int) -> dict[str, str]:
        """device id → node id of every live device."""
        ...


class MemoryPresence:
    def __init__(self) -> None:
        self._devices: dict[int, dict[str, tuple[str, float]]] = defaultdict(dict)

    async def add(self, subscriber_id: int, device_id: str, node_id: str, ttl: int) -> None:
        self._devices[subscriber_id][device_id] = (node_id, time.monotonic() + ttl)

    async def remove(self, subscriber_id: int, device_id: str, node_id: str) -> None:
        entry = self._devices.get(subscriber_id, {}).get(device_id)
        if entry is not None and entry[0] == node_id:
            del self._devices[subscriber_id][device_id]

    async def devices(self, subscriber_id: int) -> dict[str, str]:
        now = time.monotonic()
        live = {d: node for d, (node, expires) in self._devices.get(subscriber_id, {}).items() if expires > now}
        return live


class RedisPresence:
    """A hash per subscriber: device → "node|expires-at".  Expired fields are pruned on read; the
    whole key expires too, so a crashed node leaves nothing behind for long."""

    _REMOVE_IF_OWNER = """
    local v = redis.call('HGET', KEYS[1], ARGV[1])
    if v and string.sub(v, 1, string.len(ARGV[2]) + 1) == ARGV[2] .. '|' then
      return redis.call('HDEL', KEYS[1], ARGV[1])
    end
    return 0
    """

    def __init__(self, client: redis_asyncio.Redis, prefix: str = "vp:presence:") -> None:
        self._redis = client
        self._prefix = prefix

    def _key(self, subscriber_id: int) -> str:
        return f"{self._prefix}{subscriber_id}"

    async def add(self, subscriber_id: int, device_id: str, node_id: str, ttl: int) -> None:
        key = self._key(subscriber_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, device_id, f"{node_id}|{time.time() + ttl:.3f}")
            # The key lives as long as its longest-lived device: set when unset, else only extend.
            pipe.expire(key, ttl, nx=True)
            pipe.expire(key, ttl, gt=True)
            await pipe.execute()

    async def remove(self, subscriber_id: int, device_id: str, node_id: str) -> None:
        await self._redis.eval(self._REMOVE_IF_OWNER, 1, self._key(subscriber_id), device_id, node_id)

    async def devices(self, subscriber_id: int) -> dict[str, str]:
        raw = await self._redis.hgetall(self._key(subscriber_id))
        now = time.time()
        live: dict[str, str] = {}
        stale: list[str] = []
        for device, value in raw.items():
            device_id = device.decode() if isinstance(device, bytes) else str(device)
            text = value.decode() if isinstance(value, bytes) else str(value)
            node, _, expires = text.rpartition("|")
            if float(expires or 0) > now:
                live[device_id] = node
            else:
                stale.append(device_id)
        if stale:
            await self._redis.hdel(self._key(subscriber_id), *stale)
        return live

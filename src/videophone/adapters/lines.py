"""Lines: which call each subscriber's line is taken by — one call per subscriber (R-10), over every node.

A call *claims* the lines of its caller and callee when it is placed and *releases* them when it
ends.  A claim is all or nothing: either both lines were free and now hold the call's id, or nothing
changed and the answer says which party was taken (the caller: "already in a call"; the callee:
"busy").  Every claim expires unless the node holding the call refreshes it (with its heartbeat), so
the lines of a node that died come free on their own; releasing compares the call id, so a late
release of an ended call never frees a line that another call holds now.

``MemoryLines`` serves one node; ``RedisLines`` a cluster (one Lua script per operation: atomic in
Redis, one round trip).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as redis_asyncio

REFRESH_CHUNK = 500  # calls per refresh script (bounds the script's run time in Redis)


@dataclass(frozen=True)
class LineClaim:
    """The answer to a claim: which party's line another call holds, and whether this call got both."""

    caller_taken: bool
    callee_taken: bool
    held: bool


class Lines(Protocol):
    async def claim(
        self, call_id: str, caller_id: int, callee_id: int | None, *, ttl: float, hold: bool = True
    ) -> LineClaim:
        """Take the caller's and (if any) the callee's line for ``call_id`` if both are free.

        With ``hold=False`` only look: nothing is taken, the answer says who is taken."""
        ...

    async def release(self, call_id: str, subscriber_ids: Iterable[int]) -> int:
        """Free those of the subscribers' lines that ``call_id`` holds; returns how many."""
        ...

    async def refresh(self, calls: Sequence[tuple[str, Sequence[int]]], *, ttl: float) -> int:
        """Extend by ``ttl`` the lines each call still holds (call id, its parties); returns how many."""
        ...


def _parties(caller_id: int, callee_id: int | None) -> list[int]:
    return [caller_id] if callee_id is None else [caller_id, callee_id]


class MemoryLines:
    """One process: subscriber → (call id, expiry on the monotonic clock)."""

    def __init__(self) -> None:
        self._held: dict[int, tuple[str, float]] = {}

    def _holder(self, subscriber_id: int, now: float) -> str | None:
        entry = self._held.get(subscriber_id)
        if entry is None:
            return None
        if entry[1] <= now:
            del self._held[subscriber_id]
            return None
        return entry[0]

    async def claim(
        self, call_id: str, caller_id: int, callee_id: int | None, *, ttl: float, hold: bool = True
    ) -> LineClaim:
        # No await inside: atomic on the event loop.
        now = time.monotonic()
        caller_taken = self._holder(caller_id, now) is not None
        callee_taken = callee_id is not None and self._holder(callee_id, now) is not None
        held = hold and not caller_taken and not callee_taken
        if held:
            for subscriber_id in _parties(caller_id, callee_id):
                self._held[subscriber_id] = (call_id, now + ttl)
        return LineClaim(caller_taken, callee_taken, held)

    async def release(self, call_id: str, subscriber_ids: Iterable[int]) -> int:
        freed = 0
        for subscriber_id in set(subscriber_ids):
            entry = self._held.get(subscriber_id)
            if entry is not None and entry[0] == call_id:
                del self._held[subscriber_id]
                freed += 1
        return freed

    async def refresh(self, calls: Sequence[tuple[str, Sequence[int]]], *, ttl: float) -> int:
        now = time.monotonic()
        extended = 0
        for call_id, subscriber_ids in calls:
            for subscriber_id in subscriber_ids:
                if self._holder(subscriber_id, now) == call_id:
                    self._held[subscriber_id] = (call_id, now + ttl)
                    extended += 1
        return extended


# KEYS: the caller's line, then the callee's if any.  ARGV: call id, expiry in ms, "1" to take them.
# Returns a bit set: 1 the caller's line is taken, 2 the callee's; 0 means free (and, with "1", now held).
_CLAIM = """
local taken = 0
if redis.call('EXISTS', KEYS[1]) == 1 then taken = taken + 1 end
if KEYS[2] and redis.call('EXISTS', KEYS[2]) == 1 then taken = taken + 2 end
if taken == 0 and ARGV[3] == '1' then
  for _, key in ipairs(KEYS) do
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
  end
end
return taken
"""

# KEYS: lines.  ARGV: the call id.  Deletes the lines that hold exactly that call.
_RELEASE = """
local freed = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then freed = freed + redis.call('DEL', key) end
end
return freed
"""

# KEYS: lines.  ARGV: expiry in ms, then the call id each line should hold.  Only extends: a line
# that is gone (released, expired) stays gone.
_REFRESH = """
local extended = 0
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[i + 1] then extended = extended + redis.call('PEXPIRE', key, ARGV[1]) end
end
return extended
"""


class RedisLines:
    """A key per subscriber (``vp:line:<id>``) holding the call id, with an expiry.

    The scripts touch two keys at once: on a Redis Cluster they would need one hash slot (a hash tag
    in the prefix); the project runs one Redis (README, "A cluster")."""

    def __init__(self, client: redis_asyncio.Redis, prefix: str = "vp:line:") -> None:
        self._redis = client
        self._prefix = prefix
        self._claim = client.register_script(_CLAIM)
        self._release = client.register_script(_RELEASE)
        self._refresh = client.register_script(_REFRESH)

    def _key(self, subscriber_id: int) -> str:
        return f"{self._prefix}{subscriber_id}"

    async def claim(
        self, call_id: str, caller_id: int, callee_id: int | None, *, ttl: float, hold: bool = True
    ) -> LineClaim:
        keys = [self._key(s) for s in _parties(caller_id, callee_id)]
        taken = int(await self._claim(keys=keys, args=[call_id, _ms(ttl), "1" if hold else "0"]))
        caller_taken, callee_taken = bool(taken & 1), bool(taken & 2)
        return LineClaim(caller_taken, callee_taken, hold and not taken)

    async def release(self, call_id: str, subscriber_ids: Iterable[int]) -> int:
        keys = [self._key(s) for s in sorted(set(subscriber_ids))]
        if not keys:
            return 0
        return int(await self._release(keys=keys, args=[call_id]))

    async def refresh(self, calls: Sequence[tuple[str, Sequence[int]]], *, ttl: float) -> int:
        extended = 0
        for start in range(0, len(calls), REFRESH_CHUNK):
            keys: list[str] = []
            args: list[str | int] = [_ms(ttl)]
            for call_id, subscriber_ids in calls[start : start + REFRESH_CHUNK]:
                for subscriber_id in subscriber_ids:
                    keys.append(self._key(subscriber_id))
                    args.append(call_id)
            if keys:
                extended += int(await self._refresh(keys=keys, args=args))
        return extended


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))

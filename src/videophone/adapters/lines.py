"""Lines: which call each subscriber's line is taken by — one call per subscriber (R-10), over every node.

A call *claims* the lines of its caller and callee when it is placed and *releases* them when it
ends.  A claim is all or nothing: either both lines were free and now hold the call's id, or nothing
changed and the answer says which party was taken (the caller: "already in a call"; the callee:
"busy").  Every claim expires unless the node holding the call refreshes it (with its heartbeat), so
the lines of a node that died come free on their own; releasing compares the call id, so a late
release of an ended call never frees a line that another call holds now.

``MemoryLines`` serves one node; ``RedisLines`` a cluster (Lua scripts: atomic in Redis, one round
trip for a claim — or for a batch of them under load).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as redis_asyncio

REFRESH_CHUNK = 500  # calls per refresh script (bounds the script's run time in Redis)
MAX_BATCH = 500  # claims and releases per script


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


# Claims and releases, many at once, in the order given (each op all or nothing, the batch atomic).
# ARGV: per op four values — kind ("c" claim, "p" look only, "r" release), call id, how many of the
# next KEYS are its lines (caller first), expiry in ms.  Returns one integer per op: for a claim or a
# look a bit set (1 the caller's line is taken, 2 the callee's; 0 free, and with "c" now held by the
# call), for a release how many lines it freed (only lines that hold exactly that call id).
_OPS = """
local results = {}
local k = 1
for a = 1, #ARGV, 4 do
  local kind, call, n, ttl = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2]), ARGV[a + 3]
  local r = 0
  if kind == 'r' then
    for j = k, k + n - 1 do
      if redis.call('GET', KEYS[j]) == call then r = r + redis.call('DEL', KEYS[j]) end
    end
  else
    if redis.call('EXISTS', KEYS[k]) == 1 then r = r + 1 end
    if n > 1 and redis.call('EXISTS', KEYS[k + 1]) == 1 then r = r + 2 end
    if r == 0 and kind == 'c' then
      for j = k, k + n - 1 do redis.call('SET', KEYS[j], call, 'PX', ttl) end
    end
  end
  results[#results + 1] = r
  k = k + n
end
return results
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

_Op = tuple[str, str, list[str], int, "asyncio.Future[int]"]


class RedisLines:
    """A key per subscriber (``vp:line:<id>``) holding the call id, with an expiry.

    Claims and releases are sent in batches, as the call records are committed: while one script
    runs, the next batch fills up, so under load a node makes one round trip for many invites and
    ends (each caller still awaits its own answer; one op alone is one round trip).  The scripts
    touch several keys at once: on a Redis Cluster they would need one hash slot (a hash tag in the
    prefix); the project runs one Redis (README, "A cluster")."""

    def __init__(self, client: redis_asyncio.Redis, prefix: str = "vp:line:") -> None:
        self._redis = client
        self._prefix = prefix
        self._ops = client.register_script(_OPS)
        self._refresh = client.register_script(_REFRESH)
        self._pending: list[_Op] = []
        self._worker: asyncio.Task[None] | None = None

    def _key(self, subscriber_id: int) -> str:
        return f"{self._prefix}{subscriber_id}"

    async def claim(
        self, call_id: str, caller_id: int, callee_id: int | None, *, ttl: float, hold: bool = True
    ) -> LineClaim:
        keys = [self._key(s) for s in _parties(caller_id, callee_id)]
        taken = await self._submit("c" if hold else "p", call_id, keys, _ms(ttl))
        caller_taken, callee_taken = bool(taken & 1), bool(taken & 2)
        return LineClaim(caller_taken, callee_taken, hold and not taken)

    async def release(self, call_id: str, subscriber_ids: Iterable[int]) -> int:
        keys = [self._key(s) for s in sorted(set(subscriber_ids))]
        if not keys:
            return 0
        return await self._submit("r", call_id, keys, 0)

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

    async def _submit(self, kind: str, call_id: str, keys: list[str], ttl_ms: int) -> int:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        self._pending.append((kind, call_id, keys, ttl_ms, future))
        if self._worker is None or self._worker.done() or self._worker.get_loop() is not loop:
            self._worker = loop.create_task(self._run(), name="lines-batches")
        return await future

    async def _run(self) -> None:
        """Send what is pending, batch after batch, until nothing is."""
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            keys: list[str] = []
            args: list[str | int] = []
            for kind, call_id, op_keys, ttl_ms, _ in batch:
                keys += op_keys
                args += [kind, call_id, len(op_keys), ttl_ms]
            try:
                results = await self._ops(keys=keys, args=args)
            except Exception as exc:  # Redis unreachable, say: each op of the batch fails with it
                _fail(batch, exc)
                continue
            except BaseException:  # cancelled (the loop is closing): nothing pending is answered
                _fail(batch + self._pending, ConnectionError("lines: the batch was cancelled"))
                self._pending = []
                raise
            for (*_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(int(result))


def _fail(ops: list[_Op], exc: Exception) -> None:
    for *_, future in ops:
        if not future.done():
            future.set_exception(exc)


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))

"""Lines (one call per subscriber): the in-memory claim and the Redis one (VIDEOPHONE_TEST_REDIS_URL;
CI sets it) behave the same — all or nothing, who was taken, release by call id only, expiry."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest

from videophone.adapters.lines import LineClaim, MemoryLines, RedisLines
from videophone.adapters.redis_client import redis_client

REDIS_URL = os.environ.get("VIDEOPHONE_TEST_REDIS_URL", "")
TTL = 60.0


@pytest.fixture(params=["memory", "redis"])
async def lines(request: pytest.FixtureRequest) -> AsyncIterator[MemoryLines | RedisLines]:
    if request.param == "memory":
        yield MemoryLines()
        return
    if not REDIS_URL:
        pytest.skip("Redis not configured: set VIDEOPHONE_TEST_REDIS_URL (CI sets it)")
    client = redis_client(REDIS_URL)
    yield RedisLines(client, prefix=f"vp:test:{uuid.uuid4().hex}:line:")
    await client.aclose()


FREE = LineClaim(caller_taken=False, callee_taken=False, held=True)


async def test_a_claim_takes_both_lines_or_says_who_is_taken(lines: MemoryLines | RedisLines) -> None:
    assert await lines.claim("c1", 1, 2, ttl=TTL) == FREE
    # The callee's line is taken: busy; nothing of the new call is held.
    assert await lines.claim("c2", 3, 2, ttl=TTL) == LineClaim(False, True, False)
    assert await lines.claim("c3", 3, 4, ttl=TTL) == FREE  # 3 was not taken by the refused claim
    # The caller's line is taken (already in a call); both taken.
    assert await lines.claim("c4", 1, 5, ttl=TTL) == LineClaim(True, False, False)
    assert await lines.claim("c5", 2, 3, ttl=TTL) == LineClaim(True, True, False)
    assert await lines.claim("c6", 5, 6, ttl=TTL) == FREE  # 5 stayed free after c4's refusal
    # A number nobody has: only the caller's line.
    assert await lines.claim("c7", 7, None, ttl=TTL) == FREE
    assert await lines.claim("c8", 7, None, ttl=TTL) == LineClaim(True, False, False)


async def test_looking_takes_nothing(lines: MemoryLines | RedisLines) -> None:
    assert await lines.claim("c1", 1, 2, ttl=TTL, hold=False) == LineClaim(False, False, False)
    assert await lines.claim("c2", 1, 2, ttl=TTL) == FREE
    assert await lines.claim("c3", 3, 2, ttl=TTL, hold=False) == LineClaim(False, True, False)


async def test_only_the_holding_call_releases_a_line(lines: MemoryLines | RedisLines) -> None:
    assert await lines.claim("c1", 1, 2, ttl=TTL) == FREE
    assert await lines.release("other", [1, 2]) == 0  # a wrong call id frees nothing
    assert await lines.claim("c2", 1, 3, ttl=TTL) == LineClaim(True, False, False)
    assert await lines.release("c1", [1, 2]) == 2
    assert await lines.release("c1", [1, 2]) == 0  # twice is harmless
    assert await lines.claim("c2", 1, 3, ttl=TTL) == FREE
    # The late release of c1 (ended) does not free the line c2 holds now.
    assert await lines.release("c1", [1]) == 0
    assert await lines.claim("c4", 5, 1, ttl=TTL) == LineClaim(False, True, False)


async def test_claims_expire_unless_refreshed(lines: MemoryLines | RedisLines) -> None:
    assert await lines.claim("c1", 1, 2, ttl=0.5) == FREE
    assert await lines.claim("c2", 3, 4, ttl=0.5) == FREE
    await asyncio.sleep(0.3)
    # Only c1's holder is alive: it refreshes c1; a refresh naming a call that does not hold the line
    # extends nothing.
    assert await lines.refresh([("c1", (1, 2)), ("not-c2", (3, 4))], ttl=1.5) == 2
    await asyncio.sleep(0.4)
    assert await lines.claim("c3", 3, 4, ttl=TTL) == FREE  # c2 expired
    assert await lines.claim("c4", 5, 1, ttl=TTL) == LineClaim(False, True, False)  # c1 lives on
    # A released line is not brought back by a refresh that raced with the release.
    assert await lines.release("c3", [3, 4]) == 2
    assert await lines.refresh([("c3", (3, 4))], ttl=TTL) == 0
    assert await lines.claim("c5", 3, 4, ttl=TTL) == FREE


async def test_concurrent_claims_of_overlapping_pairs_only_one_wins(lines: MemoryLines | RedisLines) -> None:
    """Rounds of claims sent at once over pairs that all share subscriber 0 (as caller or callee):
    exactly one takes its lines; every other learns that subscriber 0 is taken, and no line is held
    by a loser."""
    for round_ in range(20):
        pairs = [(0, 100 + i) if i % 2 else (100 + i, 0) for i in range(12)]
        claims = await asyncio.gather(*(lines.claim(f"r{round_}-{i}", a, b, ttl=TTL) for i, (a, b) in enumerate(pairs)))
        winners = [i for i, c in enumerate(claims) if c.held]
        assert len(winners) == 1, claims
        for i, (claim, (a, _)) in enumerate(zip(claims, pairs, strict=True)):
            if i in winners:
                continue
            assert claim.caller_taken == (a == 0) and claim.callee_taken == (a != 0), claim
        # The losers' other party is free: each can place a call at once.
        for i, (a, b) in enumerate(pairs):
            if i not in winners:
                other = b if a == 0 else a
                assert (await lines.claim(f"x{round_}-{i}", other, None, ttl=TTL)).held
                assert await lines.release(f"x{round_}-{i}", [other]) == 1
        winner = winners[0]
        assert await lines.release(f"r{round_}-{winner}", pairs[winner]) == 2


async def test_a_refresh_of_many_calls_is_chunked(lines: MemoryLines | RedisLines) -> None:
    calls = [(f"c{i}", (2 * i + 1, 2 * i + 2)) for i in range(1200)]
    for call_id, (a, b) in calls:
        assert (await lines.claim(call_id, a, b, ttl=TTL)).held
    assert await lines.refresh(calls, ttl=TTL) == 2400


async def test_claims_and_releases_sent_together_apply_in_order(lines: MemoryLines | RedisLines) -> None:
    """Under load the Redis lines send many operations in one script: each still gets its own answer,
    in the order they were made."""
    claim1, released, claim2, busy = await asyncio.gather(
        lines.claim("c1", 1, 2, ttl=TTL),
        lines.release("c1", [1, 2]),
        lines.claim("c2", 1, 3, ttl=TTL),
        lines.claim("c3", 4, 3, ttl=TTL),
    )
    assert (claim1, released, claim2, busy) == (FREE, 2, FREE, LineClaim(False, True, False))
    assert await lines.claim("c4", 2, None, ttl=TTL) == FREE

"""The hub and the lines (one call per subscriber): a call holds its parties' lines from the invite
to its end; a refused invite, a failed one and a call ended by the sweep of a dead node hold none;
a call taken over from a dead node holds them until it ends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.api.test_signaling_ws import ANSWER, OFFER, Sub, invite, new_call_id, subscriber
from tests.support.live import Device, serve
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import CallRecord, SignalingNode
from videophone.adapters.lines import LineClaim
from videophone.bootstrap import Container
from videophone.web.app import create_app

FREE = LineClaim(caller_taken=False, callee_taken=False, held=False)


@pytest.fixture
async def host(container: Container) -> AsyncIterator[str]:
    async with serve(create_app(container, manage_lifecycle=False)) as address:
        yield address


async def lines_of(container: Container, a: Sub, b: Sub) -> LineClaim:
    """Who of ``a`` and ``b`` is in a call, as the lines say (looking only)."""
    return await container.signaling.lines.claim("probe", a.id, b.id, ttl=60, hold=False)


async def test_a_call_holds_both_lines_until_it_ends(host: str, container: Container) -> None:
    a, b, c = await subscriber(container), await subscriber(container), await subscriber(container)
    da, db = await Device.open(host, a.token, "dev-aaaaaaaa"), await Device.open(host, b.token, "dev-bbbbbbbb")
    dc = await Device.open(host, c.token, "dev-cccccccc")
    call_id = await invite(da, b.number)
    await db.expect("incoming")
    await da.expect("ringing")
    assert await lines_of(container, a, b) == LineClaim(True, True, False)
    await db.send({"type": "accept", "call_id": call_id, "sdp": ANSWER})
    await da.expect("accepted")
    # Refused invites take no line: c calling the busy b stays free, and so does c's own line.
    refused = await invite(dc, b.number)
    assert (await dc.expect("ended"))["reason"] == "busy"
    assert await lines_of(container, c, c) == FREE
    assert (await container.signaling.lines.release(refused, [a.id, b.id, c.id])) == 0
    await da.send({"type": "hangup", "call_id": call_id})
    await da.expect("ended")
    await db.expect("answered")
    await db.expect("ended")
    assert await lines_of(container, a, b) == FREE
    for d in (da, db, dc):
        await d.close()


async def test_an_invite_that_fails_gives_its_lines_back(host: str, container: Container) -> None:
    a, b = await subscriber(container), await subscriber(container)
    db = await Device.open(host, b.token, "dev-bbbbbbbb")
    hub = container.signaling

    async def broken_insert(values: dict[str, object]) -> None:
        raise RuntimeError("the database went away")

    real_insert = hub.records.insert
    hub.records.insert = broken_insert  # type: ignore[method-assign]
    try:
        with pytest.raises(RuntimeError):
            await hub.handle(
                a.id, "dev-aaaaaaaa", {"type": "invite", "call_id": new_call_id(), "to": b.number, "sdp": OFFER}
            )
    finally:
        hub.records.insert = real_insert  # type: ignore[method-assign]
    assert await lines_of(container, a, b) == FREE
    da = await Device.open(host, a.token, "dev-aaaaaaaa")
    await invite(da, b.number)  # and the next call rings
    await db.expect("incoming")
    await da.expect("ringing")
    for d in (da, db):
        await d.close()


async def _dead_nodes_call(container: Container, a: Sub, b: Sub, *, answered: bool) -> str:
    """A call on record at a node that stopped heartbeating an hour ago, its lines claimed."""
    now = container.deps.clock.now()
    call_id = new_call_id()
    async with container.deps.uow() as uow:
        uow.session.add(
            SignalingNode(
                node_id="dead-node",
                address="",
                started_at=now - timedelta(hours=1),
                heartbeat_at=now - timedelta(hours=1),
            )
        )
        await uow.session.flush()
        uow.session.add(
            CallRecord(
                id=call_id,
                caller_id=a.id,
                callee_id=b.id,
                caller_number=a.number,
                callee_number=b.number,
                caller_device="dev-aaaaaaaa",
                callee_device="dev-bbbbbbbb" if answered else "",
                node_id="dead-node",
                state="answered" if answered else "ringing",
                started_at=now - timedelta(minutes=2),
                answered_at=now - timedelta(minutes=1) if answered else None,
            )
        )
        await uow.commit()
    assert (await container.signaling.lines.claim(call_id, a.id, b.id, ttl=3600)).held  # as the dead node had
    return call_id


async def test_the_sweep_of_a_dead_nodes_ringing_call_frees_its_lines(host: str, container: Container) -> None:
    a, b = await subscriber(container), await subscriber(container)
    hub = container.signaling
    await _dead_nodes_call(container, a, b, answered=False)
    assert await hub.sweep() == 1  # a ringing call is not taken over: it ends (node_lost)
    assert await lines_of(container, a, b) == FREE
    da, db = await Device.open(host, a.token, "dev-aaaaaaaa"), await Device.open(host, b.token, "dev-bbbbbbbb")
    await invite(da, b.number)
    await db.expect("incoming")
    await da.expect("ringing")
    for d in (da, db):
        await d.close()


async def test_a_dead_nodes_answered_call_is_taken_over_and_ends_once_if_nobody_comes_back(
    container: Container, clock: FakeClock
) -> None:
    """ADR 0013: the sweep takes an answered call over (its lines stay held); with neither device back
    within the grace period it ends once as a lost connection, with the time talked, and frees the lines."""
    a, b = await subscriber(container), await subscriber(container)
    hub = container.signaling
    call_id = await _dead_nodes_call(container, a, b, answered=True)
    assert await hub.sweep() == 0
    assert call_id in hub.calls and await lines_of(container, a, b) != FREE
    async with container.deps.uow() as uow:
        assert (await uow.session.get(CallRecord, call_id)).node_id == hub.node_id  # type: ignore[union-attr]
    assert await hub.sweep() == 0  # taken over once
    clock.advance(timedelta(seconds=21))  # past the grace period (20 s)
    await hub.tick()
    assert call_id not in hub.calls and await lines_of(container, a, b) == FREE
    async with container.deps.uow() as uow:
        record = await uow.session.get(CallRecord, call_id)
    assert record is not None and (record.end_reason, record.outcome) == ("connection_lost", "answered")
    assert record.billable_seconds == 60 + 21


async def test_the_heartbeat_keeps_the_lines_of_held_calls(host: str, container: Container) -> None:
    """A claim expires unless its node's heartbeat refreshes it: a call longer than the expiry keeps
    its lines while the node beats."""
    a, b = await subscriber(container), await subscriber(container)
    hub = container.signaling
    hub.line_ttl = 2.0
    da, db = await Device.open(host, a.token, "dev-aaaaaaaa"), await Device.open(host, b.token, "dev-bbbbbbbb")
    call_id = await invite(da, b.number)
    await db.expect("incoming")
    await da.expect("ringing")
    for _ in range(6):  # 3 s in all, beating every 0.5 s
        await asyncio.sleep(0.5)
        await hub._heartbeat_once()
    assert await lines_of(container, a, b) == LineClaim(True, True, False)
    await da.send({"type": "cancel", "call_id": call_id})
    await da.expect("ended")
    assert await lines_of(container, a, b) == FREE
    for d in (da, db):
        await d.close()

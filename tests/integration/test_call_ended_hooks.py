"""The signaling hub hands ended calls to the subscribers of ``CallsEnded`` (rating, the credit limit)
in batches, in order, off the path that tells the parties; a subscriber that fails on a batch gets each
call on its own."""

from __future__ import annotations

import asyncio
import dataclasses

from videophone.adapters.db.uow import UnitOfWork
from videophone.adapters.events import Events
from videophone.bootstrap import Container
from videophone.calling.services.signaling import SignalingHub
from videophone.kernel.events import CallsEnded


def hub_with(container: Container, events: Events[UnitOfWork]) -> SignalingHub:
    """A hub (not started) whose ``CallsEnded`` subscribers are only those of ``events``."""
    hub = container.signaling
    deps = dataclasses.replace(container.deps, events=events)
    return SignalingHub(deps, hub.bus, hub.presence, node_id="hooks-node", turn=hub.turn)


async def test_hooks_get_what_ended_meanwhile_in_order_and_failures_stay_per_call(container: Container) -> None:
    batches: list[list[str]] = []
    seen: list[str] = []

    async def recording(event: CallsEnded) -> None:
        batches.append(list(event.call_ids))

    async def picky(event: CallsEnded) -> None:
        if "bad" in event.call_ids:
            raise RuntimeError("this call cannot be rated")
        seen.extend(event.call_ids)

    events: Events[UnitOfWork] = Events()
    events.after_commit(CallsEnded, recording)
    events.after_commit(CallsEnded, picky)
    hub = hub_with(container, events)
    worker = asyncio.create_task(hub._run_hooks())
    try:
        for call_id in ("a", "b", "bad", "c"):
            hub._ended.put_nowait(call_id)
        await asyncio.wait_for(hub._ended.join(), timeout=5)
        assert batches == [["a", "b", "bad", "c"]]  # one batch: all four were waiting
        assert seen == ["a", "b", "c"]  # the batch failed, then each call alone: only "bad" is lost
        hub._ended.put_nowait("d")
        await asyncio.wait_for(hub._ended.join(), timeout=5)
        assert batches[-1] == ["d"] and seen[-1] == "d"
    finally:
        worker.cancel()


async def test_without_a_worker_the_hooks_run_inline(container: Container) -> None:
    got: list[list[str]] = []

    async def hook(event: CallsEnded) -> None:
        got.append(list(event.call_ids))

    events: Events[UnitOfWork] = Events()
    events.after_commit(CallsEnded, hook)
    hub = hub_with(container, events)
    await hub._call_hooks(["x"])
    assert got == [["x"]]

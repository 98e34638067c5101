"""The signaling hub hands ended calls to its hooks (rating, the credit limit) in batches, in order,
off the path that tells the parties; a hook that fails on a batch gets each call on its own."""

from __future__ import annotations

import asyncio

from videophone.bootstrap import Container


async def test_hooks_get_what_ended_meanwhile_in_order_and_failures_stay_per_call(container: Container) -> None:
    hub = container.signaling
    batches: list[list[str]] = []
    seen: list[str] = []

    async def recording(call_ids: list[str]) -> None:
        batches.append(list(call_ids))

    async def picky(call_ids: list[str]) -> None:
        if "bad" in call_ids:
            raise RuntimeError("this call cannot be rated")
        seen.extend(call_ids)

    hub.on_call_ended = [recording, picky]
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
    hub = container.signaling
    got: list[list[str]] = []

    async def hook(call_ids: list[str]) -> None:
        got.append(call_ids)

    hub.on_call_ended = [hook]
    await hub._call_hooks(["x"])
    assert got == [["x"]]

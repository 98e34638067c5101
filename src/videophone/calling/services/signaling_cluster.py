"""The signaling hub's side in the cluster (``services.signaling``; docs/signaling.md): this node's
heartbeat (its row in ``signaling_nodes``, and the lines of the calls it holds), the messages of its
bus channel ``vp:node:<id>`` (deliveries, events for the calls it owns, enforcement), enforcement
published to every live node, and the sweep that ends the calls of nodes that stopped heartbeating."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog

from videophone.adapters.db.models import CallRecord, SignalingNode
from videophone.calling.domain.calls import CallState, DeviceRef, EndReason, outcome_of
from videophone.calling.services.signaling_adoption import Adoption, adoptable, sent_at
from videophone.calling.services.signaling_effects import channel_of
from videophone.calling.store import call_records, nodes

log = structlog.get_logger("videophone.calling.services.signaling")

QUIET = ("lost", "back", "joined")  # a device's own events: a call gone meanwhile is no error to it
HEARTBEAT_SECONDS = 1.0
NODE_STALE_SECONDS = 30
SWEEP_SECONDS = 10.0


def _bus_key(item: Mapping[str, Any]) -> str:
    """What a bus message must stay in order with: its call, else the device it is for, else its kind."""
    call_id = item.get("call_id")
    if call_id:
        return f"call:{call_id}"
    to = item.get("to")
    if to:
        return f"device:{to[0]}:{to[1]}"
    return f"op:{item.get('op')}:{item.get('subscriber_id', '')}"


def default_node_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(2)}"


class ClusterMember(Adoption):
    """The cluster side of ``SignalingHub`` (a base of it: it works on the hub's own state)."""

    line_ttl: float
    node_stale_seconds: float
    owner_of: dict[str, str]
    _bus_ready: asyncio.Event

    if TYPE_CHECKING:  # the hub's own, used here

        async def _enforce_local(self, subscriber_id: int) -> None: ...

    async def _heartbeat_once(self, started: bool = False) -> None:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            row = await uow.session.get(SignalingNode, self.node_id)
            if row is None:
                uow.session.add(SignalingNode(node_id=self.node_id, address="", started_at=now, heartbeat_at=now))
            else:
                row.heartbeat_at = now
            await uow.commit()
        await self.drop_adopted()  # calls another node took over while this one was silent (ADR 0013)
        if self.calls:  # the lines of the calls this node holds live as long as its heartbeat
            await self.lines.refresh(
                [(call_id, call.line_parties()) for call_id, call in self.calls.items()],
                ttl=self.line_ttl,
            )

    async def _call_event(self, call_id: str, device: DeviceRef, kind: str, payload: Mapping[str, Any]) -> None:
        """Apply an event to a call here if this node holds it, else forward it to its owner."""
        if call_id in self.calls:
            await self._on_call_event(call_id, device, kind, payload, origin=self.node_id)
            return
        owner = self.owner_of.get(call_id)
        if owner is None:
            async with self.deps.uow() as uow:
                row = await uow.session.get(CallRecord, call_id)
            if row is not None and row.ended_at is None:
                owner = row.node_id
                self.owner_of[call_id] = owner
        if owner is None or owner == self.node_id:
            if kind not in QUIET:
                await self._error(device, "call_not_found", payload, call_id)
            return
        await self._forward(
            owner,
            {
                "op": "event",
                "call_id": call_id,
                "from": list(device),
                "node": self.node_id,
                "kind": kind,
                "payload": dict(payload),
            },
        )

    # -- the bus -----------------------------------------------------------------------------------------
    async def _bus_loop(self) -> None:
        """This node's channel.  Messages about one call (or, without one, to one device) are handled in
        their order; the others at the same time: an answer that waits for its record's commit must not
        hold up every other call crossing the nodes (seen in the two-node benchmark)."""
        stream = self.bus.subscribe(channel_of(self.node_id))
        self._bus_ready.set()
        queues: dict[str, asyncio.Queue[Mapping[str, Any]]] = {}
        workers: set[asyncio.Task[None]] = set()

        async def work(key: str, queue: asyncio.Queue[Mapping[str, Any]]) -> None:
            try:
                while not queue.empty():
                    item = queue.get_nowait()
                    try:
                        await self._on_bus(item)
                    except Exception:
                        log.exception("bad bus message", item=item)
            finally:
                del queues[key]

        try:
            async for item in stream:
                key = _bus_key(item)
                queue = queues.get(key)
                if queue is None:
                    queue = queues[key] = asyncio.Queue()
                    task = asyncio.get_running_loop().create_task(work(key, queue), name="signaling-bus-item")
                    workers.add(task)
                    task.add_done_callback(workers.discard)
                queue.put_nowait(item)
        finally:
            for task in list(workers):
                task.cancel()

    async def _on_bus(self, item: Mapping[str, Any]) -> None:
        op = item.get("op")
        if op == "deliver":
            device: DeviceRef = (int(item["to"][0]), str(item["to"][1]))
            call_id = item.get("call_id")
            if call_id:
                self.owner_of[str(call_id)] = str(item["owner"])
                if device in self.local:
                    self.device_calls[device].add(str(call_id))
                if item["message"].get("type") == "ended":
                    self.owner_of.pop(str(call_id), None)
                    self.forwarded.forget(str(call_id))  # the owner ended it: no takeover needs them
                    self.device_calls[device].discard(str(call_id))
            await self._send_local(device, dict(item["message"]))
        elif op == "event":
            device = (int(item["from"][0]), str(item["from"][1]))
            await self._on_call_event(
                str(item["call_id"]),
                device,
                str(item["kind"]),
                item["payload"],
                origin=str(item["node"]),
                at=sent_at(item),
            )
        elif op == "enforce":
            await self._enforce_local(int(item["subscriber_id"]))
        elif op == "owner":  # a call was taken over from a stopped node: its events go to the new owner
            self.owner_of[str(item["call_id"])] = str(item["owner"])
            await self._owner_moved(str(item["call_id"]), str(item["owner"]))

    # -- enforcement (R-30, R-31) ------------------------------------------------------------------------
    async def enforce(self, subscriber_id: int) -> None:
        """The subscriber's restrictions changed (committed): end at once the calls their service state
        now forbids — here, and on every other live node (``enforce`` on each node's channel)."""
        await self._enforce_local(subscriber_id)
        fresh_since = self.deps.clock.now() - timedelta(seconds=self.node_stale_seconds)
        async with self.deps.uow() as uow:
            live = await nodes.live_nodes_but(uow.session, self.node_id, fresh_since)
        for node in live:
            await self.bus.publish(channel_of(node), {"op": "enforce", "subscriber_id": subscriber_id})

    # -- nodes that stopped ------------------------------------------------------------------------------
    async def sweep(self) -> int:
        """The open calls of nodes that stopped heartbeating: answered ones are taken over (ADR 0013),
        the others end (``node_lost``); returns how many ended."""
        now = self.deps.clock.now()
        stale_before = now - timedelta(seconds=self.node_stale_seconds)
        async with self.deps.uow() as uow:
            rows = await nodes.open_calls_of_lost_nodes(uow.session, self.node_id, stale_before)
            live = set(await nodes.live_nodes_but(uow.session, self.node_id, stale_before)) if rows else set()
        # Taken over here or by another node racing for it: not ended; ended if the takeover failed.
        rows = [row for row in rows if not adoptable(row) or await self._try_adopt(row, live, now) is False]
        async with self.deps.uow() as uow:
            ended: list[CallRecord] = []
            for row in rows:
                answered = row.answered_at is not None
                outcome = outcome_of(EndReason.NODE_LOST, answered=answered)
                seconds = int((now - row.answered_at).total_seconds()) if row.answered_at else 0
                if await call_records.end_if_open(
                    uow.session,
                    row.id,
                    state=CallState.ENDED.value,
                    ended_at=now,
                    outcome=outcome.value,
                    end_reason=EndReason.NODE_LOST.value,
                    billable_seconds=max(0, seconds),
                ):
                    ended.append(row)
            await uow.commit()
        for row in ended:  # their node cannot give their lines back: free them now, not at expiry
            await self._release_lines(row.id, (row.caller_id, row.callee_id or 0))
        for row in ended:
            outcome = outcome_of(EndReason.NODE_LOST, answered=row.answered_at is not None)
            message = {
                "type": "ended",
                "call_id": row.leg_of or row.id,  # a forwarded leg's devices know the call dialled
                "reason": EndReason.NODE_LOST.value,
                "outcome": outcome.value,
                "duration": 0,
                "by": None,
            }
            targets: list[DeviceRef] = [(row.caller_id, row.caller_device)] if row.caller_device else []
            if row.callee_id and row.callee_device:
                targets.append((row.callee_id, row.callee_device))
            elif row.callee_id:  # still ringing: every device of the callee stops ringing
                targets += [(row.callee_id, d) for d in await self.presence.devices(row.callee_id)]
            for target in targets:
                await self._deliver(target, message, None)
        if ended:
            log.info("ended calls of stopped nodes", count=len(ended))
        return len(ended)

    async def adopt_own(self) -> int:
        """At the start: the open calls recorded under this node's id (it stopped or died before, with
        the same ``VIDEOPHONE_NODE_ID``) are taken over like a stopped node's; returns how many."""
        async with self.deps.uow() as uow:
            rows = await nodes.open_calls_of_node(uow.session, self.node_id)
            live = set(
                await nodes.live_nodes_but(
                    uow.session, self.node_id, self.deps.clock.now() - timedelta(seconds=self.node_stale_seconds)
                )
            )
        now = self.deps.clock.now()
        taken = 0
        for row in rows:
            if row.id in self.calls:
                continue
            if adoptable(row) and await self._try_adopt(row, live, now):
                taken += 1
                continue
            async with self.deps.uow() as uow:
                await call_records.end_if_open(
                    uow.session,
                    row.id,
                    state=CallState.ENDED.value,
                    ended_at=now,
                    outcome=outcome_of(EndReason.NODE_LOST, answered=row.answered_at is not None).value,
                    end_reason=EndReason.NODE_LOST.value,
                    billable_seconds=max(0, int((now - row.answered_at).total_seconds())) if row.answered_at else 0,
                )
                await uow.commit()
            await self._release_lines(row.id, (row.caller_id, row.callee_id or 0))
        return taken

    async def _leave_calls(self) -> None:
        """At this node's stop: its answered calls are handed over (their records stay open, ADR 0013),
        the others end (``node_lost``)."""
        now = self.deps.clock.now()
        for call_id in list(self.calls):
            async with self._locks[call_id]:
                call, meta = self.calls.get(call_id), self.meta.get(call_id)
                if call is None:
                    continue
                if call.state is CallState.ANSWERED and meta is not None and len(meta.records) <= 1:
                    self.calls.pop(call_id, None)
                    self.meta.pop(call_id, None)
                    continue
                await self._apply(call, call.end(EndReason.NODE_LOST, now))

    async def _retire(self) -> None:
        """This node stops: its heartbeat is set far in the past, so the calls it handed over are taken
        over at the other nodes' next sweep, not after ``VIDEOPHONE_NODE_STALE_SECONDS``."""
        try:
            async with self.deps.uow() as uow:
                await nodes.retire(uow.session, self.node_id)
                await uow.commit()
        except Exception:
            log.exception("could not mark this node stopped")

    async def _try_adopt(self, row: CallRecord, live: set[str], now: datetime) -> bool | None:
        """True: taken over here; None: another node took it first; False: the takeover failed."""
        try:
            return True if await self.adopt(row, live, now) else None
        except Exception:  # it ends as node_lost instead
            log.exception("taking over a call failed", call_id=row.id)
            return False

"""Calls that survive their node's death (issue 17, ADR 0013): the signaling hub's takeover of the
answered calls of a node that stopped heartbeating.

Media of an answered call flows between the devices (peer to peer, through TURN or a relay), not
through the node that held its signaling: losing that node need not end the call.  The node whose sweep
finds such a call first takes it over — one atomic update of its record's ``node_id`` decides between
nodes racing for it — and rebuilds it from the record (``Call.adopted``): the parties whose devices are
connected to a live node go on, the others get the reconnection grace period like any lost connection,
so a call whose devices do not come back is ended once, with the duration up to then.  The nodes of the
parties' devices learn the new owner (``owner`` on their bus channel); a device that reconnects later
finds it in the record.  A credit-limit reservation is kept (``CreditService.reserve`` is idempotent
per call) and the cut-off instant is the same as before.

A hang-up a device sent while its call's node was dead went to that node's channel and nobody read it:
each node keeps the hang-ups it forwarded to another node for a while (``Forwarded``) and gives them to
the node that takes the call over (the ``owner`` message, or at once if it is this node), stamped with
when the device hung up — the call ends then, not when the takeover came.

A node that was only slow, not dead, finds at its next heartbeat that its call was taken over and
forgets it without ending it (``drop_adopted``).  Ringing calls and forwarded calls are not taken over:
their state (who rings, the diversion) is not in the records; they end as ``node_lost``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import structlog

from videophone.adapters.db.models import CallRecord
from videophone.calling.domain.calls import Call, DeviceRef
from videophone.calling.services.signaling_effects import CallEffects, channel_of
from videophone.calling.services.signaling_state import CallMeta
from videophone.calling.store import call_records

log = structlog.get_logger("videophone.calling.services.signaling")

KEPT_KINDS = frozenset({"hangup"})  # what must not be lost when the owner died: the end of a call
KEEP_SECONDS = 120.0  # longer than a takeover takes (VIDEOPHONE_NODE_STALE_SECONDS + a sweep)
KEEP_PER_CALL = 8


class Forwarded:
    """Hang-ups this node forwarded to the node holding their call: if that node was dead, the one
    that takes the call over gets them (``taken``).  Each is forgotten as soon as the owner says the
    call ended (``forget``, on its ``ended``), else after ``KEEP_SECONDS``: under load this holds only
    the calls whose end is on its way, and keeping one costs O(1)."""

    def __init__(self) -> None:
        self._items: dict[str, list[tuple[float, str, dict[str, Any]]]] = {}  # in the order first kept

    def keep(self, owner: str, item: Mapping[str, Any], clock: float) -> None:
        if item.get("kind") not in KEPT_KINDS:
            return
        expired = []
        for call_id, kept in self._items.items():  # oldest first: stop at the first still fresh
            if kept[0][0] >= clock - KEEP_SECONDS:
                break
            expired.append(call_id)
        for call_id in expired:
            del self._items[call_id]
        kept = self._items.setdefault(str(item["call_id"]), [])
        kept.append((clock, owner, dict(item)))
        del kept[:-KEEP_PER_CALL]

    def forget(self, call_id: str) -> None:
        self._items.pop(call_id, None)

    def taken(self, call_id: str, owner: str) -> list[dict[str, Any]]:
        """The call went to ``owner``: what was sent to another node for it (once)."""
        kept = self._items.pop(call_id, [])
        return [item for _, to, item in kept if to != owner]

    def __len__(self) -> int:
        return len(self._items)


def sent_at(item: Mapping[str, Any]) -> datetime | None:
    """When the forwarding node got the event (a node's stamp, never a device's)."""
    try:
        return datetime.fromisoformat(str(item["sent_at"])) if item.get("sent_at") else None
    except ValueError:
        return None


def adoptable(row: CallRecord) -> bool:
    """An answered call between two devices, not forwarded: all it needs is in its record."""
    return (
        row.answered_at is not None
        and bool(row.callee_device)
        and row.callee_id is not None
        and row.leg_of is None
        and not row.forwarded_to
        and not row.forwarded_by
    )


class Adoption(CallEffects):
    """The takeover side of ``SignalingHub`` (a base of it: it works on the hub's own state)."""

    owner_of: dict[str, str]

    async def adopt(self, row: CallRecord, live_nodes: set[str], now: datetime) -> bool:
        """Take over ``row``'s call from its dead node; whether this node won it."""
        async with self.deps.uow() as uow:
            won = await call_records.take_over(uow.session, row.id, row.node_id, self.node_id)
            await uow.commit()
        if not won:
            return False
        assert row.answered_at is not None and row.callee_id is not None
        caller: DeviceRef = (row.caller_id, row.caller_device)
        callee: DeviceRef = (row.callee_id, row.callee_device)
        nodes: dict[DeviceRef, str] = {}
        for device in (caller, callee):
            node = (await self.presence.devices(device[0])).get(device[1])
            if node is not None and (node == self.node_id or node in live_nodes):
                nodes[device] = node
        absent = [d for d in (caller, callee) if d not in nodes]
        call, sends = Call.adopted(row.id, caller, callee, row.started_at, row.answered_at, absent, now)
        meta = CallMeta(
            caller_number=row.caller_number,
            caller_name="",
            callee_number=row.callee_number,
            offer="",
            media={"audio": True, "video": True},
            nodes=nodes,
            credit_limited=True,  # a reservation is kept per call: a caller without a limit has none
            records=[row.id],
        )
        async with self._locks[row.id]:
            self.calls[row.id] = call
            self.meta[row.id] = meta
            for device in (caller, callee):
                self.device_calls[device].add(row.id)
            claim = await self.lines.claim(row.id, caller[0], callee[0], ttl=self.line_ttl, hold=True)
            if not claim.held:
                log.warning("an adopted call's lines are taken", call_id=row.id)
            if meta.credit_limited:
                sends += await self._limit_call(call, meta, now)
            for node in sorted(set(nodes.values()) - {self.node_id}):  # they route the devices' events here now
                await self.bus.publish(channel_of(node), {"op": "owner", "call_id": row.id, "owner": self.node_id})
            await self._apply(call, sends)
        log.info("call taken over from a stopped node", call_id=row.id, node=row.node_id, away=len(absent))
        for item in self.forwarded.taken(row.id, self.node_id):  # this node's own, sent to the dead one
            await self._replayed(item)
        return True

    async def _forward(self, owner: str, item: dict[str, Any]) -> None:
        """An event of a device here for a call held by ``owner``: to its channel, and kept."""
        item["sent_at"] = self.deps.clock.now().isoformat()
        self.forwarded.keep(owner, item, asyncio.get_running_loop().time())
        await self.bus.publish(channel_of(owner), item)

    async def _owner_moved(self, call_id: str, owner: str) -> None:
        """``owner`` took the call over: the hang-ups sent to its dead node go there again."""
        for item in self.forwarded.taken(call_id, owner):
            log.info("a hang-up sent to a stopped node goes to the call's new node", call_id=call_id)
            await self.bus.publish(channel_of(owner), item)

    async def _replayed(self, item: Mapping[str, Any]) -> None:
        device: DeviceRef = (int(item["from"][0]), str(item["from"][1]))
        log.info("a hang-up sent to the stopped node is applied here", call_id=item["call_id"])
        await self._on_call_event(
            str(item["call_id"]), device, str(item["kind"]), item["payload"], origin=self.node_id, at=sent_at(item)
        )

    async def drop_adopted(self) -> None:
        """At the heartbeat: forget the calls another node took over while this one was silent."""
        if not self.calls:
            return
        async with self.deps.uow() as uow:
            gone = await call_records.owned_elsewhere(uow.session, list(self.calls), self.node_id)
        for call_id in gone:
            self.calls.pop(call_id, None)
            self.meta.pop(call_id, None)
            log.warning("a call of this node was taken over by another", call_id=call_id)

    if TYPE_CHECKING:  # the hub's own, used here
        line_ttl: float
        forwarded: Forwarded

        async def _on_call_event(
            self,
            call_id: str,
            device: DeviceRef,
            kind: str,
            payload: Mapping[str, Any],
            *,
            origin: str,
            at: datetime | None = None,
        ) -> None: ...

        async def _limit_call(self, call: Call, meta: CallMeta, now: datetime) -> list: ...  # type: ignore[type-arg]

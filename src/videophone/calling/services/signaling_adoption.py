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

A node that was only slow, not dead, finds at its next heartbeat that its call was taken over and
forgets it without ending it (``drop_adopted``).  Ringing calls and forwarded calls are not taken over:
their state (who rings, the diversion) is not in the records; they end as ``node_lost``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog

from videophone.adapters.db.models import CallRecord
from videophone.calling.domain.calls import Call, DeviceRef
from videophone.calling.services.signaling_effects import CallEffects, channel_of
from videophone.calling.services.signaling_state import CallMeta
from videophone.calling.store import call_records

if TYPE_CHECKING:
    from datetime import datetime

log = structlog.get_logger("videophone.calling.services.signaling")


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
        return True

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

        async def _limit_call(self, call: Call, meta: CallMeta, now: datetime) -> list: ...  # type: ignore[type-arg]

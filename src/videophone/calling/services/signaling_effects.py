"""Applying a call's effects, for the signaling hub (``services.signaling``): the messages to its
devices (here, or through the bus to the node a device is on), its record (the answer, then its end
exactly once), its lines given back, and the ``CallsEnded`` subscribers of the calls that ended."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import structlog

from videophone.adapters import metrics
from videophone.adapters.bus import Bus
from videophone.adapters.lines import Lines
from videophone.adapters.presence import Presence
from videophone.calling.domain.calls import Call, CallState, DeviceRef, EndReason, Notice, Send
from videophone.calling.services.call_records import CallRecordWriter
from videophone.calling.services.signaling_state import CallMeta, DeviceSession
from videophone.common.deps import Deps
from videophone.kernel.events import CallsEnded
from videophone.notices import public as notices

log = structlog.get_logger("videophone.calling.services.signaling")

HOOK_BATCH = 500  # most ended calls handed to the call-ended hooks at once
# What a relayed message (ice, renegotiate, media) carries to the peer besides its type and call id.
RELAYED_FIELDS = ("candidate", "description", "audio", "video")
EARLY_ICE_MAX = 64  # the caller's candidates kept while a call rings, for a device that joins late
# A call that ended so, never answered, is a missed call to its callee's pushed devices (as in
# ``store.missed_calls``; a call sent to the mailbox too: the callee did not take it).
MISSED_REASONS = (EndReason.NO_ANSWER, EndReason.OFFLINE, EndReason.CANCELLED, EndReason.VOICEMAIL)


def channel_of(node_id: str) -> str:
    """The bus channel of a node."""
    return f"vp:node:{node_id}"


class CallEffects:
    """The effects side of ``SignalingHub`` (a base of it: it works on the hub's own state)."""

    deps: Deps
    bus: Bus
    presence: Presence
    lines: Lines
    node_id: str
    records: CallRecordWriter
    local: dict[DeviceRef, DeviceSession]
    calls: dict[str, Call]
    meta: dict[str, CallMeta]
    device_calls: dict[DeviceRef, set[str]]
    _event_at: dict[tuple[str, DeviceRef], datetime]
    _locks: dict[str, asyncio.Lock]
    _ended: asyncio.Queue[str]
    _hook_worker: asyncio.Task[None] | None
    _push_tasks: set[asyncio.Task[int]]

    if TYPE_CHECKING:  # the hub's own, used here

        async def _call_event(self, call_id: str, device: DeviceRef, kind: str, payload: Mapping[str, Any]) -> None: ...

    # -- a call's effects -----------------------------------------------------------------------------
    async def _apply(self, call: Call, sends: list[Send]) -> None:
        meta = self.meta[call.id]
        if call.state is CallState.ENDED:
            # The record is final before anyone hears the call ended, so whatever they do next
            # (call again at once, look at their history) sees it finished.
            await self._finalize(call)
        await self._dispatch(call, meta, sends)
        over = {d for d in meta.pushed if call.state is not CallState.RINGING or d[0] != call.callee_id}
        if over:  # the call stopped ringing for the devices a push woke: their notification goes
            meta.pushed -= over
            self._push_over(call, meta, over)
        if call.state is CallState.ENDED:
            self._forget(call, meta)

    def _forget(self, call: Call, meta: CallMeta) -> None:
        """Drop an ended call from its devices' lists (kept for "lost"/"back" on reconnection, where an
        ended call only costs a database read to find nothing to do)."""
        for device in (call.caller, *meta.nodes):
            calls = self.device_calls.get(device)
            if calls is not None:
                calls.discard(call.id)
                if not calls:
                    del self.device_calls[device]

    async def _dispatch(self, call: Call, meta: CallMeta, sends: list[Send]) -> None:
        woken: list[str] = []
        for send in sends:
            if send.notice is Notice.PUSH:
                woken.append(send.to[1])
                continue
            node = meta.nodes.get(send.to)
            await self._deliver(send.to, self._compose(call, meta, send), call.id, node=node)
            if send.notice is Notice.INCOMING:  # a device joining late gets the candidates it missed
                for candidate in list(meta.early_ice):
                    ice = {"type": "ice", "call_id": call.id, "candidate": candidate}
                    await self._deliver(send.to, ice, call.id, node=node)
        if woken:
            meta.pushed.update((call.callee_id, d) for d in woken)
            self._push(call, meta, woken)

    async def _relay(
        self, call: Call, meta: CallMeta, device: DeviceRef, kind: str, payload: Mapping[str, Any]
    ) -> None:
        """Pass an ``ice``, ``renegotiate`` or ``media`` message to the peer's devices; the caller's
        candidates while the call rings are also kept for a callee device that joins later (R-36)."""
        relay = {"type": kind, "call_id": call.id}
        relay.update({k: payload[k] for k in RELAYED_FIELDS if k in payload})
        early = kind == "ice" and device == call.caller and call.state is CallState.RINGING
        if early and relay.get("candidate") not in meta.early_ice and len(meta.early_ice) < EARLY_ICE_MAX:
            meta.early_ice.append(relay.get("candidate"))
        for target in call.peer_of(device):
            await self._deliver(target, relay, call.id)

    def _push(self, call: Call, meta: CallMeta, devices: list[str]) -> None:
        """Wake the callee's devices reachable by push (R-36), in a task nobody awaits: the invite goes
        on at once; the push's own reads and POSTs happen beside it."""
        task = asyncio.get_running_loop().create_task(
            notices.send_call(
                self.deps,
                call.callee_id,
                devices,
                call_id=call.id,
                shown=meta.caller_shown.message(),
                to=meta.chain[-1] if meta.forwarded_by and meta.chain else meta.callee_number,
                deadline=call.ring_deadline,
            ),
            name=f"push-call-{call.id}",
        )
        self._push_tasks.add(task)
        task.add_done_callback(self._push_done)

    def _push_over(self, call: Call, meta: CallMeta, devices: set[DeviceRef]) -> None:
        """Tell the devices a push woke that the call stopped ringing (R-36): missed (nobody answered)
        or not (answered, declined, forwarded), in a task nobody awaits, like the call's push."""
        missed = call.state is CallState.ENDED and call.answered_at is None and call.end_reason in MISSED_REASONS
        for subscriber_id in sorted({s for s, _ in devices}):
            task = asyncio.get_running_loop().create_task(
                notices.send_call_over(
                    self.deps,
                    subscriber_id,
                    sorted(d for s, d in devices if s == subscriber_id),
                    call_id=call.id,
                    shown=meta.caller_shown.message(),
                    to=meta.callee_number,
                    missed=missed,
                ),
                name=f"push-over-{call.id}",
            )
            self._push_tasks.add(task)
            task.add_done_callback(self._push_done)

    async def join_ringing(self, subscriber_id: int, device_id: str, call_ids: list[str]) -> None:
        """After a device's ``welcome`` (its ``_join``): the calls ringing for its subscriber that no
        device answered ring on it too (R-36: a device woken by a push, or simply opened), decided by
        each call's owner — here or on another node (``domain.calls.Call.device_joined``)."""
        for call_id in call_ids:
            await self._call_event(call_id, (subscriber_id, device_id), "joined", {})

    async def _stop_pushes(self) -> None:
        """At the node's stop: the pushes under way are worthless now (their calls ended)."""
        for task in list(self._push_tasks):
            task.cancel()
        await asyncio.gather(*self._push_tasks, return_exceptions=True)

    def _push_done(self, task: asyncio.Task[int]) -> None:
        self._push_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("call push failed", error=repr(task.exception()))

    def _compose(self, call: Call, meta: CallMeta, send: Send) -> dict[str, Any]:
        message: dict[str, Any] = {"type": send.notice.value, "call_id": call.id, **send.data}
        if send.notice is Notice.INCOMING:
            message.update(
                {
                    "from": meta.caller_shown.message(),  # ADR 0009: the caller only if presented
                    # The number that rings: the one dialled (the callee's or their second, R-19), or on a
                    # forwarded leg the number it was forwarded to.
                    "to": meta.chain[-1] if meta.forwarded_by and meta.chain else meta.callee_number,
                    "sdp": meta.offer,
                    "media": meta.media,
                }
            )
            if meta.forwarded_by:  # a forwarded leg: who forwarded it
                message["forwarded_by"] = {"number": meta.forwarded_by}
        elif send.notice is Notice.ACCEPTED:
            message["sdp"] = meta.answer
            if call.limit_at is not None:
                message["limit_seconds"] = call.limit_seconds(self.deps.clock.now())
        elif send.notice is Notice.ANSWERED and call.limit_at is not None:
            message["limit_seconds"] = call.limit_seconds(self.deps.clock.now())
        elif send.notice is Notice.ENDED:
            if meta.detail:
                message["detail"] = meta.detail
            if meta.voicemail is not None and send.to == call.caller and message.get("reason") == "voicemail":
                message["voicemail"] = dict(meta.voicemail)  # where the caller leaves a message
        return message

    async def _record_answer(self, call: Call) -> None:
        if call.answered_at is not None:  # a call set up: invite → answer (issue 17's metrics)
            metrics.call_answered((call.answered_at - call.created_at).total_seconds())
        meta = self.meta.get(call.id)
        legs = meta.records[1:] if meta is not None else []
        if not legs:
            await self.records.answer(
                call.id,
                state=CallState.ANSWERED.value,
                answered_at=call.answered_at,
                callee_device=call.answered_device or "",
            )
            return
        # A forwarded call: the call dialled and every leg are answered at once; the device that
        # answered belongs to the last leg's callee.
        await asyncio.gather(
            *(
                self.records.answer(
                    record,
                    state=CallState.ANSWERED.value,
                    answered_at=call.answered_at,
                    callee_device=(call.answered_device or "") if record == legs[-1] else "",
                )
                for record in (call.id, *legs)
            )
        )

    async def _release_lines(self, call_id: str, subscriber_ids: tuple[int, ...]) -> None:
        """Give back the lines ``call_id`` holds; a failure is logged (unrefreshed, they expire)."""
        parties = tuple(s for s in subscriber_ids if s)
        if not parties:
            return
        try:
            await self.lines.release(call_id, parties)
        except Exception:
            log.exception("releasing the lines of a call failed; they expire", call_id=call_id)

    async def _finalize(self, call: Call) -> None:
        """Write the call record's end — exactly once (the row is only updated while still open) —
        and give back the parties' lines (at the same time, before anyone is told)."""
        held = self.calls.pop(call.id, None) is not None
        meta = self.meta.pop(call.id, None)
        if held:  # counted once, by the node that held it (issue 17's metrics)
            metrics.call_ended(call.outcome.value if call.outcome else "")
        for key in [k for k in self._event_at if k[0] == call.id]:
            del self._event_at[key]
        # A forwarded call ends with every leg: the same times and outcome, each rated for its payer.
        records = [call.id, *(meta.records[1:] if meta is not None else ())]
        release = self._release_lines(call.id, call.line_parties() if held else ())
        ends = [
            self.records.end(
                record,
                state=CallState.ENDED.value,
                answered_at=call.answered_at,
                callee_device=(call.answered_device or "") if record == records[-1] else "",
                ended_at=call.ended_at,
                outcome=call.outcome.value if call.outcome else "",
                end_reason=call.end_reason.value if call.end_reason else "",
                billable_seconds=call.billable_seconds(),
            )
            for record in records
        ]
        await asyncio.gather(*ends, release)
        self._locks.pop(call.id, None)
        if self.deps.events.listeners(CallsEnded):
            if self._hook_worker is not None and not self._hook_worker.done():
                for record in records:
                    self._ended.put_nowait(record)
            else:  # not started (no event loop of its own): run them here
                await self._call_hooks(records)

    async def _call_hooks(self, call_ids: list[str]) -> None:
        """Deliver ``CallsEnded`` to each subscriber in turn; one that fails on a batch gets each call
        on its own, so one bad call does not cost the others their rating."""
        for hook in self.deps.events.listeners(CallsEnded):
            try:
                await hook(CallsEnded(tuple(call_ids)))
            except Exception:  # a subscriber (rating) must never break signaling
                if len(call_ids) == 1:
                    log.exception("call-ended hook failed", call_id=call_ids[0])
                    continue
                log.warning("call-ended hook failed on a batch; one call at a time", size=len(call_ids))
                for call_id in call_ids:
                    try:
                        await hook(CallsEnded((call_id,)))
                    except Exception:
                        log.exception("call-ended hook failed", call_id=call_id)

    async def _run_hooks(self) -> None:
        """Ended calls in order, in batches: whatever ended while the previous batch was processed."""
        while True:
            batch = [await self._ended.get()]
            while len(batch) < HOOK_BATCH and not self._ended.empty():
                batch.append(self._ended.get_nowait())
            try:
                await self._call_hooks(batch)
            finally:
                for _ in batch:
                    self._ended.task_done()

    # -- delivery --------------------------------------------------------------------------------------
    async def _deliver(
        self, device: DeviceRef, message: dict[str, Any], call_id: str | None, node: str | None = None
    ) -> None:
        if call_id is not None and device in self.local:
            self.device_calls[device].add(call_id)
        if device in self.local:
            await self._send_local(device, message)
            return
        if node is None:
            node = (await self.presence.devices(device[0])).get(device[1])
        if node is None or node == self.node_id:
            return  # the device is gone; the call's own timeouts take care of the rest
        await self.bus.publish(
            channel_of(node),
            {"op": "deliver", "to": list(device), "message": message, "owner": self.node_id, "call_id": call_id},
        )

    async def _send_local(self, device: DeviceRef, message: dict[str, Any]) -> None:
        session = self.local.get(device)
        if session is None:
            return
        try:
            await session.link.send(message)
        except Exception:  # the connection is closing; its disconnect does the bookkeeping
            log.debug("send to a closing connection", device=device)

    async def _error(
        self,
        device: DeviceRef,
        code: str,
        payload: Mapping[str, Any],
        call_id: str | None,
        node: str | None = None,
        field: str | None = None,
    ) -> None:
        message: dict[str, Any] = {"type": "error", "code": code}
        if field is not None:
            message["field"] = field
        if call_id is not None:
            message["call_id"] = call_id
        if payload.get("ref"):
            message["ref"] = payload["ref"]
        await self._deliver(device, message, None, node=node)

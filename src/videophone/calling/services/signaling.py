"""The signaling hub of one serving node (R-10, R-11, R-13).

It holds the node's connected devices and the calls whose ``invite`` arrived here (their owner).
Rules live in ``domain.calls`` / ``domain.call_rules``; the hub applies them, records every attempt
in ``call_records`` (created at invite, finalized exactly once) and routes messages: to local
devices directly, to devices on other nodes through the bus (``vp:node:<id>``), and events for
calls owned elsewhere to their owner.  See docs/signaling.md.

Beside it: ``signaling_effects`` (a call's messages, record, lines and call-ended hooks),
``signaling_cluster`` (heartbeat, bus channel, enforcement on every node, the sweep of stopped nodes),
``signaling_state`` (devices, call metadata); its statements, prepared once, are in ``store.signaling``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

import structlog

from videophone.adapters import metrics
from videophone.adapters.bus import Bus
from videophone.adapters.lines import Lines, MemoryLines
from videophone.adapters.presence import Presence
from videophone.adapters.turn import TurnConfig, ice_servers
from videophone.calling.domain import caller_id
from videophone.calling.domain.call_rules import Party, Refusal, caller_refusal, check_invite, divertible
from videophone.calling.domain.calls import Call, CallState, DeviceRef, EndReason, Send
from videophone.calling.domain.contacts import normalize_number
from videophone.calling.services.call_records import CallRecordWriter
from videophone.calling.services.signaling_adoption import Forwarded
from videophone.calling.services.signaling_cluster import (
    HEARTBEAT_SECONDS,
    NODE_STALE_SECONDS,
    QUIET,
    SWEEP_SECONDS,
    default_node_id,
)
from videophone.calling.services.signaling_diversion import Diversion, has_diversion, party_of
from videophone.calling.services.signaling_state import CallMeta, DeviceSession, Link, meta_of
from videophone.calling.store import signaling as store
from videophone.calling.store import subscribers
from videophone.collections.domain.credit import WARN_BEFORE_SECONDS
from videophone.collections.public import CreditService
from videophone.common import policy as policy_service
from videophone.common.deps import Deps
from videophone.enforcement.domain import violations as enforcement
from videophone.identity.domain.policy import OperatorPolicy
from videophone.kernel.errors import InvalidState
from videophone.kernel.events import RestrictionChanged

__all__ = ["PROTOCOL_VERSION", "CallMeta", "DeviceSession", "Link", "SignalingHub", "default_node_id"]

log = structlog.get_logger(__name__)

PROTOCOL_VERSION = 1
PING_INTERVAL = 20
TICK_SECONDS = 0.25
POLICY_CACHE_SECONDS = 10.0


class SignalingHub(Diversion):
    def __init__(
        self,
        deps: Deps,
        bus: Bus,
        presence: Presence,
        *,
        node_id: str,
        turn: TurnConfig,
        ping_interval: int = PING_INTERVAL,
        node_stale_seconds: float = NODE_STALE_SECONDS,
        sweep_seconds: float = SWEEP_SECONDS,
        lines: Lines | None = None,
        credit: CreditService | None = None,
    ) -> None:
        self.deps = deps
        self.bus = bus
        self.presence = presence
        # Each subscriber's line: taken by one call at a time over every node (adapters.lines); a
        # claim lives twice as long as a node may stay silent, refreshed by the holder's heartbeat.
        self.lines: Lines = lines if lines is not None else MemoryLines()
        self.line_ttl = 2 * node_stale_seconds
        self.node_id = node_id
        self.turn = turn
        self.ping_interval = ping_interval
        self.node_stale_seconds = node_stale_seconds
        self.sweep_seconds = sweep_seconds
        self.local: dict[DeviceRef, DeviceSession] = {}
        self.calls: dict[str, Call] = {}
        self.meta: dict[str, CallMeta] = {}
        self.owner_of: dict[str, str] = {}
        self.device_calls: dict[DeviceRef, set[str]] = defaultdict(set)
        self._event_at: dict[tuple[str, DeviceRef], datetime] = {}
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.forwarded = Forwarded()  # hang-ups sent to other nodes, for a takeover (ADR 0013)
        self._tasks: list[asyncio.Task[None]] = []
        self._policy: tuple[float, OperatorPolicy] | None = None
        self._bus_ready = asyncio.Event()
        # Call-record writes of many calls are committed together (each write still awaited).
        self.records = CallRecordWriter(deps.uow)
        # Call ids whose insert is being committed: with the database's view (committed records) this
        # keeps "duplicate call id" exact although the invite's reads and its insert are separate
        # transactions.  "Busy" is the lines' claim (atomic over the cluster), the open records a
        # second check.
        self._inserting: set[str] = set()
        # Once their records' ends are written, the calls that ended are published as ``CallsEnded``
        # to its subscribers (rating, then the credit limit: ``deps.events``, ADR 0007); errors are
        # logged.  They run in a background worker, in order, off the path that tells the parties,
        # with every call that ended meanwhile in one batch (one transaction per subscriber and batch
        # under load instead of one per call); the bill run rates again every month whose stored rating
        # is not provably current (ADR 0006), so nothing depends on them having run.
        self._ended: asyncio.Queue[str] = asyncio.Queue()
        self._hook_worker: asyncio.Task[None] | None = None
        self._push_tasks: set[asyncio.Task[int]] = set()  # calls being pushed to sleeping devices
        # The credit limit in real time: checked at the invite and reserved at the answer of
        # limited callers only.
        self.credit = credit

    # -- lifecycle -------------------------------------------------------------------------------------
    async def start(self) -> None:
        await self._heartbeat_once(started=True)
        await self.adopt_own()  # calls this node id handed over when it stopped (a restart)
        loop = asyncio.get_running_loop()
        self._hook_worker = loop.create_task(self._run_hooks(), name="signaling-call-ended-hooks")
        self._tasks = [
            loop.create_task(self._bus_loop(), name="signaling-bus"),
            loop.create_task(self._every(TICK_SECONDS, self.tick), name="signaling-tick"),
            loop.create_task(self._every(HEARTBEAT_SECONDS, self._heartbeat_once), name="signaling-heartbeat"),
            loop.create_task(self._every(self.sweep_seconds, self.sweep), name="signaling-sweep"),
        ]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._bus_ready.wait(), timeout=5)

    async def stop(self) -> None:
        """Hand the answered calls over (ADR 0013: left open, this node marked stopped so that another
        node — or this one, started again — takes them over at once), end the others (``node_lost``),
        and close every connection (1001): the devices reconnect, through the balancer, elsewhere."""
        await self._leave_calls()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        await self._retire()  # after the heartbeat stopped: the others take the handed-over calls now
        if self._hook_worker is not None:
            # Let the queued hooks (rating of the calls just ended) finish, within reason.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ended.join(), timeout=10)
            self._hook_worker.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._hook_worker
            self._hook_worker = None
        await self._stop_pushes()
        await self.records.close()
        for session in list(self.local.values()):
            with contextlib.suppress(Exception):
                await session.link.close(1001)
        self.local.clear()

    async def _every(self, seconds: float, job: Any) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await job()
            except Exception:
                log.exception("signaling job failed", job=getattr(job, "__name__", str(job)))

    async def _current_policy(self) -> OperatorPolicy:
        loop_time = asyncio.get_running_loop().time()
        if self._policy is None or loop_time - self._policy[0] > POLICY_CACHE_SECONDS:
            async with self.deps.uow() as uow:
                _, pol = await policy_service.current(uow)
            self._policy = (loop_time, pol)
        return self._policy[1]

    # -- connections -----------------------------------------------------------------------------------
    async def connect(self, subscriber_id: int, device_id: str, link: Link) -> dict[str, Any]:
        """Register a device; returns the ``welcome`` message (with calls to resume)."""
        device: DeviceRef = (subscriber_id, device_id)
        now = self.deps.clock.now()
        async with self.deps.reads() as conn:  # Core statements, no transaction (adapters/db/reads)
            sub = await store.connecting_subscriber(conn, subscriber_id)
            number, name, second = sub.number, sub.name, sub.second_number
            rows = await store.open_calls_of_device(conn, subscriber_id, device_id)
            peers = await store.peer_names(conn, subscriber_id, rows)
        old = self.local.get(device)
        self.local[device] = DeviceSession(subscriber_id, device_id, number, name, link)
        if old is not None:
            with contextlib.suppress(Exception):
                await old.link.close(4409)
        pol = await self._current_policy()
        await self.presence.add(subscriber_id, device_id, self.node_id, ttl=3 * self.ping_interval)
        resumed = []
        for row in rows:
            role = "caller" if row.caller_id == subscriber_id else "callee"
            if role == "callee" and row.state == CallState.RINGING.value and not row.callee_device:
                self.owner_of[row.id] = row.node_id  # ringing for this subscriber: rings here after the welcome
                continue
            peer_id = row.callee_id if role == "caller" else row.caller_id
            peer = peers.get(peer_id or 0)
            peer_number = row.callee_number if role == "caller" else row.caller_number
            resumed.append(
                {
                    "call_id": row.id,
                    "role": role,
                    "state": row.state,
                    "peer": caller_id.peer(role, row.caller_presented, peer_number, peer.name if peer else ""),
                    "to": row.callee_number,  # the number dialled (a callee's second number: R-19)
                    "answered_at": row.answered_at.isoformat() if row.answered_at else None,
                }
            )
            held = self.calls.get(row.id)
            if held is not None and held.limit_at is not None:
                resumed[-1]["limit_seconds"] = held.limit_seconds(now)
            self.owner_of[row.id] = row.node_id
            self.device_calls[device].add(row.id)
            await self._call_event(row.id, device, "back", {"at": now.isoformat()})
        return {
            "type": "welcome",
            "protocol": PROTOCOL_VERSION,
            "device_id": device_id,
            "number": number,
            "numbers": [number, second] if second else [number],  # what an invite may present
            "ice_servers": ice_servers(self.turn, subscriber_id, now),
            "no_answer_timeout": pol.no_answer_timeout_seconds,
            "reconnect_grace": pol.reconnect_grace_seconds,
            "ping_interval": self.ping_interval,
            "calls": resumed,
            "_join": [
                r.id for r in rows if r.callee_id == subscriber_id and r.state == "ringing" and not r.callee_device
            ],
        }

    async def disconnect(self, subscriber_id: int, device_id: str, link: Link) -> None:
        device: DeviceRef = (subscriber_id, device_id)
        session = self.local.get(device)
        if session is None or session.link is not link:
            return  # already replaced by a newer connection of the same device
        del self.local[device]
        await self.presence.remove(subscriber_id, device_id, self.node_id)
        now = self.deps.clock.now().isoformat()
        for call_id in list(self.device_calls.pop(device, set())):
            await self._call_event(call_id, device, "lost", {"at": now})

    # -- messages from devices -------------------------------------------------------------------------
    async def handle(self, subscriber_id: int, device_id: str, message: Mapping[str, Any]) -> None:
        """A validated client message (see web.ws for the shapes)."""
        device: DeviceRef = (subscriber_id, device_id)
        kind = message["type"]
        if kind == "ping":
            await self.presence.add(subscriber_id, device_id, self.node_id, ttl=3 * self.ping_interval)
            await self._send_local(device, {"type": "pong"})
            return
        if kind == "invite":
            with metrics.INVITE_SECONDS.time():  # the platform's part of a set-up (issue 17's metrics)
                await self._invite(device, message)
            return
        call_id = str(message["call_id"])
        payload = {k: v for k, v in message.items() if k not in ("type", "call_id")}
        self.device_calls[device].add(call_id)
        await self._call_event(call_id, device, kind, payload)

    async def _on_call_event(
        self,
        call_id: str,
        device: DeviceRef,
        kind: str,
        payload: Mapping[str, Any],
        *,
        origin: str,
        at: datetime | None = None,
    ) -> None:
        async with self._locks[call_id]:
            call = self.calls.get(call_id)
            meta = self.meta.get(call_id)
            if call is None or meta is None:
                if kind not in QUIET:
                    await self._error(device, "call_not_found", payload, call_id, node=origin)
                return
            if call.role_of(device) is not None:
                meta.nodes.setdefault(device, origin)
            now = self.deps.clock.now()
            try:
                if kind in ("lost", "back"):
                    at = datetime.fromisoformat(str(payload.get("at"))) if payload.get("at") else now
                    last = self._event_at.get((call_id, device))
                    if last is not None and at < last:
                        return  # an older event that overtook a newer one
                    self._event_at[(call_id, device)] = at
                    sends = call.device_lost(device, now) if kind == "lost" else call.device_back(device, now)
                    if kind == "back":
                        meta.nodes[device] = origin
                elif kind == "joined":  # a device of the callee connected while it rings
                    sends = call.device_joined(device, now)
                    if sends:
                        meta.nodes[device] = origin
                elif kind == "accept":
                    meta.answer = str(payload.get("sdp", ""))
                    sends = call.accept(device, now)
                    meta.nodes[device] = origin
                elif kind == "reject":
                    sends = call.reject(device, now)
                elif kind == "cancel":
                    sends = call.cancel(device, now)
                elif kind == "hangup":  # ``at``: when a node got it (a hang-up sent to a node that died)
                    sends = call.hangup(device, now if at is None else max(min(at, now), call.answered_at or at))
                elif kind in ("ice", "renegotiate", "media"):
                    await self._relay(call, meta, device, kind, payload)
                    return
                else:
                    await self._error(device, "unknown_type", payload, call_id, node=origin)
                    return
            except InvalidState as exc:
                await self._error(device, exc.code, payload, call_id, node=origin)
                return
            if kind == "accept" and call.state is CallState.ANSWERED:
                # On record before anyone is told: if this node dies right after, the answer (and
                # what it is billed) survives in the call record.
                await self._record_answer(call)
                if meta.credit_limited or meta.limited_legs:
                    sends += await self._limit_call(call, meta, now)
            await self._apply(call, sends)

    async def _limit_call(self, call: Call, meta: CallMeta, now: datetime) -> list[Send]:
        """Reserve the caller's credit for an answered call — and that of each forwarding subscriber with
        a limit for the leg they pay (R-17) — and give it its cut-off instant, the soonest (R-26)."""
        if self.credit is None:
            return []
        payers = [(call.id, call.caller[0])] if meta.credit_limited else []
        payers += list(meta.limited_legs.items())
        limits: list[int] = []
        for record, payer in payers:
            try:
                seconds = await self.credit.reserve(record, payer)
            except Exception:  # the call goes on unlimited (rating still charges it); never drop it here
                log.exception("credit reservation failed", call_id=record)
                continue
            if seconds is not None:
                limits.append(seconds)
        if not limits:
            return []
        return call.set_limit(min(limits), now, WARN_BEFORE_SECONDS)

    # -- invite ------------------------------------------------------------------------------------------
    async def _invite(self, device: DeviceRef, message: Mapping[str, Any]) -> None:
        """A caller's ``invite``, in steps: two reads; the caller as the rules see them; the decision,
        with the lines' claim; the call and its record; the call held here and its first messages.

        The hot path of bench/signaling: its awaits, reads and objects per call are counted."""
        call_id = str(message["call_id"])
        to = str(message["to"])
        now = self.deps.clock.now()
        pol = await self._current_policy()
        if call_id in self.calls:
            await self._error(device, "duplicate_call_id", message, call_id)
            return

        # 1. Two reads (both parties; then every yes/no the rules need) instead of six, both statements
        #    built once with bound parameters (no per-call SQL construction), and no transaction around
        #    them: each is consistent on its own, and the insert is a transaction of its own anyway.
        async with self.deps.reads() as conn:  # Core statements, no transaction (adapters/db/reads)
            parties = await store.invite_parties(conn, device[0], to, now.astimezone(self.deps.operator_tz).date())
            caller = next(p for p in parties if p.id == device[0])
            callee = next((p for p in parties if to in (p.number, p.second_number)), None)
            shown = str(message.get("from") or caller.number)  # the caller's number the call presents
            if shown not in (caller.number, caller.second_number):
                await self._error(device, "invalid_message", message, call_id, field="from")
                return
            flags: Any  # (duplicate id, caller in a call[, callee in a call, blocked])
            if callee is None:
                flags = await store.invite_flags_without_callee(conn, call_id, caller.id)
            else:
                # The block check is store.blocks.blocked_clause, the callee's caller ID
                # store.entitlements.covering on the operator's today, both with bound parameters.
                day = now.astimezone(self.deps.operator_tz).date()
                number, second = normalize_number(caller.number), normalize_number(caller.second_number or "")
                flags = await store.invite_flags(
                    conn, call_id, caller.id, callee.id, number, day, blocked_second=second, shown_number=shown
                )
        if flags[0] or call_id in self._inserting or call_id in self.calls:
            await self._error(device, "duplicate_call_id", message, call_id)
            return

        # 2. The caller as the rules see them.  What the caller may do (domain.capabilities) counts a
        #    limited caller's headroom: less than one chargeable step bars them even before the
        #    restriction is written.  Read only when nothing else already stops their calls.
        caller_party = party_of(caller)
        if caller.credit_limit_fen is not None and self.credit is not None and caller_refusal(caller_party) is None:
            room = await self.credit.room(caller.id, caller.credit_limit_fen, pol.credit_limit_action)
            caller_party = replace(caller_party, credit=room)

        # 3. The decision.  "Is this subscriber free" is the lines' claim, atomic over every node: a
        #    call that may ring takes both lines or learns who is taken; a refusal the lines could still
        #    change (anything checked after "caller in a call") only looks.  Then the same rules decide
        #    with what it said.
        callee_party = party_of(callee) if callee is not None else None
        callee_devices = await self.presence.devices(callee.id) if callee is not None else {}
        # The callee's devices not connected now but reachable by push: the first read named them.
        pushable = store.push_devices_of_row(callee.push_devices).difference(callee_devices) if callee else frozenset()
        callee_id = callee.id if callee is not None else 0
        caller_in_call = bool(flags[1])
        callee_in_call = callee is not None and bool(flags[2])
        blocked = callee is not None and bool(flags[3])
        # Caller ID (ADR 0009): decided now, for the whole call, and kept on its record.
        presented = callee is not None and caller_id.presented(bool(flags[4]), callee.service_state)
        reachable = len(callee_devices) + len(pushable)
        refusal = _decide(caller_party, callee_party, caller_in_call, callee_in_call, blocked, reachable)
        held = False
        if caller_refusal(caller_party) is None and not caller_in_call:
            claim = await self.lines.claim(
                call_id, caller.id, callee.id if callee is not None else None, ttl=self.line_ttl, hold=refusal is None
            )
            held = claim.held
            caller_in_call = claim.caller_taken
            callee_in_call = callee_in_call or claim.callee_taken
            refusal = _decide(caller_party, callee_party, caller_in_call, callee_in_call, blocked, reachable)
        # A callee with forwarding rules or voicemail who would ring, is busy or is unreachable: the
        # diversion decides (services.signaling_diversion, R-17/R-18).
        divert = callee is not None and has_diversion(callee) and divertible(refusal)

        # 4. The call and its record.  From here to the registration below nothing awaits but the
        #    insert, whose failure releases the lines: a call that is refused or ends always gives them back.
        try:
            if call_id in self._inserting or call_id in self.calls:
                await self._release_lines(call_id, (caller.id, callee_id) if held else ())
                await self._error(device, "duplicate_call_id", message, call_id)
                return
            if divert:
                call, sends = Call.pending(call_id, device, callee_id, now, pol.no_answer_timeout_seconds), list[Send]()
            elif refusal is not None:
                call, sends = Call.refused(call_id, device, callee_id, refusal.reason, now)
            else:
                timeout = pol.no_answer_timeout_seconds
                call, sends = Call.place(call_id, device, callee_id, callee_devices, now, timeout, pushable)
            if held and call.state is CallState.ENDED:
                await self._release_lines(call_id, (caller.id, callee_id))
                held = False
            self._inserting.add(call_id)
            try:
                await self.records.insert(self._record_of(call, caller.id, shown, callee, to, device, now, presented))
            finally:
                self._inserting.discard(call_id)
        except BaseException:
            if held:
                await self._release_lines(call_id, (caller.id, callee_id))
            raise

        metrics.call_invited(call.outcome.value if call.state is CallState.ENDED and call.outcome else None)
        # 5. Held here while it goes on; its first messages (ringing, incoming — or why it was refused).
        meta = meta_of(message, caller, to, refusal, device, self.node_id, callee_id, callee_devices)
        meta.caller_shown = caller_id.shown_to_callee(presented, shown, caller.name, flags[5] if presented else None)
        self.device_calls[device].add(call_id)
        if call.state is not CallState.ENDED:
            self.calls[call_id] = call
            self.meta[call_id] = meta
        if divert:
            await self._divert_at_invite(
                call, meta, caller, callee, busy=callee_in_call, devices=callee_devices, held=held, push=pushable
            )
            return
        await self._dispatch(call, meta, sends)
        if call.state is CallState.ENDED:
            self._forget(call, meta)

    def _record_of(
        self,
        call: Call,
        caller: int,
        shown: str,
        callee: Any,
        to: str,
        device: DeviceRef,
        now: datetime,
        presented: bool,
    ) -> dict[str, Any]:
        """The call record of an invite (its ``call_records`` row as inserted): the number the caller
        presented and the number dialled (either may be a second number, R-19)."""
        return {
            "id": call.id,
            "caller_id": caller,
            "callee_id": callee.id if callee is not None else None,
            "caller_number": shown,
            "callee_number": to,
            "caller_device": device[1],
            "callee_device": "",
            "node_id": self.node_id,
            "state": call.state.value,
            "started_at": now,
            "ended_at": call.ended_at,
            "outcome": call.outcome.value if call.outcome else "",
            "end_reason": call.end_reason.value if call.end_reason else "",
            "billable_seconds": 0,
            "leg_of": None,
            "forwarded_by": "",
            "forwarded_to": "",
            "forward_reason": "",
            "caller_presented": presented,
        }

    # -- enforcement (R-30, R-31) ----------------------------------------------------------------------
    async def on_restriction_changed(self, event: RestrictionChanged) -> None:
        """After the commit of a restriction (ADR 0007): end the calls it forbids."""
        await self.enforce(event.subscriber_id)

    async def _enforce_local(self, subscriber_id: int) -> None:
        held = [cid for cid, call in self.calls.items() if subscriber_id in call.line_parties()]
        if not held:
            return
        async with self.deps.uow() as uow:
            state = await subscribers.service_state_of(uow.session, subscriber_id)
        if state is None:
            return
        now = self.deps.clock.now()
        for call_id in held:
            async with self._locks[call_id]:
                call, meta = self.calls.get(call_id), self.meta.get(call_id)
                if call is None or meta is None:
                    continue
                # A forwarding subscriber places (and pays) the leg: their calls out are what counts.
                placed = call.caller[0] == subscriber_id or subscriber_id in call.forwarded_from
                if not enforcement.call_forbidden(state.service_state, is_caller=placed):
                    continue
                meta.detail = enforcement.end_detail(state.service_state, state.service_reason)
                log.info("call ended by a restriction", call_id=call_id, detail=meta.detail)
                await self._apply(call, call.end(EndReason.NOT_ALLOWED, now))

    # -- time ----------------------------------------------------------------------------------------
    async def tick(self) -> None:
        """No-answer timeouts and connections that did not come back."""
        if not self.calls:
            return
        now = self.deps.clock.now()
        grace = (await self._current_policy()).reconnect_grace_seconds
        for call_id in list(self.calls):
            async with self._locks[call_id]:
                call = self.calls.get(call_id)
                if call is None:
                    continue
                if call.divert_due(now):  # forwarding on no answer, or the mailbox
                    await self._divert_on_no_answer(call)
                    if call.state is CallState.ENDED or call.divert_at is not None or call.id not in self.calls:
                        continue
                sends = call.tick(now, grace)
                if sends:
                    await self._apply(call, sends)


def _decide(
    caller: Party,
    callee: Party | None,
    caller_in_call: bool,
    callee_in_call: bool,
    blocked: bool,
    reachable: int,
) -> Refusal | None:
    """The invite's decision (domain.call_rules) on what the reads and the lines said; ``reachable``:
    the callee's devices connected or reachable by push."""
    return check_invite(
        caller,
        callee,
        caller_in_call=caller_in_call,
        blocked=blocked,
        callee_in_call=callee_in_call,
        callee_devices=reachable,
    )

"""Call forwarding and the way to voicemail in the signaling hub (R-17, R-18; ADR 0010).

The hub's invite reads, for both parties, their forwarding rules and whether they have forwarding and
voicemail today (folded into its first statement: no round trip more at the invite).  A callee with
either goes through here: their unconditional rule at once; busy (in a call, or their line claimed)
and unreachable (no device online) at the invite; no answer when the forward timer fires before the
normal no-answer timeout (one read then: the callee's row again, so a service withdrawn meanwhile
counts).  The decision is ``domain.forwarding.next_target``; each hop costs the target's two invite
statements (and a credit read for a forwarder with a credit limit).

A forwarded leg is a call record of its own (``leg_of`` the call dialled), paid by the forwarding
subscriber: their restrictions and credit limit decide whether they may forward at all, and their
credit limit is reserved at the answer like the caller's.  The target's block list (of the original
caller's number), their service state and their line apply to every leg.  The caller stays the
caller: the same call id on their device, ``forwarded`` when it moves on.

When the decision is the callee's mailbox, ``services.voicemail_deposits.open_deposit`` says whether
the caller may leave a message; the call then ends with reason ``voicemail``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import structlog

from videophone.calling.domain import caller_id
from videophone.calling.domain import forwarding as rules
from videophone.calling.domain.call_rules import Party, caller_refusal, can_receive
from videophone.calling.domain.calls import Call, CallState, EndReason
from videophone.calling.domain.contacts import normalize_number
from videophone.calling.domain.features import Feature, works_in
from videophone.calling.domain.forwarding import Condition, Rule, TargetKind
from videophone.calling.services import voicemail_deposits
from videophone.calling.services.signaling_cluster import ClusterMember
from videophone.calling.services.signaling_state import CallMeta
from videophone.calling.store import signaling as store

if TYPE_CHECKING:
    from videophone.collections.public import CreditService
    from videophone.identity.domain.policy import OperatorPolicy

log = structlog.get_logger("videophone.calling.services.signaling")


@dataclass(frozen=True)
class Plan:
    """What a callee's diversion may do now: their rules (when they may forward), their voicemail."""

    rules: Mapping[Condition, Rule]  # empty unless they have forwarding and may forward now
    voicemail: bool


def rules_of(sub: Any) -> dict[Condition, Rule]:
    """A callee's forwarding rules from their row of the invite's first read."""
    found: dict[Condition, Rule] = {}
    for condition, target, delay, number in store.unpack_rules(sub.forwarding_rules):
        if condition in rules.CONDITIONS and target in (TargetKind.NUMBER.value, TargetKind.VOICEMAIL.value):
            found[Condition(condition)] = Rule(Condition(condition), TargetKind(target), number, delay)
    return found


def has_diversion(sub: Any) -> bool:
    """Whether a callee's row says forwarding or voicemail could apply (the plain call otherwise)."""
    features = store.features_of_row(sub.features)
    return Feature.VOICEMAIL in features or (Feature.FORWARDING in features and bool(sub.forwarding_rules))


def party_of(sub: Any) -> Party:
    """A subscriber row (ORM object or a selected row with the same column names) as a rules party."""
    return Party(sub.id, sub.number, sub.review_state, sub.service_state, sub.service_reason)


class Diversion(ClusterMember):
    """The forwarding side of ``SignalingHub`` (a base of it: it works on the hub's own state)."""

    line_ttl: float
    credit: CreditService | None

    if TYPE_CHECKING:  # the hub's own, used here

        async def _current_policy(self) -> OperatorPolicy: ...

    def _today(self, now: datetime) -> Any:
        return now.astimezone(self.deps.operator_tz).date()

    # -- entry points ----------------------------------------------------------------------------------
    async def _divert_at_invite(
        self,
        call: Call,
        meta: CallMeta,
        caller: Any,
        callee: Any,
        *,
        busy: bool,
        devices: Mapping[str, str],
        held: bool,
        push: frozenset[str] = frozenset(),
    ) -> None:
        """An invite to a callee with forwarding rules or voicemail: forward, send to the mailbox, or
        ring (with the no-answer timer) — or end as without them (busy, offline)."""
        meta.chain = [caller.number, callee.number]
        meta.records = [call.id]
        meta.lines_held = held
        async with self._locks[call.id]:
            await self._safely(call, self._arrive(call, meta, callee, busy=busy, devices=devices, push=push))

    async def _divert_on_no_answer(self, call: Call) -> None:
        """The forward timer fired (the call lock is held): the current callee's no-answer diversion,
        decided on their rules and features as they are now."""
        meta = self.meta.get(call.id)
        if meta is None or not meta.chain:
            return
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            conn = await uow.session.connection()
            parties = await store.invite_parties(conn, call.caller[0], meta.chain[-1], self._today(now))
        callee = next((p for p in parties if p.number == meta.chain[-1] and p.id == call.callee_id), None)
        if callee is None:
            return
        await self._safely(call, self._divert(call, meta, callee, await self._plan(callee), Condition.NO_ANSWER))

    async def _safely(self, call: Call, step: Any) -> None:
        try:
            await step
        except Exception:  # never leave a call half diverted: it ends as failed
            log.exception("call diversion failed", call_id=call.id)
            if call.state is not CallState.ENDED and call.id in self.calls:
                await self._apply(call, call.end(EndReason.FAILED, self.deps.clock.now()))

    # -- the decision at a callee ----------------------------------------------------------------------
    async def _arrive(
        self,
        call: Call,
        meta: CallMeta,
        callee: Any,
        *,
        busy: bool,
        devices: Mapping[str, str],
        push: frozenset[str] = frozenset(),
    ) -> None:
        """The call is offered to ``callee`` (dialled, or a forwarded leg's target), whose devices
        ``devices`` are connected and ``push`` reachable by push (R-36)."""
        now = self.deps.clock.now()
        plan = await self._plan(callee)
        conditions = [Condition.UNCONDITIONAL] if Condition.UNCONDITIONAL in plan.rules else []
        if busy:
            conditions.append(Condition.BUSY)
        elif not devices and not push:
            conditions.append(Condition.UNREACHABLE)
        for condition in conditions:
            if await self._divert(call, meta, callee, plan, condition) or call.state is CallState.ENDED:
                return
        if busy:
            sends = call.end(EndReason.BUSY, now)
        elif not devices and not push:
            sends = call.end(EndReason.OFFLINE, now)
        else:
            meta.nodes.update({(callee.id, d): n for d, n in devices.items()})
            timeout = (await self._current_policy()).no_answer_timeout_seconds
            delay = rules.no_answer_delay(plan.rules, timeout, plan.voicemail)
            sends = call.ring(devices, now, delay, push)
        await self._apply(call, sends)

    async def _plan(self, callee: Any) -> Plan:
        """The callee's rules and features, as the invite's first read gave them; their rules count only
        while they have forwarding and may place a call (restrictions, credit limit: they pay the leg)."""
        features = store.features_of_row(callee.features) if works_in(callee.service_state) else frozenset()
        voicemail = Feature.VOICEMAIL in features
        found = rules_of(callee)
        if not found or Feature.FORWARDING not in features:
            return Plan({}, voicemail)
        if not await self._may_forward(callee):
            return Plan({}, voicemail)
        return Plan(found, voicemail)

    async def _may_forward(self, forwarder: Any) -> bool:
        """Whether the forwarder may place the leg they would pay for (R-26, R-30)."""
        party = party_of(forwarder)
        if caller_refusal(party) is not None:
            return False
        if forwarder.credit_limit_fen is None or self.credit is None:
            return True
        action = (await self._current_policy()).credit_limit_action
        room = await self.credit.room(forwarder.id, forwarder.credit_limit_fen, action)
        return caller_refusal(replace(party, credit=room)) is None

    async def _divert(self, call: Call, meta: CallMeta, forwarder: Any, plan: Plan, condition: Condition) -> bool:
        """Follow the forwarder's rule for ``condition`` (or their mailbox); whether the call was diverted."""
        refused: set[str] = set()
        while True:
            target = rules.next_target(
                condition,
                meta.chain,
                plan.rules,
                forwarding=bool(plan.rules),
                voicemail=plan.voicemail,
                refused=refused,
            )
            if target is None:
                return False
            if target.voicemail:
                return await self._to_voicemail(call, meta, forwarder)
            if await self._offer(call, meta, forwarder, target.number, condition) or call.state is CallState.ENDED:
                return True
            refused.add(target.number)

    # -- the two diversions ----------------------------------------------------------------------------------
    async def _to_voicemail(self, call: Call, meta: CallMeta, owner: Any) -> bool:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            deposit = await voicemail_deposits.open_deposit(
                uow, self.deps, callee_id=owner.id, caller_id=call.caller[0], call_id=meta.records[-1], now=now
            )
            await uow.commit()
        if deposit is None:
            return False
        meta.voicemail = {
            "token": deposit.token,
            "max_seconds": deposit.max_seconds,
            "greeting_url": deposit.greeting_url,
        }
        await self._apply(call, call.end(EndReason.VOICEMAIL, now))
        return True

    async def _offer(self, call: Call, meta: CallMeta, forwarder: Any, number: str, condition: Condition) -> bool:
        """Forward the call to ``number`` as a leg paid by ``forwarder``; ``False`` when the target is
        unknown, blocked the caller, cannot take calls, or is already a party (nothing changed)."""
        now = self.deps.clock.now()
        leg_id = str(uuid.uuid4())
        async with self.deps.uow() as uow:
            conn = await uow.session.connection()
            parties = await store.invite_parties(conn, forwarder.id, number, self._today(now))
            target = next((p for p in parties if p.number == number), None)
            if target is None:
                return False
            flags = await store.invite_flags(
                conn,
                leg_id,
                forwarder.id,
                target.id,
                normalize_number(meta.caller_number),
                self._today(now),
                shown_number=meta.caller_number,
            )
        if target.id in call.line_parties() or flags[3] or not can_receive(party_of(target)):
            return False
        # Caller ID on the leg is the target's (ADR 0009): they see the original caller only if they hold it.
        presented = caller_id.presented(bool(flags[4]), target.service_state)
        meta.caller_shown = caller_id.shown_to_callee(
            presented, meta.caller_number, meta.caller_name, flags[5] if presented else None
        )
        # The target's line (and the caller's, when the call holds none yet: its callee was busy).
        if meta.lines_held:
            claim = await self.lines.claim(call.id, target.id, None, ttl=self.line_ttl)
            target_taken = claim.caller_taken
        else:
            claim = await self.lines.claim(call.id, call.caller[0], target.id, ttl=self.line_ttl)
            if claim.caller_taken:  # the caller is in another call by now
                meta.detail = "in_call"
                await self._apply(call, call.end(EndReason.NOT_ALLOWED, now))
                return True
            target_taken = claim.callee_taken
            meta.lines_held = claim.held
        devices = await self.presence.devices(target.id)
        push = store.push_devices_of_row(target.push_devices).difference(devices)
        await asyncio.gather(
            self.records.insert(
                {
                    "id": leg_id,
                    "caller_id": forwarder.id,  # who pays the leg (ADR 0010)
                    "callee_id": target.id,
                    "caller_number": meta.caller_number,  # the caller is still the caller
                    "callee_number": number,
                    "caller_device": "",
                    "callee_device": "",
                    "node_id": self.node_id,
                    "state": CallState.RINGING.value,
                    "started_at": now,
                    "ended_at": None,
                    "outcome": "",
                    "end_reason": "",
                    "billable_seconds": 0,
                    "leg_of": call.id,
                    "forwarded_by": forwarder.number,
                    "forwarded_to": "",
                    "forward_reason": condition.value,
                    "caller_presented": presented,
                }
            ),
            self.records.forward(meta.records[-1], number),
        )
        meta.records.append(leg_id)
        if forwarder.credit_limit_fen is not None:
            meta.limited_legs[leg_id] = forwarder.id
        meta.chain.append(number)
        meta.forwarded_by = forwarder.number
        timeout = (await self._current_policy()).no_answer_timeout_seconds
        await self._dispatch(call, meta, call.forward(target.id, condition.value, now, timeout))
        log.info("call forwarded", call_id=call.id, leg=leg_id, condition=condition.value, hops=len(meta.records) - 1)
        await self._arrive(call, meta, target, busy=bool(flags[2]) or target_taken, devices=devices, push=push)
        return True

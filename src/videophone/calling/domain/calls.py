"""The call: a server-authoritative state machine (R-10, R-13).

Pure: every method takes the current time and returns the notices to send; nothing here does I/O.
A call is ``ringing`` (callee devices alerted) → ``answered`` (one device accepted) → ``ended``, or
goes straight from ``ringing`` to ``ended``.  Once ended it never changes again, and it always ends:
at the no-answer timeout while ringing, or when a party's connection stays away longer than the
grace period.

A callee's device that is not connected but has a Web Push subscription is *reachable by push* (R-36):
the call rings for it too — it is told with a ``push`` notice (the hub sends the push) — and when a
device of the callee connects while the call still rings (:meth:`Call.device_joined`) it rings there
with what is left of the no-answer time, which always counts from the invite.

A call of a subscriber with a credit limit (R-26) may carry a limit: :meth:`Call.set_limit` at answer
gives it the instant it is cut off (``limit_at``) and the instant both parties are warned
(``warn_at``, 60 s before); :meth:`Call.tick` applies both.  A call ended by anything at or after its
limit is recorded as cut off at the limit, so it is never billed for a second beyond it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from videophone.kernel.errors import InvalidState

DeviceRef = tuple[int, str]
"""(subscriber id, device id)"""


class CallState(StrEnum):
    RINGING = "ringing"
    ANSWERED = "answered"
    ENDED = "ended"


class Outcome(StrEnum):
    ANSWERED = "answered"
    MISSED = "missed"
    REJECTED = "rejected"
    BUSY = "busy"
    CANCELLED = "cancelled"
    FAILED = "failed"
    CUT_OFF_CREDIT = "cut_off_credit"
    VOICEMAIL = "voicemail"  # the caller was sent to the callee's mailbox
    # Not an end of the state machine: a call diverted to voicemail whose caller left a message
    # (``services.voicemail`` writes it on the record after the call, R-18).
    VOICEMAIL_LEFT = "voicemail_left"


class EndReason(StrEnum):
    HANGUP = "hangup"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    NO_ANSWER = "no_answer"
    OFFLINE = "offline"
    BUSY = "busy"
    UNAVAILABLE = "unavailable"
    BLOCKED = "blocked"  # recorded as such; the caller is only told "unavailable"
    NUMBER_UNKNOWN = "number_unknown"
    NOT_ALLOWED = "not_allowed"
    CONNECTION_LOST = "connection_lost"
    NODE_LOST = "node_lost"
    FAILED = "failed"
    CUT_OFF_CREDIT = "cut_off_credit"
    VOICEMAIL = "voicemail"  # 转入留言: the call went to a mailbox


FORWARDED = "forwarded"  # what the devices a call was forwarded away from are told (``ended``)

_OUTCOME: dict[EndReason, Outcome] = {
    EndReason.HANGUP: Outcome.ANSWERED,
    EndReason.CANCELLED: Outcome.CANCELLED,
    EndReason.REJECTED: Outcome.REJECTED,
    EndReason.NO_ANSWER: Outcome.MISSED,
    EndReason.OFFLINE: Outcome.MISSED,
    EndReason.BUSY: Outcome.BUSY,
    EndReason.UNAVAILABLE: Outcome.FAILED,
    EndReason.BLOCKED: Outcome.FAILED,
    EndReason.NUMBER_UNKNOWN: Outcome.FAILED,
    EndReason.NOT_ALLOWED: Outcome.FAILED,
    EndReason.FAILED: Outcome.FAILED,
    EndReason.CUT_OFF_CREDIT: Outcome.CUT_OFF_CREDIT,
    EndReason.VOICEMAIL: Outcome.VOICEMAIL,
}


def outcome_of(reason: EndReason, *, answered: bool) -> Outcome:
    # ``not_allowed`` after the answer: a restriction imposed during the call ended it;
    # the time talked until then is an answered call's (rated like any other).
    if reason in (EndReason.CONNECTION_LOST, EndReason.NODE_LOST, EndReason.NOT_ALLOWED):
        return Outcome.ANSWERED if answered else Outcome.FAILED
    return _OUTCOME[reason]


def public_reason(reason: EndReason) -> EndReason:
    """What the parties are told: a blocked caller learns only that the callee is unavailable."""
    return EndReason.UNAVAILABLE if reason is EndReason.BLOCKED else reason


def reason_seen_by(reason: str, *, caller: bool) -> str:
    """A stored end reason as one party of the call reads it later (history): the caller of a call
    the callee blocked reads "unavailable", as they were told at the time; the callee reads the truth."""
    return EndReason.UNAVAILABLE.value if caller and reason == EndReason.BLOCKED.value else reason


class Notice(StrEnum):
    RINGING = "ringing"
    INCOMING = "incoming"
    ACCEPTED = "accepted"
    ANSWERED = "answered"
    ANSWERED_ELSEWHERE = "answered_elsewhere"
    ENDED = "ended"
    PEER_RECONNECTING = "peer_reconnecting"
    PEER_RECONNECTED = "peer_reconnected"
    CREDIT_WARNING = "credit_warning"
    FORWARDED = "forwarded"  # to the caller: the call goes on to another number
    PUSH = "push"  # to a callee device not connected: wake it by Web Push; never sent on a socket


@dataclass(frozen=True)
class Send:
    """An effect: tell one device something about this call."""

    to: DeviceRef
    notice: Notice
    data: Mapping[str, Any] = field(default_factory=dict)


def _out_of_order(action: str, state: CallState) -> InvalidState:
    return InvalidState("out_of_order", params={"action": action, "state": state.value})


def _not_participant() -> InvalidState:
    return InvalidState("not_participant")


@dataclass
class Call:
    id: str
    caller: DeviceRef
    callee_id: int
    created_at: datetime
    ring_deadline: datetime
    state: CallState = CallState.RINGING
    ringing: set[str] = field(default_factory=set)
    answered_device: str | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: EndReason | None = None
    outcome: Outcome | None = None
    ended_by: str | None = None  # caller | callee | None (the system)
    disconnected: dict[DeviceRef, datetime] = field(default_factory=dict)
    limit_at: datetime | None = None  # credit limit: cut off at this instant
    warn_at: datetime | None = None
    credit_warned: bool = False
    # Call forwarding: the callees it was offered to before the current one, and when the
    # no-answer diversion (a forward or the mailbox) is due while it rings.
    forwarded_from: list[int] = field(default_factory=list)
    divert_at: datetime | None = None
    # The callee's devices woken by push: the call rings on for them while no device is connected.
    pushed: set[str] = field(default_factory=set)

    # -- creation --------------------------------------------------------------------------------------
    @classmethod
    def place(
        cls,
        call_id: str,
        caller: DeviceRef,
        callee_id: int,
        callee_devices: Iterable[str],
        now: datetime,
        no_answer_timeout: int,
        push_devices: Iterable[str] = (),
    ) -> tuple[Call, list[Send]]:
        """Alert every connected device of the callee and wake by push those reachable by push; with
        neither the call is missed."""
        call = cls(call_id, caller, callee_id, now, now + timedelta(seconds=no_answer_timeout))
        return call, call._alert(callee_devices, push_devices, now)

    @classmethod
    def pending(cls, call_id: str, caller: DeviceRef, callee_id: int, now: datetime, no_answer_timeout: int) -> Call:
        """A call whose callee has forwarding or voicemail: nothing rings until the diversion decision
        (:meth:`ring`, :meth:`forward` or :meth:`end`)."""
        return cls(call_id, caller, callee_id, now, now + timedelta(seconds=no_answer_timeout))

    @classmethod
    def adopted(
        cls,
        call_id: str,
        caller: DeviceRef,
        callee: DeviceRef,
        started_at: datetime,
        answered_at: datetime,
        absent: Iterable[DeviceRef],
        now: datetime,
    ) -> tuple[Call, list[Send]]:
        """An answered call whose node died, taken over by another node from its record: the parties
        whose devices are not connected to a live node are away since ``now`` (the grace period to come
        back, as for any lost connection); the others hear that they are reconnecting."""
        call = cls(call_id, caller, callee[0], started_at, started_at, state=CallState.ANSWERED)
        call.answered_device = callee[1]
        call.answered_at = answered_at
        sends: list[Send] = []
        for device in absent:
            sends += call.device_lost(device, now)
        return call, sends

    def ring(
        self,
        callee_devices: Iterable[str],
        now: datetime,
        divert_after: int | None = None,
        push_devices: Iterable[str] = (),
    ) -> list[Send]:
        """Alert every connected device of the current callee and wake those reachable by push (neither:
        the call is missed); with ``divert_after``, the no-answer diversion is due that many seconds
        from now."""
        if self.state is not CallState.RINGING:
            raise _out_of_order("ring", self.state)
        sends = self._alert(callee_devices, push_devices, now)
        if self.state is CallState.RINGING:
            self.divert_at = None if divert_after is None else now + timedelta(seconds=divert_after)
        return sends

    def _alert(self, callee_devices: Iterable[str], push_devices: Iterable[str], now: datetime) -> list[Send]:
        devices = sorted(set(callee_devices))
        pushed = sorted(set(push_devices) - set(devices))
        if not devices and not pushed:
            return self._end(EndReason.OFFLINE, now)
        self.ringing = set(devices)
        self.pushed = set(pushed)
        expires = self.expires_in(now)
        sends = [Send((self.callee_id, d), Notice.INCOMING, {"expires_in": expires}) for d in devices]
        deadline = {"deadline": self.ring_deadline.isoformat()}
        sends += [Send((self.callee_id, d), Notice.PUSH, deadline) for d in pushed]
        sends.append(Send(self.caller, Notice.RINGING))
        return sends

    def expires_in(self, now: datetime) -> int:
        """Whole seconds left before the no-answer timeout (counted from the invite)."""
        return max(0, math.ceil((self.ring_deadline - now).total_seconds()))

    def device_joined(self, device: DeviceRef, now: datetime) -> list[Send]:
        """A device of the callee connected while the call rings — woken by its push, or simply opened
        (R-36): it rings there too (again, for a device that reloaded) for the time that is left.
        Nothing for anyone else, for a call not ringing yet (its diversion is being decided) or one
        whose time is up (its tick ends it)."""
        if self.state is not CallState.RINGING or device[0] != self.callee_id or not (self.ringing or self.pushed):
            return []
        expires = self.expires_in(now)
        if expires <= 0 or now >= self.ring_deadline:
            return []
        self.ringing.add(device[1])
        return [Send(device, Notice.INCOMING, {"expires_in": expires})]

    def forward(self, to_id: int, reason: str, now: datetime, no_answer_timeout: int) -> list[Send]:
        """The call goes on to ``to_id`` (a forwarded leg): the devices ringing stop (``ended``,
        reason ``forwarded``), the caller is told, and the new callee gets a full no-answer timeout
        (a call is forwarded a bounded number of times: ``domain.forwarding.MAX_HOPS``)."""
        if self.state is not CallState.RINGING:
            raise _out_of_order("forward", self.state)
        stopped = sorted(self.ringing)
        data = {"reason": FORWARDED, "outcome": FORWARDED, "duration": 0, "by": None}
        sends = [Send((self.callee_id, d), Notice.ENDED, data) for d in stopped]
        self.forwarded_from.append(self.callee_id)
        self.callee_id = to_id
        self.ringing = set()
        self.pushed = set()
        self.divert_at = None
        self.ring_deadline = now + timedelta(seconds=no_answer_timeout)
        sends.append(Send(self.caller, Notice.FORWARDED, {"reason": reason}))
        return sends

    def divert_due(self, now: datetime) -> bool:
        """Whether the no-answer diversion is due now (once: it is cleared)."""
        if self.state is CallState.RINGING and self.divert_at is not None and now >= self.divert_at:
            self.divert_at = None
            return True
        return False

    def line_parties(self) -> tuple[int, ...]:
        """Every subscriber whose line this call may hold: the caller, each callee it was forwarded
        away from, the current callee."""
        return (self.caller[0], *self.forwarded_from, self.callee_id)

    @classmethod
    def refused(
        cls, call_id: str, caller: DeviceRef, callee_id: int, reason: EndReason, now: datetime
    ) -> tuple[Call, list[Send]]:
        """An invite refused before anything rang (busy, blocked, not allowed, unknown number)."""
        call = cls(call_id, caller, callee_id, now, now)
        return call, call._end(reason, now)

    # -- who is who ----------------------------------------------------------------------------------
    @property
    def callee_device(self) -> DeviceRef | None:
        return (self.callee_id, self.answered_device) if self.answered_device else None

    def participants(self) -> list[DeviceRef]:
        """Every device currently part of the call."""
        if self.callee_device is not None:
            return [self.caller, self.callee_device]
        return [self.caller, *((self.callee_id, d) for d in sorted(self.ringing))]

    def role_of(self, device: DeviceRef) -> str | None:
        if device == self.caller:
            return "caller"
        if device[0] == self.callee_id and (device[1] == self.answered_device or device[1] in self.ringing):
            return "callee"
        return None

    def peer_of(self, device: DeviceRef) -> list[DeviceRef]:
        """Where a device's trickle ICE and renegotiation go."""
        role = self.role_of(device)
        if role is None:
            raise _not_participant()
        if self.state is CallState.ANSWERED:
            assert self.callee_device is not None
            return [self.callee_device] if role == "caller" else [self.caller]
        if self.state is CallState.RINGING and role == "caller":
            return [(self.callee_id, d) for d in sorted(self.ringing)]
        raise _out_of_order("relay", self.state)

    def billable_seconds(self) -> int:
        if self.answered_at is None or self.ended_at is None:
            return 0
        return max(0, math.ceil((self.ended_at - self.answered_at).total_seconds()))

    # -- events ------------------------------------------------------------------------------------
    def accept(self, device: DeviceRef, now: datetime) -> list[Send]:
        self._require_callee_ringing(device, "accept")
        self.state = CallState.ANSWERED
        self.answered_device = device[1]
        self.answered_at = now
        others = sorted(self.ringing - {device[1]})
        self.ringing = set()
        self.pushed = set()
        sends = [
            Send(self.caller, Notice.ACCEPTED, {"answered_at": now.isoformat()}),
            Send(device, Notice.ANSWERED, {"answered_at": now.isoformat()}),
        ]
        sends += [Send((self.callee_id, d), Notice.ANSWERED_ELSEWHERE) for d in others]
        return sends

    def reject(self, device: DeviceRef, now: datetime) -> list[Send]:
        self._require_callee_ringing(device, "reject")
        return self._end(EndReason.REJECTED, now, by="callee")

    def cancel(self, device: DeviceRef, now: datetime) -> list[Send]:
        if device != self.caller:
            raise _not_participant() if self.role_of(device) is None else _out_of_order("cancel", self.state)
        if self.state is not CallState.RINGING:
            raise _out_of_order("cancel", self.state)
        return self._end(EndReason.CANCELLED, now, by="caller")

    def hangup(self, device: DeviceRef, now: datetime) -> list[Send]:
        role = self.role_of(device)
        if role is None:
            raise _not_participant()
        if self.state is not CallState.ANSWERED:
            raise _out_of_order("hangup", self.state)
        return self._end(EndReason.HANGUP, now, by=role)

    def end(self, reason: EndReason, now: datetime) -> list[Send]:
        """End for a reason outside the parties' hands (node lost, credit limit, media failure)."""
        if self.state is CallState.ENDED:
            return []
        return self._end(reason, now)

    def device_lost(self, device: DeviceRef, now: datetime) -> list[Send]:
        """A device's connection dropped.  A ringing callee device just stops ringing (when the last
        one goes and no device was woken by push, the call is missed); a party of the call gets the
        grace period to come back."""
        if self.state is CallState.ENDED or self.role_of(device) is None:
            return []
        if self.state is CallState.RINGING and device != self.caller:
            self.ringing.discard(device[1])
            return self._end(EndReason.OFFLINE, now) if not self.ringing and not self.pushed else []
        if device in self.disconnected:
            return []
        self.disconnected[device] = now
        return [Send(peer, Notice.PEER_RECONNECTING) for peer in self.participants() if peer != device]

    def device_back(self, device: DeviceRef, now: datetime) -> list[Send]:
        if self.state is CallState.ENDED or device not in self.disconnected:
            return []
        del self.disconnected[device]
        return [Send(peer, Notice.PEER_RECONNECTED) for peer in self.participants() if peer != device]

    # -- credit limit (R-26) -------------------------------------------------------------------------
    def set_limit(self, seconds: int, now: datetime, warn_before: int = 60) -> list[Send]:
        """Limit an answered call to ``seconds`` from its answer.  Returns what is due at once: the
        warning when less than ``warn_before`` seconds are left, or the end when none are."""
        if self.state is not CallState.ANSWERED or self.answered_at is None:
            raise _out_of_order("limit", self.state)
        if seconds < 0:
            raise ValueError("a call's limit cannot be negative")
        self.limit_at = self.answered_at + timedelta(seconds=seconds)
        self.warn_at = max(self.answered_at, self.limit_at - timedelta(seconds=warn_before))
        self.credit_warned = False
        return self._credit_due(now)

    def limit_seconds(self, now: datetime) -> int | None:
        """Whole seconds left before the call is cut off (``None``: no limit)."""
        if self.limit_at is None:
            return None
        return max(0, math.ceil((self.limit_at - now).total_seconds()))

    def _credit_due(self, now: datetime) -> list[Send]:
        if self.limit_at is None or self.state is not CallState.ANSWERED:
            return []
        if now >= self.limit_at:
            return self._end(EndReason.CUT_OFF_CREDIT, self.limit_at)
        if not self.credit_warned and self.warn_at is not None and now >= self.warn_at:
            self.credit_warned = True
            data = {"remaining": self.limit_seconds(now)}
            return [Send(device, Notice.CREDIT_WARNING, data) for device in self.participants()]
        return []

    def tick(self, now: datetime, grace_seconds: int) -> list[Send]:
        """Timeouts: no answer in time; a party away longer than the grace period; the credit limit."""
        if self.state is CallState.RINGING and now >= self.ring_deadline:
            return self._end(EndReason.NO_ANSWER, now)
        if self.limit_at is not None:
            due = self._credit_due(now)
            if due:
                return due
        grace = timedelta(seconds=grace_seconds)
        if self.state is not CallState.ENDED and any(now - t >= grace for t in self.disconnected.values()):
            return self._end(EndReason.CONNECTION_LOST, now)
        return []

    # -- internals -------------------------------------------------------------------------------------
    def _require_callee_ringing(self, device: DeviceRef, action: str) -> None:
        if device[0] != self.callee_id or (device[1] not in self.ringing and device[1] != self.answered_device):
            raise _not_participant()
        if self.state is not CallState.RINGING:
            raise _out_of_order(action, self.state)

    def _end(self, reason: EndReason, now: datetime, by: str | None = None) -> list[Send]:
        if self.state is CallState.ENDED:
            raise _out_of_order("end", self.state)
        if self.limit_at is not None and self.state is CallState.ANSWERED and now >= self.limit_at:
            # Whatever ends it at or after its limit, the call was cut off at the limit.
            reason, now, by = EndReason.CUT_OFF_CREDIT, self.limit_at, None
        told = self.participants()
        self.state = CallState.ENDED
        self.ended_at = now
        self.end_reason = reason
        self.ended_by = by
        self.outcome = outcome_of(reason, answered=self.answered_at is not None)
        self.ringing = set()
        self.pushed = set()
        self.disconnected = {}
        data = {
            "reason": public_reason(reason).value,
            "outcome": self.outcome.value,
            "duration": self.billable_seconds(),
            "by": by,
        }
        return [Send(device, Notice.ENDED, data) for device in told]

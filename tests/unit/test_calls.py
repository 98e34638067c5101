"""The call state machine (domain/calls.py): examples and Hypothesis state-machine properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from videophone.calling.domain.calls import Call, CallState, EndReason, Notice, Outcome, outcome_of, public_reason
from videophone.kernel.errors import InvalidState

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
A = (1, "a-phone")
B1, B2 = (2, "b-phone"), (2, "b-tablet")


def place(devices: tuple[str, ...] = ("b-phone", "b-tablet"), timeout: int = 45) -> Call:
    call, _ = Call.place("c1", A, 2, devices, T0, timeout)
    return call


def kinds(sends: list) -> list[tuple[tuple[int, str], Notice]]:  # type: ignore[type-arg]
    return [(s.to, s.notice) for s in sends]


def test_placing_rings_every_device_and_tells_the_caller() -> None:
    call, sends = Call.place("c1", A, 2, ["b-phone", "b-tablet"], T0, 45)
    assert call.state is CallState.RINGING
    assert kinds(sends) == [(B1, Notice.INCOMING), (B2, Notice.INCOMING), (A, Notice.RINGING)]
    assert call.ring_deadline == T0 + timedelta(seconds=45)


def test_nobody_connected_is_a_missed_call() -> None:
    call, sends = Call.place("c1", A, 2, [], T0, 45)
    assert (call.state, call.end_reason, call.outcome) == (CallState.ENDED, EndReason.OFFLINE, Outcome.MISSED)
    assert kinds(sends) == [(A, Notice.ENDED)]


def test_first_device_to_answer_wins() -> None:
    call = place()
    sends = call.accept(B2, T0 + timedelta(seconds=3))
    assert kinds(sends) == [(A, Notice.ACCEPTED), (B2, Notice.ANSWERED), (B1, Notice.ANSWERED_ELSEWHERE)]
    assert call.participants() == [A, B2]
    with pytest.raises(InvalidState):
        call.accept(B1, T0)


def test_billable_seconds_round_up() -> None:
    call = place()
    call.accept(B1, T0)
    sends = call.hangup(A, T0 + timedelta(seconds=60, milliseconds=1))
    assert call.billable_seconds() == 61
    assert {s.data["duration"] for s in sends} == {61}
    assert (call.outcome, call.ended_by) == (Outcome.ANSWERED, "caller")


def test_orders_that_make_no_sense_are_refused_and_change_nothing() -> None:
    call = place()
    with pytest.raises(InvalidState) as err:
        call.hangup(A, T0)  # before the answer
    assert err.value.code == "out_of_order"
    with pytest.raises(InvalidState) as err:
        call.cancel(B1, T0)  # only the caller cancels
    assert err.value.code == "out_of_order"
    with pytest.raises(InvalidState) as err:
        call.accept((3, "x"), T0)
    assert err.value.code == "not_participant"
    assert call.state is CallState.RINGING and call.ringing == {"b-phone", "b-tablet"}


def test_blocked_callers_are_told_only_unavailable() -> None:
    call, sends = Call.refused("c1", A, 2, EndReason.BLOCKED, T0)
    assert call.end_reason is EndReason.BLOCKED and call.outcome is Outcome.FAILED
    assert sends[0].data["reason"] == "unavailable"
    assert public_reason(EndReason.BUSY) is EndReason.BUSY


def test_lost_connections() -> None:
    call = place()
    assert call.device_lost(B1, T0) == []  # one ringing device goes, the other still rings
    assert kinds(call.device_lost(B2, T0)) == [(A, Notice.ENDED)]  # the last one: missed
    assert call.outcome is Outcome.MISSED

    call = place()
    call.accept(B1, T0)
    assert kinds(call.device_lost(A, T0 + timedelta(seconds=5))) == [(B1, Notice.PEER_RECONNECTING)]
    assert call.tick(T0 + timedelta(seconds=24), grace_seconds=20) == []
    assert kinds(call.device_back(A, T0 + timedelta(seconds=24))) == [(B1, Notice.PEER_RECONNECTED)]
    call.device_lost(B1, T0 + timedelta(seconds=30))
    sends = call.tick(T0 + timedelta(seconds=50), grace_seconds=20)
    assert (call.end_reason, call.outcome) == (EndReason.CONNECTION_LOST, Outcome.ANSWERED)
    assert call.billable_seconds() == 50
    assert kinds(sends) == [(A, Notice.ENDED), (B1, Notice.ENDED)]


def test_outcomes_of_system_endings_depend_on_the_answer() -> None:
    assert outcome_of(EndReason.NODE_LOST, answered=True) is Outcome.ANSWERED
    assert outcome_of(EndReason.NODE_LOST, answered=False) is Outcome.FAILED
    assert outcome_of(EndReason.CUT_OFF_CREDIT, answered=True) is Outcome.CUT_OFF_CREDIT


DEVICES = [A, B1, B2, (3, "stranger")]


class CallMachine(RuleBasedStateMachine):
    """Random sequences of everything that can happen to a call."""

    def __init__(self) -> None:
        super().__init__()
        self.now = T0
        self.call = place(timeout=30)
        self.ended_once = False

    def _do(self, action: str, device: tuple[int, str]) -> None:
        before = (self.call.state, set(self.call.ringing), self.call.answered_device, self.call.end_reason)
        try:
            sends = getattr(self.call, action)(device, self.now)
        except InvalidState:
            after = (self.call.state, set(self.call.ringing), self.call.answered_device, self.call.end_reason)
            assert after == before  # a refused event changes nothing
            return
        ended = [s for s in sends if s.notice is Notice.ENDED]
        if ended:
            assert not self.ended_once, "a call ends only once"
            self.ended_once = True
            assert {s.to for s in ended} >= {A}

    @rule(device=st.sampled_from(DEVICES))
    def accept(self, device: tuple[int, str]) -> None:
        self._do("accept", device)

    @rule(device=st.sampled_from(DEVICES))
    def reject(self, device: tuple[int, str]) -> None:
        self._do("reject", device)

    @rule(device=st.sampled_from(DEVICES))
    def cancel(self, device: tuple[int, str]) -> None:
        self._do("cancel", device)

    @rule(device=st.sampled_from(DEVICES))
    def hangup(self, device: tuple[int, str]) -> None:
        self._do("hangup", device)

    @rule(device=st.sampled_from(DEVICES))
    def lost(self, device: tuple[int, str]) -> None:
        sends = self.call.device_lost(device, self.now)
        if any(s.notice is Notice.ENDED for s in sends):
            assert not self.ended_once
            self.ended_once = True

    @rule(device=st.sampled_from(DEVICES))
    def back(self, device: tuple[int, str]) -> None:
        self.call.device_back(device, self.now)

    @rule(seconds=st.integers(0, 40))
    def wait(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)
        sends = self.call.tick(self.now, grace_seconds=20)
        if any(s.notice is Notice.ENDED for s in sends):
            assert not self.ended_once
            self.ended_once = True

    @precondition(lambda self: self.call.state is not CallState.ENDED)
    @rule()
    def everyone_leaves_then_time_passes(self) -> None:
        """Every call ends: once all its devices are gone, the grace period (or the ring timeout) ends it."""
        for device in self.call.participants():
            self.call.device_lost(device, self.now)
        self.now += timedelta(seconds=31)
        self.call.tick(self.now, grace_seconds=20)
        assert self.call.state is CallState.ENDED
        self.ended_once = True

    @invariant()
    def consistent(self) -> None:
        c = self.call
        if c.state is CallState.ENDED:
            assert c.ended_at is not None and c.outcome is not None and c.end_reason is not None
            assert c.ringing == set() and c.disconnected == {}
            assert c.outcome is outcome_of(c.end_reason, answered=c.answered_at is not None)
            assert c.billable_seconds() >= 0
            assert (c.billable_seconds() > 0) <= (c.answered_at is not None)
        if c.state is CallState.ANSWERED:
            assert c.answered_device is not None and c.answered_at is not None and c.ringing == set()
        if c.state is CallState.RINGING:
            assert c.answered_device is None and c.ringing
        if c.state is not CallState.RINGING:
            assert self.now < c.ring_deadline or c.state is not CallState.RINGING


TestCallMachine = CallMachine.TestCase
TestCallMachine.settings = settings(max_examples=200, stateful_step_count=30, deadline=None)


@given(st.integers(0, 10_000), st.integers(0, 999))
def test_billable_seconds_never_undercount(seconds: int, millis: int) -> None:
    call = place()
    call.accept(B1, T0)
    call.hangup(B1, T0 + timedelta(seconds=seconds, milliseconds=millis))
    assert call.billable_seconds() == seconds + (1 if millis else 0)


# -- reachable by push (R-36) -------------------------------------------------------------------------
_T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_a_callee_reachable_only_by_push_rings_and_is_woken() -> None:
    call, sends = Call.place("c1", (1, "a"), 2, [], _T0, 45, push_devices=["p1"])
    assert call.state is CallState.RINGING and call.pushed == {"p1"} and call.ringing == set()
    assert [(s.to, s.notice) for s in sends] == [((2, "p1"), Notice.PUSH), ((1, "a"), Notice.RINGING)]
    assert sends[0].data == {"deadline": (_T0 + timedelta(seconds=45)).isoformat()}
    nobody, ended = Call.place("c2", (1, "a"), 2, [], _T0, 45)
    assert nobody.state is CallState.ENDED and nobody.end_reason is not None and nobody.end_reason.value == "offline"
    assert ended[0].notice is Notice.ENDED


def test_a_device_that_joins_while_ringing_rings_for_the_time_left_and_may_answer() -> None:
    call, _ = Call.place("c1", (1, "a"), 2, [], _T0, 45, push_devices=["p1"])
    assert call.device_joined((3, "x"), _T0) == []  # not the callee
    joined = call.device_joined((2, "p1"), _T0 + timedelta(seconds=10))
    assert [(s.to, s.notice, dict(s.data)) for s in joined] == [((2, "p1"), Notice.INCOMING, {"expires_in": 35})]
    call.accept((2, "p1"), _T0 + timedelta(seconds=11))
    assert call.state is CallState.ANSWERED and call.pushed == set()
    assert call.device_joined((2, "p2"), _T0 + timedelta(seconds=12)) == []  # answered: nothing rings


def test_a_live_device_lost_does_not_end_a_call_still_waiting_for_a_pushed_one() -> None:
    call, _ = Call.place("c1", (1, "a"), 2, ["live"], _T0, 45, push_devices=["p1"])
    assert call.device_lost((2, "live"), _T0 + timedelta(seconds=1)) == []
    assert call.state is CallState.RINGING
    ended = call.tick(_T0 + timedelta(seconds=45), 20)
    assert call.end_reason is not None and call.end_reason.value == "no_answer" and ended


@given(
    joined_after=st.integers(min_value=0, max_value=120),
    timeout=st.integers(min_value=1, max_value=90),
    live=st.booleans(),
)
def test_joining_never_extends_the_ring_from_the_invite(joined_after: int, timeout: int, live: bool) -> None:
    call, _ = Call.place("c", (1, "a"), 2, ["l"] if live else [], _T0, timeout, push_devices=["p"])
    at = _T0 + timedelta(seconds=joined_after)
    sends = call.device_joined((2, "p"), at)
    if joined_after < timeout:
        assert [s.data["expires_in"] for s in sends] == [timeout - joined_after]
        assert "p" in call.ringing
    else:
        assert sends == []
    assert call.ring_deadline == _T0 + timedelta(seconds=timeout)  # unchanged, whoever joins
    assert call.tick(_T0 + timedelta(seconds=timeout), 20) and call.state is CallState.ENDED


def test_a_call_taken_over_from_a_dead_node_goes_on_and_its_absent_party_gets_the_grace() -> None:
    """ADR 0013: rebuilt from its record, answered at the same instant; the device not on a live node
    is away since the takeover and the call ends once, after the grace, with the whole duration."""
    start = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    answered, now = start + timedelta(seconds=10), start + timedelta(seconds=70)
    caller, callee = (1, "dev-a"), (2, "dev-b")
    call, sends = Call.adopted("c1", caller, callee, start, answered, [caller], now)
    assert call.state is CallState.ANSWERED and call.callee_device == callee
    assert [(s.to, s.notice) for s in sends] == [(callee, Notice.PEER_RECONNECTING)]
    assert call.tick(now + timedelta(seconds=19), grace_seconds=20) == []
    ended = call.tick(now + timedelta(seconds=20), grace_seconds=20)
    assert {s.to for s in ended} == {caller, callee} and call.end_reason is EndReason.CONNECTION_LOST
    assert call.billable_seconds() == 80
    everyone_here, none = Call.adopted("c2", caller, callee, start, answered, [], now)
    assert none == [] and everyone_here.hangup(caller, now)[0].notice is Notice.ENDED

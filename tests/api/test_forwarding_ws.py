"""Call forwarding (呼叫转移, R-17) over a real WebSocket, on SQLite and PostgreSQL: each condition
(unconditional, busy, no answer, unreachable), the loop and hop bounds, blocked and barred targets, the
entitlement withdrawn at once, the forwarded leg recorded, linked and rated for the forwarding
subscriber, and the seam to voicemail (R-18)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.api.test_signaling_ws import ANSWER, Sub, invite, record, subscriber
from tests.integration.test_billing import insert, make_plan, subscription
from tests.integration.test_entitlements import enforcer
from tests.integration.test_orders import reviewer
from tests.support.live import Device, serve
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import Block, CallCharge, CallRecord
from videophone.bootstrap import Container
from videophone.calling.services import voicemail_deposits
from videophone.common.deps import Actor
from videophone.web.app import create_app


@pytest.fixture
async def host(container: Container) -> AsyncIterator[str]:
    async with serve(create_app(container, manage_lifecycle=False)) as address:
        yield address


async def customer(c: Container, *services: str) -> Sub:
    """A verified subscriber holding the given value-added services."""
    sub = await subscriber(c)
    await c.review.decide(await reviewer(c), sub.id, "verify", "")
    if services:
        await c.tariffs.ensure_demo_catalog()
    for code in services:
        await c.orders.add_vas(Actor("subscriber", sub.id, "198.51.100.7"), sub.id, code)
    return sub


async def forward(c: Container, sub: Sub, **rules: str) -> None:
    """Set ``sub``'s rules: condition=number, or condition="voicemail"."""
    body = [
        {"condition": condition, "target": "voicemail"}
        if target == "voicemail"
        else {"condition": condition, "target": "number", "number": target}
        for condition, target in rules.items()
    ]
    await c.forwarding.save(Actor("subscriber", sub.id, "198.51.100.7"), sub.id, body)


async def legs_of(c: Container, call_id: str) -> list[CallRecord]:
    async with c.deps.uow() as uow:
        rows = await uow.session.scalars(select(CallRecord).where(CallRecord.leg_of == call_id))
        return sorted(rows, key=lambda r: r.started_at)


async def charges_of(c: Container, call_ids: set[str], within: float = 5.0) -> dict[str, CallCharge]:
    """The charges of ``call_ids``, once rating wrote them all."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        async with c.deps.uow() as uow:
            found = {r.call_id: r for r in await uow.session.scalars(select(CallCharge)) if r.call_id in call_ids}
        if set(found) == call_ids or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.05)


async def silent(device: Device, within: float = 0.3) -> None:
    """Nothing (but pongs) arrives at ``device`` for a moment."""
    try:
        while True:
            message = await device.recv(within)
            assert message["type"] == "pong", message
    except TimeoutError:
        return


async def talk_and_hang_up(
    c: Container, clock: FakeClock, caller: Device, callee: Device, call_id: str, seconds: int
) -> None:
    await callee.send({"type": "accept", "call_id": call_id, "sdp": ANSWER})
    assert (await caller.expect("accepted"))["sdp"] == ANSWER
    await callee.expect("answered")
    clock.advance(timedelta(seconds=seconds))
    await caller.send({"type": "hangup", "call_id": call_id})
    assert (await caller.expect("ended"))["duration"] == seconds
    assert (await callee.expect("ended"))["reason"] == "hangup"


# -- the conditions -----------------------------------------------------------------------------------------
async def test_unconditional_forwarding_rings_the_target_and_records_and_rates_both_legs(
    host: str, container: Container, clock: FakeClock
) -> None:
    c = container
    # The target holds caller ID (ADR 0009): it is shown who calls, though the call was forwarded.
    a, b, t = await customer(c), await customer(c, "forwarding"), await customer(c, "caller_id")
    plan_a = await make_plan(c, included=0, rate="0.20")
    plan_b = await make_plan(c, included=0, rate="0.50")
    await insert(c, subscription(a.id, plan_a, date(2026, 11, 1)), subscription(b.id, plan_b, date(2026, 11, 1)))
    await forward(c, b, unconditional=t.number)
    da = await Device.open(host, a.token, "dev-a-uncond")
    db = await Device.open(host, b.token, "dev-b-uncond")
    dt = await Device.open(host, t.token, "dev-t-uncond")

    call_id = await invite(da, b.number)
    assert (await da.expect("forwarded"))["reason"] == "unconditional"
    incoming = await dt.expect("incoming")
    assert incoming["call_id"] == call_id  # the caller's call goes on: one id for every device
    assert incoming["from"]["number"] == a.number  # the caller is still the caller
    assert incoming["forwarded_by"] == {"number": b.number}
    await da.expect("ringing")
    await silent(db)  # the forwarding subscriber's phone never rang

    await talk_and_hang_up(c, clock, da, dt, call_id, 90)

    dialled = await record(c, call_id)
    (leg,) = await legs_of(c, call_id)
    assert (dialled.caller_id, dialled.callee_id, dialled.outcome, dialled.forwarded_to) == (
        a.id,
        b.id,
        "answered",
        t.number,
    )
    assert dialled.billable_seconds == 90 and dialled.callee_device == ""
    assert (leg.caller_id, leg.callee_id, leg.caller_number, leg.callee_number) == (b.id, t.id, a.number, t.number)
    assert (leg.forwarded_by, leg.forward_reason, leg.outcome, leg.billable_seconds) == (
        b.number,
        "unconditional",
        "answered",
        90,
    )
    assert leg.callee_device == "dev-t-uncond"
    # Each leg rated under its payer's plan: the caller pays the call dialled, the forwarder the leg
    # (the call-ended hook rates them once the records are final).
    charges = await charges_of(c, {call_id, leg.id})
    assert (charges[call_id].subscriber_id, charges[call_id].amount_fen) == (a.id, 40)  # 2 min at 0.20
    assert (charges[leg.id].subscriber_id, charges[leg.id].amount_fen) == (b.id, 100)  # 2 min at 0.50
    # Both histories: the caller sees the call forwarded; the forwarder the call and the leg they pay;
    # the target an incoming call from the caller, forwarded by B.
    history_a = {i.id: i for i in (await c.calls.history(a.id))[1]}
    assert history_a[call_id].forwarded_to == t.number and leg.id not in history_a
    history_b = {i.id: i for i in (await c.calls.history(b.id))[1]}
    assert history_b[call_id].direction == "incoming" and history_b[leg.id].direction == "outgoing"
    assert history_b[leg.id].leg_of == call_id and history_b[leg.id].other_number == t.number
    history_t = {i.id: i for i in (await c.calls.history(t.id))[1]}
    assert history_t[leg.id].direction == "incoming" and history_t[leg.id].other_number == a.number
    assert history_t[leg.id].forwarded_by == b.number
    assert (await c.rating.month_to_date(b.id)).calls == 1


async def test_busy_forwarding(host: str, container: Container) -> None:
    c = container
    a, b, t, x = await customer(c), await customer(c, "forwarding"), await customer(c), await customer(c)
    await forward(c, b, busy=t.number)
    da = await Device.open(host, a.token, "dev-a-busy")
    db = await Device.open(host, b.token, "dev-b-busy")
    dt = await Device.open(host, t.token, "dev-t-busy")
    dx = await Device.open(host, x.token, "dev-x-busy")
    first = await invite(dx, b.number)  # B is ringing for X's call: their line is taken
    await db.expect("incoming")
    await dx.expect("ringing")

    call_id = await invite(da, b.number)
    assert (await da.expect("forwarded"))["reason"] == "busy"
    assert (await dt.expect("incoming"))["call_id"] == call_id
    (leg,) = await legs_of(c, call_id)
    assert leg.forward_reason == "busy" and leg.caller_id == b.id
    await da.send({"type": "cancel", "call_id": call_id})
    assert (await dt.expect("ended"))["reason"] == "cancelled"
    assert (await record(c, leg.id)).outcome == "cancelled"
    await dx.send({"type": "cancel", "call_id": first})


async def test_unreachable_forwarding(host: str, container: Container) -> None:
    c = container
    a, b, t = await customer(c), await customer(c, "forwarding"), await customer(c)
    await forward(c, b, unreachable=t.number)
    da = await Device.open(host, a.token, "dev-a-unreach")
    dt = await Device.open(host, t.token, "dev-t-unreach")
    call_id = await invite(da, b.number)  # B has no device online
    assert (await da.expect("forwarded"))["reason"] == "unreachable"
    await da.expect("ringing")
    await dt.send({"type": "reject", "call_id": (await dt.expect("incoming"))["call_id"]})
    assert (await da.expect("ended"))["reason"] == "rejected"
    (leg,) = await legs_of(c, call_id)
    assert (await record(c, call_id)).outcome == leg.outcome == "rejected"


async def test_no_answer_forwarding_when_its_timer_fires(host: str, container: Container, clock: FakeClock) -> None:
    c = container
    a, b, t = await customer(c), await customer(c, "forwarding"), await customer(c)
    await c.forwarding.save(
        Actor("subscriber", b.id),
        b.id,
        [{"condition": "no_answer", "target": "number", "number": t.number, "delay_seconds": 5}],
    )
    da = await Device.open(host, a.token, "dev-a-noans")
    db = await Device.open(host, b.token, "dev-b-noans")
    dt = await Device.open(host, t.token, "dev-t-noans")
    call_id = await invite(da, b.number)
    await db.expect("incoming")
    await da.expect("ringing")
    clock.advance(timedelta(seconds=4))
    await c.signaling.tick()
    await silent(dt)
    clock.advance(timedelta(seconds=2))
    await c.signaling.tick()
    stopped = await db.expect("ended")
    assert (stopped["reason"], stopped["outcome"]) == ("forwarded", "forwarded")
    assert (await da.expect("forwarded"))["reason"] == "no_answer"
    await da.expect("ringing")
    incoming = await dt.expect("incoming")
    assert incoming["call_id"] == call_id and incoming["expires_in"] == 45  # a full no-answer timeout
    # The candidates the caller sends now reach the new callee.
    await da.send({"type": "ice", "call_id": call_id, "candidate": None})
    assert (await dt.expect("ice"))["candidate"] is None
    # Nobody answers there either: the call ends at the timeout, missed on both records.
    clock.advance(timedelta(seconds=46))
    await c.signaling.tick()
    assert (await da.expect("ended"))["reason"] == "no_answer"
    (leg,) = await legs_of(c, call_id)
    assert (await record(c, call_id)).outcome == "missed" and (await record(c, leg.id)).outcome == "missed"


# -- bounds and refusals --------------------------------------------------------------------------------------
async def test_a_loop_a_b_a_rings_without_forwarding_and_ends(
    host: str, container: Container, clock: FakeClock
) -> None:
    c = container
    a, b = await customer(c, "forwarding"), await customer(c, "forwarding")
    await forward(c, a, unconditional=b.number)
    await forward(c, b, unconditional=a.number, no_answer=a.number)
    t = await customer(c)
    dt = await Device.open(host, t.token, "dev-t-loop")
    db = await Device.open(host, b.token, "dev-b-loop")
    # T calls A → forwarded to B → B's rule points back at A, a party already: B rings.
    call_id = await invite(dt, a.number)
    assert (await dt.expect("forwarded"))["reason"] == "unconditional"
    assert (await db.expect("incoming"))["call_id"] == call_id
    await dt.expect("ringing")
    clock.advance(timedelta(seconds=46))
    await c.signaling.tick()
    assert (await dt.expect("ended"))["reason"] == "no_answer"
    assert len(await legs_of(c, call_id)) == 1


async def test_a_chain_is_forwarded_at_most_three_times(host: str, container: Container) -> None:
    c = container
    caller = await customer(c)
    chain = [await customer(c, "forwarding") for _ in range(5)]
    for sub, nxt in itertools.pairwise(chain):
        await forward(c, sub, unconditional=nxt.number)
    devices = {s.id: await Device.open(host, s.token, f"dev-chain-{i}") for i, s in enumerate(chain)}
    dc = await Device.open(host, caller.token, "dev-chain-caller")
    call_id = await invite(dc, chain[0].number)
    for _ in range(3):
        await dc.expect("forwarded")
    # chain[3] is the third forward's target: it rings; chain[4] never does.
    assert (await devices[chain[3].id].expect("incoming"))["call_id"] == call_id
    await silent(devices[chain[4].id])
    legs = await legs_of(c, call_id)
    assert [leg.caller_id for leg in legs] == [chain[0].id, chain[1].id, chain[2].id]
    assert [leg.callee_id for leg in legs] == [chain[1].id, chain[2].id, chain[3].id]


async def test_no_forward_to_a_target_that_blocked_the_caller_or_is_barred(host: str, container: Container) -> None:
    c = container
    a, b, t = await customer(c), await customer(c, "forwarding"), await customer(c)
    await forward(c, b, unconditional=t.number)
    await insert(c, Block(owner_id=t.id, blocked_number=a.number, reason="", created_at=c.deps.clock.now()))
    da = await Device.open(host, a.token, "dev-a-block")
    db = await Device.open(host, b.token, "dev-b-block")
    dt = await Device.open(host, t.token, "dev-t-block")
    call_id = await invite(da, b.number)
    assert (await db.expect("incoming"))["call_id"] == call_id  # B's own phone rings instead
    await da.expect("ringing")
    await silent(dt)
    await da.send({"type": "cancel", "call_id": call_id})
    await da.expect("ended")
    await db.expect("ended")
    assert await legs_of(c, call_id) == []

    # A barred (suspended) target: the same.
    staff = await enforcer(c)
    u = await customer(c)
    await forward(c, b, unconditional=u.number)
    await c.violations.issue(staff, u.id, "suspend", "严重违规")
    second = await invite(da, b.number)
    assert (await db.expect("incoming"))["call_id"] == second
    assert await legs_of(c, second) == []
    await da.send({"type": "cancel", "call_id": second})


async def test_a_withdrawn_service_or_a_barred_forwarder_stops_forwarding_at_once(
    host: str, container: Container
) -> None:
    c = container
    a, b, t = await customer(c), await customer(c, "forwarding"), await customer(c)
    await forward(c, b, unconditional=t.number)
    staff = await enforcer(c)
    await c.violations.issue(staff, b.id, "withdraw_vas", "滥用呼叫转移", vas_code="forwarding")
    da = await Device.open(host, a.token, "dev-a-withdrawn")
    db = await Device.open(host, b.token, "dev-b-withdrawn")
    call_id = await invite(da, b.number)
    assert (await db.expect("incoming"))["call_id"] == call_id
    await da.expect("ringing")
    assert await legs_of(c, call_id) == []
    await da.send({"type": "cancel", "call_id": call_id})
    await da.expect("ended")
    await db.expect("ended")

    # A forwarder barred from calling out cannot place (and pay) the leg either.
    d, t2 = await customer(c, "forwarding"), await customer(c)
    await forward(c, d, unconditional=t2.number)
    await c.violations.issue(staff, d.id, "restrict_outgoing", "骚扰电话")
    dd = await Device.open(host, d.token, "dev-d-barred")
    second = await invite(da, d.number)
    assert (await dd.expect("incoming"))["call_id"] == second
    assert await legs_of(c, second) == []
    await da.send({"type": "cancel", "call_id": second})


# -- the seam to voicemail (R-18) ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Deposit:
    token: str
    max_seconds: int
    greeting_url: str | None


async def test_unreachable_callee_with_voicemail_sends_the_caller_to_the_mailbox(
    host: str, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = container
    a, b = await customer(c), await customer(c, "voicemail")
    opened: list[dict[str, object]] = []

    async def open_deposit(uow: object, deps: object, **kwargs: object) -> Deposit:
        opened.append(kwargs)
        return Deposit("tok-123", 60, None)

    monkeypatch.setattr(voicemail_deposits, "open_deposit", open_deposit)
    da = await Device.open(host, a.token, "dev-a-vm")
    call_id = await invite(da, b.number)  # B is offline and has no rule: their mailbox takes it
    ended = await da.expect("ended")
    assert (ended["reason"], ended["outcome"]) == ("voicemail", "voicemail")
    assert ended["voicemail"] == {"token": "tok-123", "max_seconds": 60, "greeting_url": None}
    assert opened == [{"callee_id": b.id, "caller_id": a.id, "call_id": call_id, "now": c.deps.clock.now()}]
    row = await record(c, call_id)
    assert (row.outcome, row.end_reason) == ("voicemail", "voicemail")


async def test_no_room_in_the_mailbox_ends_the_call_as_without_it(
    host: str, container: Container, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    c = container
    a, b = await customer(c), await customer(c, "voicemail", "forwarding")
    await forward(c, b, busy="voicemail")
    da = await Device.open(host, a.token, "dev-a-vm-none")

    # A full mailbox: open_deposit says no (its caps are tested in integration/test_voicemail.py).
    async def no_room(uow: object, deps: object, **kwargs: object) -> None:
        return None

    monkeypatch.setattr(voicemail_deposits, "open_deposit", no_room)
    call_id = await invite(da, b.number)
    assert (await da.expect("ended"))["reason"] == "offline"
    assert (await record(c, call_id)).outcome == "missed"

    # No answer with voicemail: at the normal timeout the mailbox takes it (when it has room).
    async def open_deposit(uow: object, deps: object, **kwargs: object) -> Deposit:
        return Deposit("tok-9", 30, "/api/v1/greeting")

    monkeypatch.setattr(voicemail_deposits, "open_deposit", open_deposit)
    db = await Device.open(host, b.token, "dev-b-vm")
    second = await invite(da, b.number)
    await db.expect("incoming")
    await da.expect("ringing")
    clock.advance(timedelta(seconds=45))
    await c.signaling.tick()
    ended = await da.expect("ended")
    assert ended["reason"] == "voicemail" and ended["voicemail"]["token"] == "tok-9"
    assert (await db.expect("ended"))["reason"] == "voicemail"
    assert (await record(c, second)).outcome == "voicemail"


async def test_plain_calls_are_untouched(host: str, container: Container) -> None:
    c = container
    a, b = await customer(c), await customer(c)
    da = await Device.open(host, a.token, "dev-a-plain")
    db = await Device.open(host, b.token, "dev-b-plain")
    call_id = await invite(da, b.number)
    incoming = await db.expect("incoming")
    assert "forwarded_by" not in incoming
    await da.expect("ringing")
    await da.send({"type": "cancel", "call_id": call_id})
    await asyncio.gather(da.expect("ended"), db.expect("ended"))
    assert await legs_of(c, call_id) == []

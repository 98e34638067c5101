"""The credit limit in real time over a real WebSocket (R-26, docs/signaling.md): the limit given at
answer, the warning 60 s before, the cut-off at the limit, and invites refused with no headroom."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.api.test_signaling_ws import ANSWER, Sub, invite, record, subscriber
from tests.integration.test_billing import insert, make_plan, subscription
from tests.support.live import Device, serve
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import CallRecord, CreditReservation, Subscriber
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.web.app import create_app


@pytest.fixture
async def host(container: Container) -> AsyncIterator[str]:
    async with serve(create_app(container, manage_lifecycle=False)) as address:
        yield address


async def limited_caller(c: Container, used_minutes: int, limit_yuan: int = 50) -> tuple[Sub, Sub]:
    """A caller at 1.00 yuan a minute (60/60, nothing included) who spent ``used_minutes`` this month."""
    a, b = await subscriber(c), await subscriber(c)
    plan = await make_plan(c, included=0, rate="1.00")
    now = c.deps.clock.now()
    rows: list[object] = [subscription(a.id, plan, date(2026, 11, 1))]
    if used_minutes:
        rows.append(
            CallRecord(
                id=str(uuid.uuid4()),
                caller_id=a.id,
                callee_id=b.id,
                caller_number=a.number,
                callee_number=b.number,
                caller_device="old",
                callee_device="old",
                node_id="old",
                state="ended",
                started_at=now - timedelta(hours=2),
                answered_at=now - timedelta(hours=2),
                ended_at=now - timedelta(hours=2) + timedelta(minutes=used_minutes),
                outcome="answered",
                end_reason="hangup",
                billable_seconds=used_minutes * 60,
            )
        )
    await insert(c, *rows)
    await c.credit.set_limit(a.id, limit_yuan, actor=Actor("subscriber", a.id))
    return a, b


async def test_a_limited_call_is_warned_and_cut_off_at_the_limit(
    host: str, container: Container, clock: FakeClock
) -> None:
    a, b = await limited_caller(container, 45)  # 5 yuan left: 300 s
    da = await Device.open(host, a.token, "phone-a-1")
    db = await Device.open(host, b.token, "phone-b-1")
    call_id = await invite(da, b.number)
    await db.expect("incoming")
    await da.expect("ringing")
    await db.send({"type": "accept", "call_id": call_id, "sdp": ANSWER})
    assert (await da.expect("accepted"))["limit_seconds"] == 300
    assert (await db.expect("answered"))["limit_seconds"] == 300
    async with container.deps.uow() as uow:
        held = await uow.session.get(CreditReservation, call_id)
        assert held is not None and (held.reserved_fen, held.max_seconds) == (500, 300)

    clock.advance(timedelta(seconds=239))
    await container.signaling.tick()
    clock.advance(timedelta(seconds=1.5))
    await container.signaling.tick()
    for d in (da, db):
        warning = await d.expect("credit_warning")
        assert (warning["call_id"], warning["remaining"]) == (call_id, 60)

    clock.advance(timedelta(seconds=60))
    await container.signaling.tick()
    for d in (da, db):
        ended = await d.expect("ended")
        assert (ended["reason"], ended["outcome"], ended["duration"], ended["by"]) == (
            "cut_off_credit",
            "cut_off_credit",
            300,
            None,
        )
    row = await record(container, call_id)
    assert (row.outcome, row.end_reason, row.billable_seconds) == ("cut_off_credit", "cut_off_credit", 300)

    # Rated and barred by the hooks (run in the background): the limit is reached exactly.
    for _ in range(100):
        async with container.deps.uow() as uow:
            state = await uow.session.scalar(select(Subscriber.service_state).where(Subscriber.id == a.id))
        if state == "outgoing_barred":
            break
        await asyncio.sleep(0.05)
    assert state == "outgoing_barred"
    status = await container.credit.status(a.id)
    assert status.used.fen == 5000 and status.reserved.fen == 0

    await invite(da, b.number)
    refused = await da.expect("ended")
    assert (refused["reason"], refused["detail"]) == ("not_allowed", "outgoing_barred_credit_limit")
    # The callee can still call the barred subscriber (only outgoing calls are barred).
    back = await invite(db, a.number)
    await da.expect("incoming")
    await db.send({"type": "cancel", "call_id": back})
    await da.expect("ended")


async def test_no_headroom_refuses_the_invite_before_any_bar_is_written(host: str, container: Container) -> None:
    a, b = await limited_caller(container, 50)  # exactly at the limit; no call-ended hook ran
    async with container.deps.uow() as uow:
        state = await uow.session.scalar(select(Subscriber.service_state).where(Subscriber.id == a.id))
    assert state == "outgoing_barred"  # choosing a limit below the usage bars at once …
    await container.credit.set_limit(a.id, None, actor=Actor.system())
    # … and removing it restores.  Now a limit again, written without evaluating it:
    async with container.deps.uow() as uow:
        sub = await uow.session.get(Subscriber, a.id)
        assert sub is not None and sub.service_state == "active"
        sub.credit_limit_fen = 5000  # (as if set on another node a moment ago)
        await uow.commit()
    da = await Device.open(host, a.token, "phone-a-1")
    await Device.open(host, b.token, "phone-b-1")
    await invite(da, b.number)
    refused = await da.expect("ended")
    assert (refused["reason"], refused["outcome"], refused["detail"]) == (
        "not_allowed",
        "failed",
        "outgoing_barred_credit_limit",
    )


async def test_ordinary_calls_carry_no_limit(host: str, container: Container) -> None:
    a, b = await subscriber(container), await subscriber(container)
    da = await Device.open(host, a.token, "phone-a-1")
    db = await Device.open(host, b.token, "phone-b-1")
    call_id = await invite(da, b.number)
    await db.expect("incoming")
    await db.send({"type": "accept", "call_id": call_id, "sdp": ANSWER})
    await da.expect("ringing")
    assert "limit_seconds" not in await da.expect("accepted")
    answered = await db.expect("answered")
    assert "limit_seconds" not in answered
    async with container.deps.uow() as uow:
        assert await uow.session.get(CreditReservation, call_id) is None

"""What ``GET /api/v1/me`` and ``GET /api/v1/me/credit-limit`` say the account may do is what an invite
through a real WebSocket gets (issue 12, item 8): after an arrears suspension, a lawful suspension, a
violation's outgoing bar, and with ¥0.05 left under a ¥50 limit (less than one billing step)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.api.test_signaling_ws import Sub, invite, subscriber
from tests.factories import PASSWORD
from tests.integration.test_billing import insert, make_plan, subscription
from tests.support.live import Device, serve
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import Bill, CallRecord, Subscriber
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.web.app import create_app


@pytest.fixture
async def host(container: Container) -> AsyncIterator[str]:
    async with serve(create_app(container, manage_lifecycle=False)) as address:
        yield address


async def officer(container: Container) -> Actor:
    view = await container.staff.create(Actor.system(), "officer", "officer", "Staff-Passw0rd!", ["legal"])
    return Actor("staff", view.id)


async def relogin(c: Container, sub: Sub) -> Sub:
    """A fresh token (after the clock moved on by a month or two)."""
    issued = await c.auth.login_subscriber(sub.number, PASSWORD, ip="", user_agent="", kind="api")
    return Sub(sub.id, sub.number, issued.token)


async def answers(host: str, sub: Sub) -> tuple[dict[str, Any], dict[str, Any]]:
    async with httpx.AsyncClient(base_url=f"http://{host}", headers={"Authorization": f"Bearer {sub.token}"}) as h:
        me, credit = await h.get("/api/v1/me"), await h.get("/api/v1/me/credit-limit")
    assert me.status_code == 200 and credit.status_code == 200, (me.text, credit.text)
    return me.json(), credit.json()


async def outcome(caller: Device, callee: Device, to: str) -> dict[str, Any]:
    """What the caller's invite gets: ``ended`` (refused) or ``ringing`` (then cancelled)."""
    call_id = await invite(caller, to)
    first = await caller.recv()
    while first["type"] == "pong":
        first = await caller.recv()
    if first["type"] == "ringing":
        await callee.expect("incoming")
        await caller.send({"type": "cancel", "call_id": call_id})
        await caller.expect("ended")
        await callee.expect("ended")
    assert first["call_id"] == call_id and first["type"] in ("ringing", "ended"), first
    return first


async def assert_agree(host: str, a: Sub, b: Sub) -> tuple[dict[str, Any], dict[str, Any]]:
    """``a``'s answers agree with ``a`` calling ``b`` and with ``b`` calling ``a``."""
    me, credit = await answers(host, a)
    da = await Device.open(host, a.token, f"phone-a-{uuid.uuid4().hex[:6]}")
    db = await Device.open(host, b.token, f"phone-b-{uuid.uuid4().hex[:6]}")
    try:
        out = await outcome(da, db, b.number)
        if "place_calls" in me["capabilities"]:
            assert out["type"] == "ringing", out
            assert "place_calls" not in me["capability_reasons"]
        else:
            assert (out["type"], out["reason"]) == ("ended", "not_allowed"), out
            assert out["detail"] == me["capability_reasons"]["place_calls"]
        if out.get("detail", "").endswith("_credit_limit"):
            assert (credit["barred"], credit["reason"]) == (True, out["detail"])
        assert credit["barred"] == (credit["reason"] is not None)
        back = await outcome(db, da, a.number)
        if "receive_calls" in me["capabilities"]:
            assert back["type"] == "ringing", back
        else:
            assert (back["type"], back["reason"]) == ("ended", "unavailable"), back
            assert "receive_calls" in me["capability_reasons"]
    finally:
        await da.close()
        await db.close()
    return me, credit


async def test_an_unrestricted_account_may_call_both_ways(host: str, container: Container) -> None:
    a, b = await subscriber(container), await subscriber(container)
    me, credit = await assert_agree(host, a, b)
    assert {"place_calls", "receive_calls"} <= set(me["capabilities"]) and credit["barred"] is False


async def test_after_an_arrears_suspension(host: str, container: Container, clock: FakeClock) -> None:
    c = container
    a, b = await subscriber(c), await subscriber(c)
    await insert(c, subscription(a.id, await make_plan(c, rent_fen=3100), date(2026, 9, 1)))
    clock.set(datetime(2026, 11, 1, 2, 0, tzinfo=UTC))
    await c.billing.run("2026-10")
    async with c.deps.uow() as uow:
        due = await uow.session.scalar(select(Bill.due_date).where(Bill.subscriber_id == a.id))
    assert due is not None
    clock.set(datetime(due.year, due.month, due.day, 4, tzinfo=UTC) + timedelta(days=33))
    await c.late_fees.run()
    assert (await c.arrears.run())["suspended"] >= 1
    a, b = await relogin(c, a), await relogin(c, b)
    me, _ = await assert_agree(host, a, b)
    assert (me["service_state"], me["capability_reasons"]["place_calls"]) == ("suspended", "suspended_arrears")
    assert me["capability_reasons"]["receive_calls"] == "suspended_arrears"
    assert "pay" in me["capabilities"]


async def test_after_a_lawful_suspension(host: str, container: Container) -> None:
    a, b = await subscriber(container), await subscriber(container)
    await container.lawful.record(await officer(container), a.number, "公安机关", "ref-9", "", "")
    me, credit = await assert_agree(host, a, b)
    assert me["capability_reasons"]["place_calls"] == me["capability_reasons"]["receive_calls"] == "suspended_lawful"
    assert credit["barred"] is False  # not the credit limit


async def test_after_a_violation_bars_outgoing_calls(host: str, container: Container) -> None:
    a, b = await subscriber(container), await subscriber(container)
    await container.violations.issue(await officer(container), a.id, "restrict_outgoing", "骚扰")
    me, _ = await assert_agree(host, a, b)
    assert me["capability_reasons"]["place_calls"] == "outgoing_barred_violation"
    assert "receive_calls" in me["capabilities"]


async def nearly_at_the_limit(c: Container) -> tuple[Sub, Sub]:
    """A caller at ¥0.999 a minute (60/60, nothing included) who spent 50 minutes (¥49.95) this month:
    under a ¥50 limit ¥0.05 is left, less than the first minute costs."""
    a, b = await subscriber(c), await subscriber(c)
    plan = await make_plan(c, included=0, rate="0.999")
    now = c.deps.clock.now()
    used = CallRecord(
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
        ended_at=now - timedelta(hours=2) + timedelta(minutes=50),
        outcome="answered",
        end_reason="hangup",
        billable_seconds=50 * 60,
    )
    await insert(c, subscription(a.id, plan, date(2026, 11, 1)), used)
    return a, b


async def test_five_fen_left_under_a_limit_written_elsewhere(host: str, container: Container) -> None:
    """The limit written without being evaluated (as by another node a moment ago): no restriction yet,
    and still every answer says what the invite gets."""
    a, b = await nearly_at_the_limit(container)
    async with container.deps.uow() as uow:
        sub = await uow.session.get(Subscriber, a.id)
        assert sub is not None
        sub.credit_limit_fen = 5000
        await uow.commit()
    me, credit = await assert_agree(host, a, b)
    assert (credit["remaining_fen"], credit["service_state"]) == (5, "active")
    assert me["capability_reasons"]["place_calls"] == credit["reason"] == "outgoing_barred_credit_limit"
    assert credit["barred"] is True and "receive_calls" in me["capabilities"]


async def test_five_fen_left_under_a_limit_chosen_through_the_api(host: str, container: Container) -> None:
    """Choosing the limit evaluates it by the same rule: the bar is written at once, and lifted when a
    raised limit leaves room for a step again."""
    a, b = await nearly_at_the_limit(container)
    async with httpx.AsyncClient(base_url=f"http://{host}", headers={"Authorization": f"Bearer {a.token}"}) as h:
        chosen = await h.put("/api/v1/me/credit-limit", json={"limit_yuan": 50})
        assert chosen.status_code == 200, chosen.text
        assert (chosen.json()["barred"], chosen.json()["reason"]) == (True, "outgoing_barred_credit_limit")
    me, credit = await assert_agree(host, a, b)
    assert (me["service_state"], credit["service_state"]) == ("outgoing_barred", "outgoing_barred")
    assert me["capability_reasons"]["place_calls"] == credit["reason"] == "outgoing_barred_credit_limit"
    options = credit["options"]
    higher = min(o for o in options if o > 50)
    async with httpx.AsyncClient(base_url=f"http://{host}", headers={"Authorization": f"Bearer {a.token}"}) as h:
        raised = await h.put("/api/v1/me/credit-limit", json={"limit_yuan": higher})
        assert raised.status_code == 200 and raised.json()["barred"] is False, raised.text
    me, credit = await assert_agree(host, a, b)
    assert "place_calls" in me["capabilities"] and credit["reason"] is None

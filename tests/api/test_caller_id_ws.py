"""Caller ID (来电显示, R-16, ADR 0009) through a real WebSocket: ``incoming`` carries the caller's number and
names only when the callee holds caller ID at the time of the call, on every device; subscribing mid-day
takes effect on the next call; no per-call withholding (CLIR) is offered; the history routes hide a withheld
caller from the callee only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.api.conftest import register_and_login, staff_login
from tests.api.test_calls_api import insert_call, with_id
from tests.api.test_signaling_ws import ANSWER, OFFER, Sub, invite, new_call_id, record, subscriber
from tests.integration.test_orders import reviewer
from tests.support.live import Device, serve
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import CallRecord
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.web.app import create_app

WITHHELD = {"number": "", "name": "", "contact_name": None, "withheld": True}


@pytest.fixture
async def host(container: Container) -> AsyncIterator[str]:
    async with serve(create_app(container, manage_lifecycle=False)) as address:
        yield address


async def verified(container: Container, **overrides: object) -> tuple[Sub, Actor]:
    sub = await subscriber(container, **overrides)
    await container.review.decide(await reviewer(container), sub.id, "verify", "")
    return sub, Actor("subscriber", sub.id, "198.51.100.9")


async def cancel(caller: Device, callees: list[Device], call_id: str) -> None:
    await caller.send({"type": "cancel", "call_id": call_id})
    for d in (caller, *callees):
        assert (await d.expect("ended"))["reason"] == "cancelled"


async def test_the_number_is_shown_only_while_the_callee_has_caller_id(
    host: str, container: Container, clock: FakeClock
) -> None:
    c = container
    await c.tariffs.ensure_demo_catalog()
    a = await subscriber(c, name="李明")
    b, b_actor = await verified(c)
    await c.contacts.create_contact(b_actor, b.id, {"name": "老李", "number": a.number})
    da = await Device.open(host, a.token, "phone-a-1")
    b1, b2 = await Device.open(host, b.token, "phone-b-1"), await Device.open(host, b.token, "tablet-b-2")

    # 1. Without caller ID: every device of B is told "number withheld", and nothing of A — not even B's
    #    own contact name for A's number.
    first = await invite(da, b.number)
    for d in (b1, b2):
        incoming = await d.expect("incoming")
        assert incoming["from"] == WITHHELD, incoming
    await da.expect("ringing")
    assert (await record(c, first)).caller_presented is False
    # B answers, drops and comes back: the resumed call still does not show A.
    await b1.send({"type": "accept", "call_id": first, "sdp": ANSWER})
    await da.expect("accepted")
    await b1.expect("answered")
    await b2.expect("answered_elsewhere")
    await b1.close()
    await da.expect("peer_reconnecting")
    b1 = await Device.open(host, b.token, "phone-b-1")
    assert [(x["call_id"], x["role"], x["peer"]) for x in b1.welcome["calls"]] == [(first, "callee", WITHHELD)]
    assert b1.welcome["number"] == b.number  # its own number, whatever the calls it resumes
    await da.expect("peer_reconnected")
    await da.send({"type": "hangup", "call_id": first})
    for d in (da, b1):
        await d.expect("ended")

    # 2. B subscribes to caller ID in the middle of the day: the very next call shows A's number, A's name
    #    on the service and B's contact name for it.
    clock.advance(timedelta(minutes=3))
    await c.orders.add_vas(b_actor, b.id, "caller_id")
    second = await invite(da, b.number)
    for d in (b1, b2):
        incoming = await d.expect("incoming")
        assert incoming["from"] == {"number": a.number, "name": "李明", "contact_name": "老李", "withheld": False}
    await da.expect("ringing")
    assert (await record(c, second)).caller_presented is True
    await cancel(da, [b1, b2], second)

    # 3. B ends the service: withheld again from the next call on (the day stays billed, the feature
    #    stops at once); the calls already made keep what they showed.
    clock.advance(timedelta(minutes=3))
    await c.orders.remove_vas(b_actor, b.id, "caller_id")
    third = await invite(da, b.number)
    assert (await b1.expect("incoming"))["from"] == WITHHELD
    await b2.expect("incoming")
    await da.expect("ringing")
    await cancel(da, [b1, b2], third)
    _, history = await c.calls.history(b.id)
    assert [(i.id, i.withheld, i.other_number, i.other_name) for i in history] == [
        (third, True, "", None),
        (second, False, a.number, "老李"),
        (first, True, "", None),
    ]
    _, callers_view = await c.calls.history(a.id)
    assert {(i.id, i.other_number) for i in callers_view} == {(x, b.number) for x in (first, second, third)}


async def test_a_suspended_subscription_of_the_callee_shows_nothing(host: str, container: Container) -> None:
    """A violation measure that withdraws caller ID stops it at once for the next call."""
    c = container
    await c.tariffs.ensure_demo_catalog()
    a = await subscriber(c)
    b, b_actor = await verified(c)
    await c.orders.add_vas(b_actor, b.id, "caller_id")
    staff = await c.staff.create(Actor.system(), "cid_enforcer", "执法", "Staff-Passw0rd!", ["administrator"])
    da, db = await Device.open(host, a.token, "phone-a-1"), await Device.open(host, b.token, "phone-b-1")
    shown = await invite(da, b.number)
    assert (await db.expect("incoming"))["from"]["number"] == a.number
    await da.expect("ringing")
    await cancel(da, [db], shown)
    await c.violations.issue(Actor("staff", staff.id, "10.0.0.7"), b.id, "withdraw_vas", "滥用", vas_code="caller_id")
    hidden = await invite(da, b.number)
    assert (await db.expect("incoming"))["from"] == WITHHELD
    await da.expect("ringing")
    await cancel(da, [db], hidden)


async def test_no_per_call_withholding_is_offered(host: str, container: Container) -> None:
    """ADR 0009: CLIR is not in the catalogue; an invite that asks for it is refused as malformed and
    nothing is recorded, and a ``*31#`` prefix is not a number."""
    c = container
    await c.tariffs.ensure_demo_catalog()
    a = await subscriber(c)
    b, b_actor = await verified(c)
    await c.orders.add_vas(b_actor, b.id, "caller_id")
    da, db = await Device.open(host, a.token, "phone-a-1"), await Device.open(host, b.token, "phone-b-1")
    for extra in ({"withhold": True}, {"clir": True}, {"present": False}):
        call_id = new_call_id()
        await da.send({"type": "invite", "call_id": call_id, "to": b.number, "sdp": OFFER, **extra, "ref": "x"})
        error = await da.expect("error")
        assert (error["code"], error["ref"]) == ("invalid_message", "x"), error
        async with c.deps.uow() as uow:
            assert await uow.session.get(CallRecord, call_id) is None
    await da.send({"type": "invite", "call_id": new_call_id(), "to": "*31#" + b.number, "sdp": OFFER})
    assert (await da.expect("error"))["field"] == "to"
    # The callee with caller ID sees the caller's true number, whatever the caller sent before.
    call_id = await invite(da, b.number)
    assert (await db.expect("incoming"))["from"]["number"] == a.number
    await da.expect("ringing")
    await cancel(da, [db], call_id)


async def test_the_history_routes_hide_a_withheld_caller_from_the_callee(container: Container) -> None:
    """``GET /api/v1/me/calls`` and ``/me/calls/{id}`` through the routes: the callee's answer of a withheld
    call has no number; the caller's and the console's have the truth."""
    app = create_app(container, manage_lifecycle=False)
    alice = await with_id(await register_and_login(app))
    bob = await with_id(await register_and_login(app))
    admin = await staff_login(app, container, "administrator")
    call_id = await insert_call(container, alice, bob, outcome="missed")
    async with container.deps.uow() as uow:
        row = await uow.session.get(CallRecord, call_id)
        assert row is not None
        row.caller_presented = False
        await uow.commit()

    bobs = (await bob.get("/api/v1/me/calls")).json()["items"]
    assert [(i["id"], i["withheld"], i["other_number"], i["other_name"]) for i in bobs] == [(call_id, True, "", None)]
    detail = (await bob.get(f"/api/v1/me/calls/{call_id}")).json()
    assert (detail["withheld"], detail["other_number"]) == (True, "")
    assert alice.account["number"] not in (await bob.get("/api/v1/me/calls")).text
    assert (await bob.get("/api/v1/me/calls/missed-count")).json() == {"count": 1}  # counted, never named
    alices = (await alice.get("/api/v1/me/calls")).json()["items"]
    assert [(i["withheld"], i["other_number"]) for i in alices] == [(False, bob.account["number"])]
    staff = (await admin.get(f"/api/v1/console/calls/{call_id}")).json()
    assert (staff["caller_number"], staff["caller_presented"]) == (alice.account["number"], False)
    found = (await admin.get("/api/v1/console/calls", params={"number": alice.account["number"]})).json()["items"]
    assert [(c["id"], c["caller_presented"]) for c in found] == [(call_id, False)]

"""The second number (第二号码, R-19) through a real WebSocket: a call to either number rings the same
devices and ``incoming`` says which was dialled; the caller chooses which of their numbers a call shows
(``invite.from``, checked to be theirs and in force); the record keeps both; a block of either number
blocks the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.api.test_caller_id_ws import cancel, verified
from tests.api.test_signaling_ws import OFFER, invite, new_call_id, record
from tests.support.live import Device, serve
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import CallRecord
from videophone.bootstrap import Container
from videophone.web.app import create_app


@pytest.fixture
async def host(container: Container) -> AsyncIterator[str]:
    async with serve(create_app(container, manage_lifecycle=False)) as address:
        yield address


async def test_both_numbers_ring_the_same_devices_and_the_caller_chooses_what_to_show(
    host: str, container: Container, clock: FakeClock
) -> None:
    c = container
    await c.tariffs.ensure_demo_catalog()
    a, a_actor = await verified(c)
    b, b_actor = await verified(c)
    for sub, actor in ((a, a_actor), (b, b_actor)):
        await c.orders.add_vas(actor, sub.id, "caller_id")
        await c.orders.add_vas(actor, sub.id, "second_number")
    a2 = (await c.subscribers.account(a.id)).second_number
    b2 = (await c.subscribers.account(b.id)).second_number
    assert a2 and b2
    da = await Device.open(host, a.token, "phone-a-1")
    assert da.welcome["numbers"] == [a.number, a2]
    b1, b_tab = await Device.open(host, b.token, "phone-b-1"), await Device.open(host, b.token, "tablet-b-2")

    # A calls B's second number from A's second number: both of B's devices ring, told which number.
    call_id = await invite_from(da, b2, a2)
    for d in (b1, b_tab):
        incoming = await d.expect("incoming")
        assert incoming["to"] == b2
        assert (incoming["from"]["number"], incoming["from"]["withheld"]) == (a2, False)
    await da.expect("ringing")
    rec = await record(c, call_id)
    assert (rec.caller_id, rec.callee_id, rec.caller_number, rec.callee_number) == (a.id, b.id, a2, b2)
    await cancel(da, [b1, b_tab], call_id)

    # The main number still rings the same devices; without "from" the call shows A's main number.
    clock.advance(timedelta(minutes=1))
    call_id = await invite(da, b.number)
    incoming = await b1.expect("incoming")
    await b_tab.expect("incoming")
    assert (incoming["to"], incoming["from"]["number"]) == (b.number, a.number)
    await da.expect("ringing")
    await cancel(da, [b1, b_tab], call_id)

    # The histories say which of one's own numbers each call used.
    _, bs = await c.calls.history(b.id)
    assert [(i.own_number, i.own_number_primary, i.other_number) for i in bs] == [
        (b.number, True, a.number),
        (b2, False, a2),
    ]
    _, as_ = await c.calls.history(a.id)
    assert [(i.own_number, i.own_number_primary) for i in as_] == [(a.number, True), (a2, False)]

    # A number that is not A's cannot be shown (another subscriber's, B's second): refused, nothing recorded.
    for stranger in (b.number, b2, "95100000000"):
        bad = new_call_id()
        await da.send({"type": "invite", "call_id": bad, "to": b.number, "sdp": OFFER, "from": stranger, "ref": "r"})
        error = await da.expect("error")
        assert (error["code"], error["field"], error["ref"]) == ("invalid_message", "from", "r"), error
        async with c.deps.uow() as uow:
            assert await uow.session.get(CallRecord, bad) is None

    # Blocking A's main number blocks A's calls shown from A's second number too.
    await c.contacts.block(b_actor, b.id, a.number)
    blocked = await invite_from(da, b2, a2)
    assert (await da.expect("ended"))["reason"] == "unavailable"
    assert (await record(c, blocked)).end_reason == "blocked"


async def test_when_the_service_ends_the_second_number_neither_rings_nor_shows(host: str, container: Container) -> None:
    c = container
    await c.tariffs.ensure_demo_catalog()
    a, a_actor = await verified(c)
    b, b_actor = await verified(c)
    await c.orders.add_vas(a_actor, a.id, "second_number")
    await c.orders.add_vas(b_actor, b.id, "second_number")
    a2 = (await c.subscribers.account(a.id)).second_number
    b2 = (await c.subscribers.account(b.id)).second_number
    assert a2 and b2
    await c.orders.remove_vas(a_actor, a.id, "second_number")
    await c.orders.remove_vas(b_actor, b.id, "second_number")
    da = await Device.open(host, a.token, "phone-a-1")
    assert da.welcome["numbers"] == [a.number]
    await Device.open(host, b.token, "phone-b-1")
    call_id = await invite(da, b2)
    assert (await da.expect("ended"))["reason"] == "number_unknown"
    assert (await record(c, call_id)).callee_id is None
    await da.send({"type": "invite", "call_id": new_call_id(), "to": b.number, "sdp": OFFER, "from": a2})
    assert (await da.expect("error"))["field"] == "from"
    for malformed in ("*31#" + a.number, "", 12345, "9" * 21):  # not a number: refused before any read
        await da.send({"type": "invite", "call_id": new_call_id(), "to": b.number, "sdp": OFFER, "from": malformed})
        error = await da.expect("error")
        assert (error["code"], error["field"]) == ("invalid_message", "from"), (malformed, error)


async def invite_from(device: Device, to: str, shown: str) -> str:
    call_id = new_call_id()
    await device.send(
        {
            "type": "invite",
            "call_id": call_id,
            "to": to,
            "sdp": OFFER,
            "from": shown,
            "media": {"audio": True, "video": True},
        }
    )
    return call_id

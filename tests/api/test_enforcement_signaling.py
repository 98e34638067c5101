"""Restrictions are enforced by signaling at once (R-30, R-31), through real WebSockets: a call in
progress ends the moment staff suspend a party or bar the caller's outgoing calls — on the node that
holds it, even when the request reached another node."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.api.test_signaling_ws import ANSWER, record, subscriber
from tests.api.test_signaling_ws import invite as place
from tests.support.live import Device, serve
from videophone.adapters.clock import FakeClock
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.kernel.events import RestrictionChanged
from videophone.web.app import create_app


@pytest.fixture
async def host(container: Container) -> AsyncIterator[str]:
    async with serve(create_app(container, manage_lifecycle=False)) as address:
        yield address


async def officer(container: Container) -> Actor:
    view = await container.staff.create(Actor.system(), "officer", "officer", "Staff-Passw0rd!", ["legal"])
    return Actor("staff", view.id)


async def answered_call(host: str, container: Container) -> tuple[Device, Device, str, int, int]:
    a, b = await subscriber(container), await subscriber(container)
    da = await Device.open(host, a.token, "phone-a-1")
    db = await Device.open(host, b.token, "phone-b-1")
    call_id = await place(da, b.number)
    await db.expect("incoming")
    await da.expect("ringing")
    await db.send({"type": "accept", "call_id": call_id, "sdp": ANSWER})
    await da.expect("accepted")
    await db.expect("answered")
    return da, db, call_id, a.id, b.id


async def test_a_suspension_ends_the_callers_call_at_once(host: str, container: Container, clock: FakeClock) -> None:
    da, db, call_id, a_id, _ = await answered_call(host, container)
    clock.advance(timedelta(seconds=42))
    await container.violations.issue(await officer(container), a_id, "suspend", "冒用他人身份")
    for device in (da, db):
        ended = await device.expect("ended", within=2)
        assert (ended["reason"], ended["detail"], ended["outcome"], ended["duration"]) == (
            "not_allowed",
            "suspended_violation",
            "answered",
            42,
        )
    row = await record(container, call_id)
    # The time talked is an answered call's (rated); the reason is on record.
    assert (row.outcome, row.end_reason, row.billable_seconds) == ("answered", "not_allowed", 42)
    # And the next attempt is refused with the same reason.
    retry = await place(da, "00000000")
    refused = await da.expect("ended")
    assert (refused["call_id"], refused["reason"], refused["detail"]) == (retry, "not_allowed", "suspended_violation")


async def test_a_lawful_suspension_of_the_callee_ends_the_call(host: str, container: Container) -> None:
    da, db, call_id, _, b_id = await answered_call(host, container)
    async with container.deps.uow() as uow:
        from videophone.adapters.db.models import Subscriber

        callee = await uow.session.get(Subscriber, b_id)
        assert callee is not None
        number = callee.number
    await container.lawful.record(await officer(container), number, "公安机关", "ref-9", "", "")
    for device in (da, db):
        ended = await device.expect("ended", within=2)
        assert (ended["reason"], ended["detail"]) == ("not_allowed", "suspended_lawful")
    assert (await record(container, call_id)).end_reason == "not_allowed"


async def test_outgoing_barred_ends_only_calls_the_subscriber_placed(host: str, container: Container) -> None:
    da, db, call_id, a_id, b_id = await answered_call(host, container)
    actor = await officer(container)
    # Barring the callee's outgoing calls leaves a call they received alone.
    await container.violations.issue(actor, b_id, "restrict_outgoing", "骚扰")
    await db.send({"type": "ping"})
    assert (await db.expect("pong"))["type"] == "pong"
    assert (await record(container, call_id)).ended_at is None
    # Barring the caller's ends it.
    await container.violations.issue(actor, a_id, "restrict_outgoing", "骚扰")
    ended = await da.expect("ended", within=2)
    assert (ended["reason"], ended["detail"]) == ("not_allowed", "outgoing_barred_violation")
    await db.expect("ended", within=2)


async def test_enforcement_reaches_the_node_that_holds_the_call(host: str, container: Container) -> None:
    """The staff request is handled by a node whose hub holds no call (say a web-only process): its
    ``enforce`` publishes to every live node, and the node holding the call ends it."""
    from videophone.calling.services.signaling import SignalingHub

    da, db, call_id, a_id, _ = await answered_call(host, container)
    hub = container.signaling
    other = SignalingHub(container.deps, hub.bus, hub.presence, node_id="web-only-node", turn=hub.turn)
    assert not other.calls and call_id in hub.calls
    events = container.deps.events  # the staff request's node tells the others, not its own hub
    events.unsubscribe(RestrictionChanged, hub.on_restriction_changed)
    events.after_commit(RestrictionChanged, other.on_restriction_changed)
    await container.violations.issue(await officer(container), a_id, "suspend", "冒用他人身份")
    for device in (da, db):
        ended = await device.expect("ended", within=2)
        assert (ended["reason"], ended["detail"]) == ("not_allowed", "suspended_violation")
    assert (await record(container, call_id)).end_reason == "not_allowed"

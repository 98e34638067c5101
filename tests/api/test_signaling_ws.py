"""Signaling through a real WebSocket against a real server on loopback (docs/signaling.md)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from websockets.exceptions import ConnectionClosed

from tests.factories import PASSWORD, person
from tests.support.live import Device, serve
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import Block, CallRecord
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.identity.services.subscribers import RequestInfo
from videophone.web.app import create_app

OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
ANSWER = "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


class Sub:
    def __init__(self, id: int, number: str, token: str) -> None:
        self.id, self.number, self.token = id, number, token


async def subscriber(container: Container, **overrides: object) -> Sub:
    view = await container.subscribers.register(person(**overrides), RequestInfo())
    issued = await container.auth.login_subscriber(view.number, PASSWORD, ip="", user_agent="", kind="api")
    return Sub(view.id, view.number, issued.token)


@pytest.fixture
async def host(container: Container) -> AsyncIterator[str]:
    async with serve(create_app(container, manage_lifecycle=False)) as address:
        yield address


def new_call_id() -> str:
    return str(uuid.uuid4())


async def record(container: Container, call_id: str) -> CallRecord:
    async with container.deps.uow() as uow:
        row = await uow.session.get(CallRecord, call_id)
        assert row is not None
        return row


async def invite(device: Device, to: str, call_id: str | None = None) -> str:
    call_id = call_id or new_call_id()
    await device.send(
        {"type": "invite", "call_id": call_id, "to": to, "sdp": OFFER, "media": {"audio": True, "video": True}}
    )
    return call_id


async def test_unauthenticated_connections_are_closed(host: str) -> None:
    from websockets.asyncio.client import connect

    async with connect(f"ws://{host}/ws") as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4001


async def test_hello_first_and_protocol_version(host: str, container: Container) -> None:
    a = await subscriber(container)
    d = await Device.open(host, a.token, "dev-aaaaaaaa", hello=False)
    await d.send({"type": "ping"})
    error = await d.expect("error")
    assert error["code"] == "hello_required" and error["message"]
    with pytest.raises(ConnectionClosed) as closed:
        await d.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400
    d = await Device.open(host, a.token, "dev-aaaaaaaa", hello=False)
    await d.send({"type": "hello", "protocol": 2, "device_id": "dev-aaaaaaaa"})
    assert (await d.expect("error"))["code"] == "protocol_unsupported"


async def test_a_call_from_invite_to_hangup(host: str, container: Container, clock: FakeClock) -> None:
    a, b = await subscriber(container), await subscriber(container)
    da = await Device.open(host, a.token, "phone-a-1")
    db = await Device.open(host, b.token, "phone-b-1")
    assert da.welcome["number"] == a.number and da.welcome["protocol"] == 1
    call_id = await invite(da, b.number)
    incoming = await db.expect("incoming")
    assert incoming["call_id"] == call_id and incoming["sdp"] == OFFER
    # B holds no caller ID (来电显示): A's number is withheld (ADR 0009; tests/api/test_caller_id_ws.py).
    assert incoming["from"] == {"number": "", "name": "", "contact_name": None, "withheld": True}
    await da.expect("ringing")
    assert (await record(container, call_id)).state == "ringing"

    await da.send(
        {
            "type": "ice",
            "call_id": call_id,
            "candidate": {
                "candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host",
                "sdpMid": "0",
                "sdpMLineIndex": 0,
            },
        }
    )
    assert (await db.expect("ice"))["candidate"]["candidate"].startswith("candidate:1")

    await db.send({"type": "accept", "call_id": call_id, "sdp": ANSWER})
    accepted = await da.expect("accepted")
    assert accepted["sdp"] == ANSWER
    await db.expect("answered")
    await db.send({"type": "ice", "call_id": call_id, "candidate": None})
    assert (await da.expect("ice"))["candidate"] is None
    await da.send({"type": "renegotiate", "call_id": call_id, "description": {"type": "offer", "sdp": OFFER}})
    assert (await db.expect("renegotiate"))["description"]["type"] == "offer"

    clock.advance(timedelta(seconds=65.2))
    await da.send({"type": "hangup", "call_id": call_id})
    for d in (da, db):
        ended = await d.expect("ended")
        assert (ended["reason"], ended["outcome"], ended["duration"], ended["by"]) == (
            "hangup",
            "answered",
            66,
            "caller",
        )
    row = await record(container, call_id)
    assert (row.state, row.outcome, row.end_reason, row.billable_seconds) == ("ended", "answered", "hangup", 66)
    assert row.callee_device == "phone-b-1" and row.answered_at is not None


async def test_every_device_rings_and_the_first_to_answer_wins(host: str, container: Container) -> None:
    a, b = await subscriber(container), await subscriber(container)
    da = await Device.open(host, a.token, "phone-a-1")
    b1 = await Device.open(host, b.token, "phone-b-1")
    b2 = await Device.open(host, b.token, "tablet-b-2")
    call_id = await invite(da, b.number)
    await b1.expect("incoming")
    await b2.expect("incoming")
    await b2.send({"type": "accept", "call_id": call_id, "sdp": ANSWER})
    await b1.expect("answered_elsewhere")
    await b2.expect("answered")
    await b1.send({"type": "accept", "call_id": call_id, "sdp": ANSWER})
    assert (await b1.expect("error"))["code"] in ("not_participant", "out_of_order")
    await b2.send({"type": "hangup", "call_id": call_id})
    await da.expect("ringing")
    assert (await da.expect("accepted"))["call_id"] == call_id
    assert (await da.expect("ended"))["by"] == "callee"


async def test_a_party_s_camera_and_microphone_state_is_relayed_to_the_peer(host: str, container: Container) -> None:
    """``media`` (camera off, muted) goes to the peer's device like ICE; a bad one is refused, a stranger's
    or one before the answer gets an error and reaches nobody."""
    a, b, c = await subscriber(container), await subscriber(container), await subscriber(container)
    da, db = await Device.open(host, a.token, "phone-a-1"), await Device.open(host, b.token, "phone-b-1")
    dc = await Device.open(host, c.token, "phone-c-1")
    call_id = await invite(da, b.number)
    await db.expect("incoming")
    await da.expect("ringing")
    await db.send({"type": "media", "call_id": call_id, "audio": True, "video": False})  # ringing: not yet
    assert (await db.expect("error"))["code"] == "out_of_order"
    await db.send({"type": "accept", "call_id": call_id, "sdp": ANSWER})
    await da.expect("accepted")
    await db.expect("answered")

    await da.send({"type": "media", "call_id": call_id, "audio": True, "video": False})
    assert await db.expect("media") == {"type": "media", "call_id": call_id, "audio": True, "video": False}
    await db.send({"type": "media", "call_id": call_id, "audio": False, "video": True})
    assert await da.expect("media") == {"type": "media", "call_id": call_id, "audio": False, "video": True}

    for bad, field in (
        ({"type": "media", "call_id": call_id, "audio": True}, "video"),
        ({"type": "media", "call_id": call_id, "audio": True, "video": "off"}, "video"),
        ({"type": "media", "call_id": call_id, "audio": True, "video": False, "name": "x"}, "name"),
        ({"type": "media", "call_id": "nope", "audio": True, "video": False}, "call_id"),
    ):
        await da.send(bad)
        error = await da.expect("error")
        assert (error["code"], error["field"]) == ("invalid_message", field), bad
    await dc.send({"type": "media", "call_id": call_id, "audio": True, "video": False})  # a stranger
    assert (await dc.expect("error"))["code"] == "not_participant"

    await da.send({"type": "hangup", "call_id": call_id})
    # Nothing else reached B between the last relayed message and the end of the call.
    assert (await db.recv())["type"] == "ended"


@pytest.mark.parametrize(
    "action,reason,outcome", [("reject", "rejected", "rejected"), ("cancel", "cancelled", "cancelled")]
)
async def test_reject_and_cancel(host: str, container: Container, action: str, reason: str, outcome: str) -> None:
    a, b = await subscriber(container), await subscriber(container)
    da, db = await Device.open(host, a.token, "phone-a-1"), await Device.open(host, b.token, "phone-b-1")
    call_id = await invite(da, b.number)
    await db.expect("incoming")
    await da.expect("ringing")
    await (db if action == "reject" else da).send({"type": action, "call_id": call_id})
    for d in (da, db):
        ended = await d.expect("ended")
        assert (ended["reason"], ended["outcome"]) == (reason, outcome)
    assert (await record(container, call_id)).outcome == outcome


async def test_no_answer_is_a_missed_call(host: str, container: Container, clock: FakeClock) -> None:
    a, b = await subscriber(container), await subscriber(container)
    da, db = await Device.open(host, a.token, "phone-a-1"), await Device.open(host, b.token, "phone-b-1")
    call_id = await invite(da, b.number)
    await db.expect("incoming")
    await da.expect("ringing")
    clock.advance(timedelta(seconds=46))
    await container.signaling.tick()
    assert (await da.expect("ended"))["reason"] == "no_answer"
    assert (await db.expect("ended"))["outcome"] == "missed"
    row = await record(container, call_id)
    assert (row.outcome, row.end_reason, row.billable_seconds) == ("missed", "no_answer", 0)


async def test_refusals(host: str, container: Container) -> None:
    a, b, c = await subscriber(container), await subscriber(container), await subscriber(container)
    da, db, dc = [await Device.open(host, s.token, f"phone-{i}-xxxx") for i, s in enumerate((a, b, c))]
    # unknown number
    call_id = await invite(dc, "95199999999")
    assert (await dc.expect("ended"))["reason"] == "number_unknown"
    # busy: b is being called by a
    first = await invite(da, b.number)
    await db.expect("incoming")
    await invite(dc, b.number)
    busy = await dc.expect("ended")
    assert (busy["reason"], busy["outcome"]) == ("busy", "busy")
    # the caller in a call cannot place another
    await invite(da, c.number)
    await da.expect("ringing")
    refused = await da.expect("ended")
    assert (refused["reason"], refused["detail"]) == ("not_allowed", "in_call")
    await da.send({"type": "cancel", "call_id": first})
    await da.expect("ended")
    await db.expect("ended")
    # blocked: c is told only "unavailable", and the record says why
    async with container.deps.uow() as uow:
        uow.session.add(
            Block(owner_id=b.id, blocked_number=c.number, reason="骚扰", created_at=container.deps.clock.now())
        )
        await uow.commit()
    blocked = await invite(dc, b.number)
    told = await dc.expect("ended")
    assert (told["reason"], told["outcome"]) == ("unavailable", "failed")
    assert (await record(container, blocked)).end_reason == "blocked"
    # offline: nobody of the callee connected
    await db.close()
    await asyncio.sleep(0.1)
    offline = await invite(da, b.number)
    told = await da.expect("ended")
    assert (told["reason"], told["outcome"]) == ("offline", "missed")
    assert (await record(container, offline)).outcome == "missed"
    assert (await record(container, call_id)).callee_id is None


async def test_service_state_and_identity_review_are_enforced(host: str, container: Container) -> None:
    a, b = await subscriber(container), await subscriber(container)
    reviewer = await container.staff.create(Actor.system(), "rev", "rev", "Staff-Passw0rd!", ["reviewer"])
    await container.review.decide(Actor("staff", reviewer.id), a.id, "request_documents", "请上传证件")
    da, db = await Device.open(host, a.token, "phone-a-1"), await Device.open(host, b.token, "phone-b-1")
    await invite(da, b.number)
    told = await da.expect("ended")
    assert (told["reason"], told["detail"]) == ("not_allowed", "documents_requested")
    # … while they can still be called (documents requested → receive only)
    call_id = await invite(db, a.number)
    await da.expect("incoming")
    await db.send({"type": "cancel", "call_id": call_id})


async def test_bad_messages_get_errors_and_change_nothing(host: str, container: Container) -> None:
    a, b, c = await subscriber(container), await subscriber(container), await subscriber(container)
    da, db, dc = [await Device.open(host, s.token, f"phone-{i}-yyyy") for i, s in enumerate((a, b, c))]
    await da.send("{not json")
    assert (await da.expect("error"))["code"] == "bad_json"
    await da.send("[1, 2]")
    assert (await da.expect("error"))["code"] == "bad_json"
    await da.send({"type": "teleport", "ref": "r1"})
    error = await da.expect("error")
    assert (error["code"], error["ref"]) == ("unknown_type", "r1")
    await da.send({"type": "invite", "call_id": "not-a-uuid", "to": b.number, "sdp": OFFER})
    error = await da.expect("error")
    assert (error["code"], error["field"]) == ("invalid_message", "call_id")
    await da.send({"type": "invite", "call_id": new_call_id(), "to": "abc", "sdp": OFFER})
    assert (await da.expect("error"))["field"] == "to"
    await da.send({"type": "hangup", "call_id": new_call_id(), "extra": 1})
    assert (await da.expect("error"))["code"] == "invalid_message"
    await da.send({"type": "hangup", "call_id": new_call_id()})
    assert (await da.expect("error"))["code"] == "call_not_found"
    await da.send({"type": "hello", "protocol": 1, "device_id": "phone-0-yyyy"})
    assert (await da.expect("error"))["code"] == "out_of_order"
    call_id = await invite(da, b.number)
    await db.expect("incoming")
    await da.expect("ringing")
    await da.send({"type": "hangup", "call_id": call_id})  # before the answer: cancel, not hangup
    assert (await da.expect("error"))["code"] == "out_of_order"
    await dc.send({"type": "accept", "call_id": call_id, "sdp": ANSWER})  # a stranger
    assert (await dc.expect("error"))["code"] == "not_participant"
    await da.send({"type": "invite", "call_id": call_id, "to": b.number, "sdp": OFFER})
    assert (await da.expect("error"))["code"] == "duplicate_call_id"
    # The call is untouched and the connection still works.
    await da.send({"type": "ping"})
    await da.expect("pong")
    await db.send({"type": "accept", "call_id": call_id, "sdp": ANSWER})
    await da.expect("accepted")
    await da.send({"type": "hangup", "call_id": call_id})
    assert (await db.expect("answered"))["call_id"] == call_id
    assert (await db.expect("ended"))["outcome"] == "answered"


async def test_english_error_messages_follow_the_account_language(host: str, container: Container) -> None:
    a = await subscriber(container, language="en")
    da = await Device.open(host, a.token, "phone-a-en1")
    await da.send({"type": "teleport"})
    assert (await da.expect("error"))["message"] == "Unknown message type."


async def test_reconnection_within_grace_resumes_otherwise_the_call_ends(
    host: str, container: Container, clock: FakeClock
) -> None:
    a, b = await subscriber(container), await subscriber(container)
    da, db = await Device.open(host, a.token, "phone-a-1"), await Device.open(host, b.token, "phone-b-1")
    call_id = await invite(da, b.number)
    await db.expect("incoming")
    await db.send({"type": "accept", "call_id": call_id, "sdp": ANSWER})
    await da.expect("ringing")
    await da.expect("accepted")
    await db.expect("answered")
    await da.close()
    await db.expect("peer_reconnecting")
    clock.advance(timedelta(seconds=10))
    da = await Device.open(host, a.token, "phone-a-1")
    assert [c["call_id"] for c in da.welcome["calls"]] == [call_id]
    assert da.welcome["calls"][0]["role"] == "caller" and da.welcome["calls"][0]["state"] == "answered"
    await db.expect("peer_reconnected")
    await container.signaling.tick()
    assert (await record(container, call_id)).ended_at is None
    await da.close()
    await db.expect("peer_reconnecting")
    clock.advance(timedelta(seconds=21))
    await container.signaling.tick()
    ended = await db.expect("ended")
    assert (ended["reason"], ended["outcome"]) == ("connection_lost", "answered")
    assert (await record(container, call_id)).end_reason == "connection_lost"


async def test_a_second_connection_of_the_same_device_replaces_the_first(host: str, container: Container) -> None:
    a = await subscriber(container)
    first = await Device.open(host, a.token, "phone-a-1")
    await Device.open(host, a.token, "phone-a-1")
    with pytest.raises(ConnectionClosed) as closed:
        await first.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4409


async def test_every_attempt_has_exactly_one_finished_record(host: str, container: Container) -> None:
    a, b = await subscriber(container), await subscriber(container)
    da, db = await Device.open(host, a.token, "phone-a-1"), await Device.open(host, b.token, "phone-b-1")
    ids = []
    for _ in range(5):
        call_id = await invite(da, b.number)
        ids.append(call_id)
        await db.expect("incoming")
        await da.expect("ringing")
        await db.send({"type": "reject", "call_id": call_id})
        await da.expect("ended")
        await db.expect("ended")
    async with container.deps.uow() as uow:
        rows = list(await uow.session.scalars(select(CallRecord).where(CallRecord.caller_id == a.id)))
    assert sorted(r.id for r in rows) == sorted(ids)
    assert all(r.ended_at is not None and r.outcome == "rejected" for r in rows)


async def test_a_flooding_client_is_told_then_closed(host: str, container: Container) -> None:
    """More than the burst at once: the excess gets ``rate_limited`` and, past a second burst of
    strikes, the connection is closed with 4429 (web/ws.py token bucket; docs/security.md)."""
    a = await subscriber(container)
    d = await Device.open(host, a.token, "flood-aaaaaaaa")
    for _ in range(600):
        await d.send({"type": "ping"})
    kinds: list[str] = []
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            message = await d.recv()
            kinds.append(message.get("code") or message["type"])
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429
    assert kinds.count("rate_limited") > 200 and 0 < kinds.count("pong") < 400

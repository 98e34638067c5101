"""Web Push (R-36) against a push service the test runs on loopback: a call to a subscriber with no
live connection pushes (VAPID checked, payload decrypted with the subscription's key); the device that
connects after the push rings with the time left from the invite, gets the caller's ICE candidates it
missed, and answers; when the call stops ringing the pushed devices get a "call over" (a missed call
when nobody answered); a callee with voicemail rings its push device first; 404/410 removes the
subscription; a missed call is pushed as a notification; the API refuses bad subscriptions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.api.conftest import register_and_login
from tests.api.test_forwarding_ws import customer
from tests.api.test_signaling_ws import ANSWER, invite, record, subscriber
from tests.support.live import Device, serve
from tests.support.push_service import PushService, claims_ok
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import Notification, OutboxMessage
from videophone.adapters.db.models_push import PushSubscription
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.web.app import create_app

CANDIDATE = {"candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", "sdpMid": "0", "sdpMLineIndex": 0}
CANDIDATE_2 = {"candidate": "candidate:2 1 udp 2122260223 127.0.0.1 50002 typ host", "sdpMid": "1", "sdpMLineIndex": 1}


@pytest.fixture
def pushsvc() -> Iterator[PushService]:
    with PushService() as service:
        yield service


@pytest.fixture
async def host(container: Container) -> AsyncIterator[str]:
    async with serve(create_app(container, manage_lifecycle=False)) as address:
        yield address


async def until(check: Callable[[], object], what: str, within: float = 10.0) -> None:
    """Wait (bounded) for something that happens in the background."""
    for _ in range(int(within / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


async def enable_push(container: Container, pushsvc: PushService, subscriber_id: int, device_id: str) -> None:
    endpoint, browser = pushsvc.endpoint(device_id)
    await container.push.subscribe(
        subscriber_id,
        device_id=device_id,
        endpoint=endpoint,
        p256dh=browser.p256dh,
        auth=browser.auth_b64,
        user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0",
        actor=Actor("subscriber", subscriber_id),
    )


async def subscriptions(container: Container, subscriber_id: int) -> int:
    async with container.deps.uow() as uow:
        return int(
            await uow.session.scalar(
                select(func.count())
                .select_from(PushSubscription)
                .where(PushSubscription.subscriber_id == subscriber_id)
            )
            or 0
        )


async def test_a_call_to_a_closed_portal_pushes_and_the_woken_device_answers(
    host: str, container: Container, clock: FakeClock, pushsvc: PushService
) -> None:
    a, b = await subscriber(container), await subscriber(container)
    await enable_push(container, pushsvc, b.id, "b-phone-push")
    da = await Device.open(host, a.token, "a-phone-1")
    timeout = da.welcome["no_answer_timeout"]
    invited_at = clock.now()
    call_id = await invite(da, b.number)
    # B has no live connection but a push subscription: the call rings (it is not "offline").
    await da.expect("ringing")
    await until(lambda: pushsvc.received or pushsvc.errors, "the push")
    assert pushsvc.errors == []
    got = pushsvc.received[0]
    assert claims_ok(got.claims, pushsvc.origin) and got.vapid_key == container.push.public_key()
    assert got.headers["Urgency"] == "high" and 0 < int(got.headers["TTL"]) <= timeout
    payload = got.payload
    assert payload["type"] == "call" and payload["call_id"] == call_id and payload["to"] == b.number
    assert payload["url"] == f"/phone?answer={call_id}" and payload["tag"] == f"call-{call_id}"
    # B holds no caller ID (ADR 0009): the push says a withheld number calls, nothing more.
    assert payload["from"]["withheld"] is True and payload["from"]["number"] == ""
    assert payload["title"] == "号码未显示 来电"
    assert payload["deadline"] == (invited_at + timedelta(seconds=timeout)).isoformat()
    assert payload["decline_url"] == f"/phone?decline={call_id}"
    assert payload["actions"] == [{"action": "answer", "title": "接听"}, {"action": "decline", "title": "拒绝"}]

    # The caller trickles its ICE candidates while nobody is connected to hear them.
    for candidate in (CANDIDATE, CANDIDATE, CANDIDATE_2, None):
        await da.send({"type": "ice", "call_id": call_id, "candidate": candidate})

    # The woken browser connects 12 s later: it rings for what is left of the time since the invite,
    # and gets the candidates it missed (each once, in order) right after the call's offer.
    clock.advance(timedelta(seconds=12))
    db = await Device.open(host, b.token, "b-phone-push")
    incoming = await db.expect("incoming")
    assert incoming["call_id"] == call_id and incoming["expires_in"] == timeout - 12
    replayed = [await db.recv() for _ in range(3)]
    assert [(m["type"], m["call_id"], m["candidate"] and m["candidate"]["candidate"]) for m in replayed] == [
        ("ice", call_id, CANDIDATE["candidate"]),
        ("ice", call_id, CANDIDATE_2["candidate"]),
        ("ice", call_id, None),
    ]
    await db.send({"type": "accept", "call_id": call_id, "sdp": ANSWER})
    assert (await da.expect("accepted"))["sdp"] == ANSWER
    await db.expect("answered")
    assert (await record(container, call_id)).callee_device == "b-phone-push"
    # The call stopped ringing: the device it was pushed to hears so — answered, nothing to show.
    await until(lambda: len(pushsvc.received) == 2, "the call-over push")
    over = pushsvc.received[1]
    assert over.payload == {"type": "call_over", "call_id": call_id, "tag": f"call-{call_id}", "missed": False}
    assert over.headers["Urgency"] == "normal" and int(over.headers["TTL"]) == 300
    await da.close()
    await db.close()


async def test_the_ring_deadline_counts_from_the_invite(
    host: str, container: Container, clock: FakeClock, pushsvc: PushService
) -> None:
    a, b = await subscriber(container), await subscriber(container)
    await enable_push(container, pushsvc, b.id, "b-sleepy-1")
    da = await Device.open(host, a.token, "a-phone-2")
    call_id = await invite(da, b.number)
    await da.expect("ringing")
    clock.advance(timedelta(seconds=da.welcome["no_answer_timeout"] + 1))  # nobody woke in time
    ended = await da.expect("ended")
    assert ended["reason"] == "no_answer" and ended["outcome"] == "missed"
    # A device connecting now does not ring: the call is over.
    db = await Device.open(host, b.token, "b-sleepy-1")
    assert db.welcome["calls"] == []
    assert (await record(container, call_id)).end_reason == "no_answer"
    await da.close()
    await db.close()


@pytest.mark.parametrize("status", [404, 410])
async def test_a_gone_subscription_is_removed(
    host: str, container: Container, pushsvc: PushService, status: int
) -> None:
    a, b = await subscriber(container), await subscriber(container)
    await enable_push(container, pushsvc, b.id, "b-gone-01")
    pushsvc.status = status
    da = await Device.open(host, a.token, "a-phone-3")
    await invite(da, b.number)
    await da.expect("ringing")
    await until(lambda: pushsvc.received, "the push")
    for _ in range(200):
        if await subscriptions(container, b.id) == 0:
            break
        await asyncio.sleep(0.05)
    assert await subscriptions(container, b.id) == 0
    await da.close()


async def test_a_missed_call_is_pushed_as_a_notification(
    host: str, container: Container, clock: FakeClock, pushsvc: PushService
) -> None:
    a, b = await subscriber(container), await subscriber(container)
    await enable_push(container, pushsvc, b.id, "b-missed-1")
    da = await Device.open(host, a.token, "a-phone-4")
    call_id = await invite(da, b.number)
    await da.expect("ringing")
    await da.send({"type": "cancel", "call_id": call_id})  # the caller gives up while it rings
    await da.expect("ended")

    async def missed() -> list[Notification]:
        async with container.deps.uow() as uow:
            return list(
                await uow.session.scalars(
                    select(Notification).where(Notification.subscriber_id == b.id, Notification.kind == "missed_call")
                )
            )

    for _ in range(200):
        if await missed():
            break
        await asyncio.sleep(0.05)
    [notice] = await missed()
    assert notice.params["call_id"] == call_id and notice.params["caller_zh"] == "号码未显示"
    async with container.deps.uow() as uow:
        rows = list(await uow.session.scalars(select(OutboxMessage).where(OutboxMessage.notification_id == notice.id)))
    assert [r.channel for r in rows] == ["push"]  # calls: in-app and push by default, no email/SMS
    before = len(pushsvc.received)
    counts = await container.notifications.deliver_due()
    assert counts["sent"] >= 1
    pushed = [r.payload for r in pushsvc.received[before:] if r.payload.get("type") == "notice"]
    assert pushed and pushed[0]["title"] == "未接来电" and pushed[0]["url"] == "/history"
    assert b.number in pushed[0]["body"]
    # It replaces the call's notification (same tag) rather than adding a second one.
    assert pushed[0]["tag"] == f"call-{call_id}"
    # Before it, the "call over": a missed call, in the callee's language, whose click opens the history.
    [over] = [r for r in pushsvc.received if r.payload["type"] == "call_over"]
    assert over.payload == {
        "type": "call_over",
        "call_id": call_id,
        "tag": f"call-{call_id}",
        "missed": True,
        "title": "号码未显示 的未接来电",
        "body": f"拨打的号码：{b.number}",
        "url": "/history",
    }
    await da.close()


async def test_a_callee_with_voicemail_and_a_push_device_rings_first_then_goes_to_voicemail(
    host: str, container: Container, clock: FakeClock, pushsvc: PushService
) -> None:
    a, b = await customer(container), await customer(container, "voicemail")
    await enable_push(container, pushsvc, b.id, "b-voicemail-push")
    da = await Device.open(host, a.token, "a-phone-vm")
    timeout = da.welcome["no_answer_timeout"]
    call_id = await invite(da, b.number)
    # Reachable by push: the call rings (not straight to the mailbox, as for an unreachable callee).
    await da.expect("ringing")
    await until(lambda: pushsvc.received, "the call push")
    assert pushsvc.received[0].payload["type"] == "call" and pushsvc.received[0].payload["call_id"] == call_id
    clock.advance(timedelta(seconds=timeout - 1))
    await container.signaling.tick()
    assert (await record(container, call_id)).ended_at is None  # still ringing just before the time
    clock.advance(timedelta(seconds=2))
    await container.signaling.tick()
    ended = await da.expect("ended")
    assert (ended["reason"], ended["outcome"]) == ("voicemail", "voicemail") and ended["voicemail"]["token"]
    row = await record(container, call_id)
    assert (row.outcome, row.end_reason) == ("voicemail", "voicemail")
    await until(lambda: any(r.payload["type"] == "call_over" for r in pushsvc.received), "the call-over push")
    [over] = [r.payload for r in pushsvc.received if r.payload["type"] == "call_over"]
    assert over["call_id"] == call_id and over["missed"] is True and over["url"] == "/history"
    await da.close()


# -- the API ------------------------------------------------------------------------------------------
@pytest.fixture
def app(container: Container) -> FastAPI:
    return create_app(container, manage_lifecycle=False)


async def test_the_api_takes_a_subscription_and_refuses_bad_ones(app: FastAPI, pushsvc: PushService) -> None:
    me = await register_and_login(app)
    key = await me.get("/api/v1/push/vapid-public-key")
    assert key.status_code == 200 and len(key.json()["public_key"]) == 87
    endpoint, browser = pushsvc.endpoint("api-device")
    good = {
        "device_id": "web-api-device-1",
        "endpoint": endpoint,
        "keys": {"p256dh": browser.p256dh, "auth": browser.auth_b64},
    }
    bad: list[tuple[dict[str, object], str]] = [
        ({**good, "endpoint": "http://push.example.com/x"}, "push_endpoint_not_https"),
        ({**good, "endpoint": "http://10.1.2.3/x"}, "push_endpoint_not_https"),
        ({**good, "endpoint": "https://user:pw@push.example.com/x"}, "push_endpoint_credentials"),
        ({**good, "endpoint": "https://push.example.com/" + "a" * 1000}, "push_endpoint_invalid"),
        ({**good, "keys": {"p256dh": "AAAA", "auth": browser.auth_b64}}, "push_key_invalid"),
        ({**good, "keys": {"p256dh": browser.p256dh, "auth": "not base64!"}}, "push_auth_invalid"),
        ({**good, "device_id": "x"}, "push_device_invalid"),
    ]
    for body, code in bad:
        r = await me.request("POST", "/api/v1/me/push-subscriptions", json=body)
        assert r.status_code == 422, (code, r.text)
        assert code in [e["code"] for e in r.json()["errors"]], r.text
    huge = await me.request(
        "POST",
        "/api/v1/me/push-subscriptions",
        content=b'{"endpoint": "' + b"a" * (2 * 1024 * 1024) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert 400 <= huge.status_code < 500
    r = await me.request("POST", "/api/v1/me/push-subscriptions", json=good)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["origin"] == pushsvc.origin and "push/" not in str(made) and made["label"] == ""
    # The same device again replaces its subscription.
    again = await me.request("POST", "/api/v1/me/push-subscriptions", json=good)
    listed = (await me.get("/api/v1/me/push-subscriptions")).json()
    assert [s["id"] for s in listed] == [again.json()["id"]]
    assert (await me.request("DELETE", f"/api/v1/me/push-subscriptions/{again.json()['id']}")).status_code == 204
    assert (await me.get("/api/v1/me/push-subscriptions")).json() == []
    gone = await me.request("DELETE", f"/api/v1/me/push-subscriptions/{again.json()['id']}")
    assert gone.status_code == 404

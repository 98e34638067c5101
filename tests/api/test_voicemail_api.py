"""Video voicemail through its routes (R-18): the caller uploads with the token of a diverted call (once,
a WebM with video, within the length and the byte cap, checked by its bytes — never by the declared
type), only the mailbox's owner lists, plays (``Cache-Control: private, no-store``), marks read and
deletes, the greeting, and the console's view and clear (support, with a reason, audited)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from tests.api.conftest import Session, client_for, register_and_login, staff_login
from tests.integration.test_orders import reviewer
from tests.support.voicemail import diverted_call, set_policy
from tests.support.webm import webm
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.identity.services.subscribers import AccountView

RECORDING = webm(10_000, frame_bytes=300)


async def account(c: Container, session: Session, *, voicemail: bool = False) -> AccountView:
    me = (await session.get("/api/v1/me")).json()
    await c.review.decide(await reviewer(c), me["id"], "verify", "")
    if voicemail:
        await c.orders.add_vas(Actor("subscriber", me["id"], "198.51.100.7"), me["id"], "voicemail")
    return await c.subscribers.account(me["id"])


def video(data: bytes, content_type: str = "video/webm", name: str = "message.webm") -> dict[str, Any]:
    return {"files": {"video": (name, data, content_type)}}


async def two(app: FastAPI, c: Container) -> tuple[Session, AccountView, Session, AccountView]:
    await c.tariffs.ensure_demo_catalog()
    alice, bob = await register_and_login(app), await register_and_login(app)
    return alice, await account(c, alice), bob, await account(c, bob, voicemail=True)


async def test_a_caller_leaves_a_message_once_and_only_the_owner_plays_it(app: FastAPI, container: Container) -> None:
    c = container
    alice, alice_view, bob, bob_view = await two(app, c)
    eve = await register_and_login(app)
    _, deposit = await diverted_call(c, alice_view, bob_view)
    assert deposit is not None
    url = f"/api/v1/voicemail/deposits/{deposit.token}"

    # Anonymous, or someone else than the caller: refused, and the token still unused.
    async with client_for(app) as anonymous:
        assert (await anonymous.post(url, **video(RECORDING))).status_code == 401
    r = await eve.request("POST", url, **video(RECORDING))
    assert r.status_code == 404 and r.json()["code"] == "voicemail_deposit_not_found"
    r = await alice.request("POST", url, **video(RECORDING), headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403

    # Declared as anything, a WebM is a WebM; declared as WebM, anything else is refused (422).
    r = await alice.request("POST", url, **video(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "voicemail_not_webm", r.text
    assert "WebM" in r.json()["errors"][0]["message"] or "WebM" in r.json()["message"]
    r = await alice.request("POST", url, **video(RECORDING, "image/png", "cat.png"))
    assert r.status_code == 201, r.text
    left = r.json()
    assert (left["duration_seconds"], left["size_bytes"]) == (10, len(RECORDING))
    r = await alice.request("POST", url, **video(RECORDING))
    assert r.status_code == 409 and r.json()["code"] == "voicemail_deposit_used"

    # The mailbox: its owner only.
    box = (await bob.get("/api/v1/me/voicemail")).json()
    assert (box["total"], box["unread"], box["subscribed"], box["max_seconds"]) == (1, 1, True, 60)
    assert box["items"][0]["caller_number"] == alice_view.number and box["items"][0]["read"] is False
    assert (await bob.get("/api/v1/me/voicemail/unread-count")).json() == {"count": 1}
    assert (await alice.get("/api/v1/me/voicemail")).json()["total"] == 0

    video_url = f"/api/v1/me/voicemail/{left['id']}/video"
    r = await bob.get(video_url)
    assert r.status_code == 200 and r.content == RECORDING
    assert r.headers["content-type"] == "video/webm" and r.headers["cache-control"] == "private, no-store"
    for other in (alice, eve):
        assert (await other.get(video_url)).status_code == 404
        assert (await other.request("DELETE", f"/api/v1/me/voicemail/{left['id']}")).status_code == 404
        assert (await other.request("POST", f"/api/v1/me/voicemail/{left['id']}/read")).status_code == 404
    async with client_for(app) as anonymous:
        assert (await anonymous.get(video_url)).status_code == 401

    r = await bob.request("POST", f"/api/v1/me/voicemail/{left['id']}/read")
    assert r.status_code == 200 and r.json()["read"] is True
    assert (await bob.get("/api/v1/me/voicemail/unread-count")).json() == {"count": 0}
    notices = (await bob.get("/api/v1/me/notifications")).json()
    assert any(n["kind"] == "voicemail_left" and alice_view.number in n["body"] for n in notices["items"]), notices

    assert (await bob.request("DELETE", f"/api/v1/me/voicemail/{left['id']}")).status_code == 204
    assert (await bob.get(video_url)).status_code == 404
    calls = (await alice.get("/api/v1/me/calls")).json()["items"]
    assert [c["outcome"] for c in calls] == ["voicemail_left"]


async def test_length_size_and_hostile_input(app: FastAPI, container: Container) -> None:
    c = container
    alice, alice_view, bob, bob_view = await two(app, c)
    await set_policy(c, voicemail_max_bytes=1_000_000, voicemail_max_seconds=30)
    _, deposit = await diverted_call(c, alice_view, bob_view)
    assert deposit is not None
    url = f"/api/v1/voicemail/deposits/{deposit.token}"

    r = await alice.request("POST", url, **video(webm(40_000, frame_bytes=1)))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "voicemail_too_long"
    r = await alice.request("POST", url, **video(b"\x1a\x45\xdf\xa3" + b"\x00" * 1_200_000))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "voicemail_too_large"
    r = await alice.request("POST", url, **video(b""))
    assert r.status_code == 422
    r = await alice.request("POST", url, data={"video": "text, not a file"})
    assert r.status_code == 422
    # A body far beyond any upload limit is refused while it streams in.
    r = await alice.request("POST", url, **video(b"\x00" * 27_000_000))
    assert r.status_code == 413
    for bad in ("x" * 43, "%00" + "x" * 40, "a" * 2000):
        r = await alice.request("POST", f"/api/v1/voicemail/deposits/{bad}", **video(RECORDING))
        assert r.status_code in (404, 422), (bad[:10], r.status_code, r.text)
    for bad in ("nope", "0" * 32, "../" * 3, "a" * 500):
        assert (await bob.get(f"/api/v1/me/voicemail/{bad}/video")).status_code in (404, 422)
    assert (await bob.get("/api/v1/me/voicemail?limit=1000")).status_code == 422
    # None of it used the token.
    r = await alice.request("POST", url, **video(webm(29_000, frame_bytes=100)))
    assert r.status_code == 201, r.text


async def test_the_greeting_through_the_routes(app: FastAPI, container: Container) -> None:
    c = container
    alice, alice_view, bob, bob_view = await two(app, c)
    greeting = webm(4000, frame_bytes=50)
    assert (await alice.request("PUT", "/api/v1/me/voicemail-greeting", **video(greeting))).status_code == 409
    r = await bob.request("PUT", "/api/v1/me/voicemail-greeting", **video(greeting))
    assert r.status_code == 200 and (r.json()["greeting"], r.json()["greeting_seconds"]) == (True, 4)
    r = await bob.get("/api/v1/me/voicemail-greeting")
    assert r.content == greeting and r.headers["cache-control"] == "private, no-store"
    _, deposit = await diverted_call(c, alice_view, bob_view)
    assert deposit is not None and deposit.greeting_url is not None
    r = await alice.get(deposit.greeting_url)
    assert r.status_code == 200 and r.content == greeting
    assert (await bob.get(deposit.greeting_url)).status_code == 404  # the token is the caller's
    r = await bob.request("DELETE", "/api/v1/me/voicemail-greeting")
    assert r.status_code == 200 and r.json()["greeting"] is False
    assert (await alice.get(deposit.greeting_url)).status_code == 404


async def test_support_sees_the_usage_and_clears_a_mailbox_audited(app: FastAPI, container: Container) -> None:
    c = container
    alice, alice_view, bob, bob_view = await two(app, c)
    _, deposit = await diverted_call(c, alice_view, bob_view)
    assert deposit is not None
    assert (
        await alice.request("POST", f"/api/v1/voicemail/deposits/{deposit.token}", **video(RECORDING))
    ).status_code == 201

    support = await staff_login(app, c, "support")
    billing = await staff_login(app, c, "billing")
    url = f"/api/v1/console/subscribers/{bob_view.id}/voicemail"
    r = await support.get(url)
    assert r.status_code == 200 and (r.json()["messages"], r.json()["unread"]) == (1, 1), r.text
    assert "items" not in r.json()  # usage, never the messages
    r = await billing.request("POST", url + "/clear", json={"reason": "法院通知"})
    assert r.status_code == 403
    r = await support.request("POST", url + "/clear", json={"reason": " "})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = await support.request(
        "POST", url + "/clear", json={"reason": "法院协助执行通知书", "reference": "(2026)京0108执1号", "x": 1}
    )
    assert r.status_code == 422  # unknown fields refused
    r = await support.request(
        "POST", url + "/clear", json={"reason": "法院协助执行通知书", "reference": "(2026)京0108执1号"}
    )
    assert r.status_code == 200 and r.json()["messages"] == 0, r.text
    assert (await bob.get("/api/v1/me/voicemail")).json()["total"] == 0
    r = await support.request("POST", "/api/v1/console/subscribers/999999999/voicemail/clear", json={"reason": "r"})
    assert r.status_code == 404
    audit = (
        await (await staff_login(app, c, "administrator")).get("/api/v1/console/audit?action=voicemail.clear")
    ).json()
    assert "voicemail.clear" in str(audit)


async def test_the_pages(app: FastAPI, container: Container) -> None:
    sub = await register_and_login(app)
    page = await sub.get("/voicemail")
    assert page.status_code == 200 and 'data-testid="voicemail-list"' in page.text
    assert 'data-testid="voicemail-badge"' in page.text and "/static/voicemail.js" in page.text
    phone = await sub.get("/phone")
    assert "/static/voicemail-deposit.js" in phone.text and "vm_dep_default_greeting" in phone.text
    async with client_for(app) as anonymous:
        r = await anonymous.get("/voicemail")
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=/voicemail")
    staff = await staff_login(app, container, "support")
    detail = await staff.get("/console/subscribers/1")
    assert 'data-testid="subscriber-voicemail"' in detail.text and "voicemail-console.js" in detail.text

"""The console's live calls show each side's device kind (browser / SIP phone) and the path of the media
(issue 16): "relay" through rtpengine when a SIP phone takes part, else what the browsers last reported
with their quality samples ("p2p" / "turn"), else "" — all in one query, whatever the number of calls."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import event

from tests.api.conftest import register_and_login, staff_login
from tests.api.test_calls_api import insert_call, with_id
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import CallQualitySample
from videophone.bootstrap import Container
from videophone.kernel.errors import ValidationFailed


async def add_sample(
    container: Container, call_id: str, subscriber_id: int, seconds_ago: int, path: str | None
) -> None:
    now = container.deps.clock.now()
    async with container.deps.uow() as uow:
        uow.session.add(
            CallQualitySample(
                call_id=call_id,
                subscriber_id=subscriber_id,
                at=now - timedelta(seconds=seconds_ago),
                rtt_ms=20,
                media_path=path,
            )
        )
        await uow.commit()


async def test_live_calls_show_device_kinds_and_media_path(app: FastAPI, container: Container) -> None:
    alice = await with_id(await register_and_login(app))
    bob = await with_id(await register_and_login(app))
    a, b = alice.account["id"], bob.account["id"]
    # Two browsers; the latest sample that reported a path says TURN (a later one without a path does not
    # make it unknown again).
    browsers = await insert_call(container, alice, bob, state="answered", minutes_ago=5)
    await add_sample(container, browsers, a, 30, "p2p")
    await add_sample(container, browsers, b, 20, "turn")
    await add_sample(container, browsers, a, 10, None)
    # Two browsers that never reported a path: unknown.
    unknown = await insert_call(container, bob, alice, state="answered", minutes_ago=4)
    await add_sample(container, unknown, a, 5, None)
    # A SIP phone calls a browser: relay, whatever a browser claims.
    from_phone = await insert_call(container, alice, bob, state="answered", minutes_ago=3, caller_device="sip:17")
    await add_sample(container, from_phone, b, 5, "p2p")
    # A browser calls a SIP phone.
    to_phone = await insert_call(container, bob, alice, state="answered", minutes_ago=2, callee_device="sip:4")
    # Still ringing: no callee device yet.
    ringing = await insert_call(container, alice, bob, state="ringing", minutes_ago=1, callee_device="")
    # Ended calls are not live, whatever their samples.
    ended = await insert_call(container, alice, bob, minutes_ago=30)
    await add_sample(container, ended, a, 5, "turn")

    support = await staff_login(app, container, "support")
    r = await support.get("/api/v1/console/calls/live")
    assert r.status_code == 200, r.text
    seen = {i["id"]: (i["caller_device_kind"], i["callee_device_kind"], i["media_path"]) for i in r.json()["items"]}
    assert seen == {
        browsers: ("browser", "browser", "turn"),
        unknown: ("browser", "browser", ""),
        from_phone: ("sip", "browser", "relay"),
        to_phone: ("browser", "sip", "relay"),
        ringing: ("browser", "", ""),
    }
    assert [i["id"] for i in r.json()["items"]] == [browsers, unknown, from_phone, to_phone, ringing]


async def test_live_calls_read_in_one_statement(app: FastAPI, container: Container) -> None:
    """No query per call: the heartbeats and the reported paths come with the calls."""
    alice = await with_id(await register_and_login(app))
    bob = await with_id(await register_and_login(app))
    for n in range(6):
        call = await insert_call(container, alice, bob, state="answered", minutes_ago=n + 1)
        await add_sample(container, call, alice.account["id"], 5, "p2p" if n % 2 else "turn")
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = container.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        live = await container.calls.live_calls()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(live) == 6 and {c.media_path for c in live} == {"p2p", "turn"}
    assert len(statements) == 1, statements


async def test_a_browser_reports_its_media_path_with_a_sample(
    app: FastAPI, container: Container, clock: FakeClock
) -> None:
    alice = await with_id(await register_and_login(app))
    bob = await with_id(await register_and_login(app))
    call_id = await insert_call(container, alice, bob, state="answered", minutes_ago=1)
    url = f"/api/v1/me/calls/{call_id}/quality"
    support = await staff_login(app, container, "support")

    async def live_path() -> str:
        (item,) = (await support.get("/api/v1/console/calls/live")).json()["items"]
        return str(item["media_path"])

    assert await live_path() == ""
    r = await alice.request("POST", url, json={"rtt_ms": 30, "path": "p2p"})
    assert r.status_code == 204, r.text
    assert await live_path() == "p2p"
    # Anything but the two known paths is refused, and nothing is stored.
    clock.advance(timedelta(seconds=3))
    for bad in ("relay", "TURN", "", 1, True, ["turn"], {"x": 1}):
        r = await bob.request("POST", url, json={"rtt_ms": 30, "path": bad})
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["errors"][0]["field"] == "path", r.text
    r = await bob.request("POST", url, json={"rtt_ms": 30, "path": None})
    assert r.status_code == 204, r.text
    assert await live_path() == "p2p"
    clock.advance(timedelta(seconds=3))
    r = await bob.request("POST", url, json={"rtt_ms": 30, "path": "turn", "final": True})
    assert r.status_code == 204, r.text
    assert await live_path() == "turn"

    # The use case checks the path itself too (callers other than the route).
    with pytest.raises(ValidationFailed) as refused:
        await container.calls.record_quality(alice.account["id"], call_id, {"rtt_ms": 1}, path="relay")
    assert [(e.field, e.code) for e in refused.value.errors] == [("path", "invalid_choice")]

    schema = (await support.get("/openapi.json")).json()["components"]["schemas"]
    path = schema["QualitySampleIn"]["properties"]["path"]
    assert {"enum": ["p2p", "turn"], "type": "string"} in path["anyOf"], path
    live = schema["LiveCallAnswer"]
    assert {"caller_device_kind", "callee_device_kind", "media_path"} <= set(live["required"])
    assert set(live["properties"]["media_path"]["enum"]) == {"p2p", "turn", "relay", ""}

"""Call history, missed calls, quality samples and the console's calls over HTTP."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import FastAPI

from tests.api.conftest import Session, client_for, register_and_login, staff_login
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import CallRecord, SignalingNode
from videophone.bootstrap import Container


async def insert_call(
    container: Container,
    caller: Session,
    callee: Session,
    *,
    outcome: str = "answered",
    state: str = "ended",
    minutes_ago: int = 10,
    end_reason: str | None = None,
    caller_device: str = "web-aaaaaaaa",
    callee_device: str = "web-bbbbbbbb",
) -> str:
    now = container.deps.clock.now()
    started = now - timedelta(minutes=minutes_ago)
    answered = started + timedelta(seconds=4) if outcome == "answered" and state != "ringing" else None
    call_id = str(uuid.uuid4())
    async with container.deps.uow() as uow:
        uow.session.add(
            CallRecord(
                id=call_id,
                caller_id=caller.account["id"],
                callee_id=callee.account["id"],
                caller_number=caller.account["number"],
                callee_number=callee.account["number"],
                caller_device=caller_device,
                callee_device=callee_device,
                node_id="node-1",
                state=state,
                started_at=started,
                answered_at=answered,
                ended_at=started + timedelta(seconds=65) if state == "ended" else None,
                outcome=outcome if state == "ended" else "",
                end_reason=end_reason or ("hangup" if outcome == "answered" else "no_answer"),
                billable_seconds=61 if outcome == "answered" else 0,
            )
        )
        await uow.commit()
    return call_id


async def with_id(session: Session) -> Session:
    session.account["id"] = (await session.get("/api/v1/me")).json()["id"]
    return session


async def test_history_missed_badge_and_detail(app: FastAPI, container: Container) -> None:
    alice = await with_id(await register_and_login(app))
    bob = await with_id(await register_and_login(app))
    eve = await with_id(await register_and_login(app))
    answered = await insert_call(container, alice, bob, minutes_ago=30)
    missed = await insert_call(container, bob, alice, outcome="missed", minutes_ago=5)

    r = await alice.get("/api/v1/me/calls")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 2
    assert [(i["id"], i["direction"], i["other_number"]) for i in body["items"]] == [
        (missed, "incoming", bob.account["number"]),
        (answered, "outgoing", bob.account["number"]),
    ]
    assert body["items"][1]["billable_seconds"] == 61 and body["items"][1]["started_at"].endswith(("Z", "+00:00"))
    r = await alice.get("/api/v1/me/calls", params={"direction": "outgoing"})
    assert [i["id"] for i in r.json()["items"]] == [answered]
    r = await alice.get("/api/v1/me/calls", params={"direction": "nowhere"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "call_direction_unknown"
    r = await alice.get("/api/v1/me/calls", params={"since": "2026-13-01"})
    assert r.status_code == 422

    assert (await alice.get("/api/v1/me/calls/missed-count")).json() == {"count": 1}
    r = await alice.request("POST", "/api/v1/me/calls/missed-seen")
    assert r.status_code == 200 and r.json() == {"marked": 1}
    assert (await alice.get("/api/v1/me/calls/missed-count")).json() == {"count": 0}

    r = await alice.get(f"/api/v1/me/calls/{answered}")
    assert r.status_code == 200
    detail = r.json()
    assert detail["quality"]["mine"]["assessment"] == "unknown"
    assert set(detail["quality"]) == {"mine", "peer"}
    # Someone else's call does not exist for Eve — neither to read nor to report on.
    r = await eve.get(f"/api/v1/me/calls/{answered}")
    assert r.status_code == 404 and r.json()["code"] == "call_not_found"
    r = await eve.request("POST", f"/api/v1/me/calls/{answered}/quality", json={"rtt_ms": 10})
    assert r.status_code == 404
    assert (await eve.get("/api/v1/me/calls")).json() == {"total": 0, "items": []}


async def test_a_blocked_caller_reads_unavailable_in_their_history(app: FastAPI, container: Container) -> None:
    """The caller of a call the callee blocked was told "unavailable" (R-12); their history says the same
    later, while the callee, who blocked them, reads "blocked"."""
    caller = await with_id(await register_and_login(app))
    callee = await with_id(await register_and_login(app))
    call = await insert_call(container, caller, callee, outcome="failed", end_reason="blocked")
    mine = (await caller.get(f"/api/v1/me/calls/{call}")).json()
    assert (mine["direction"], mine["end_reason"]) == ("outgoing", "unavailable")
    listed = (await caller.get("/api/v1/me/calls")).json()["items"]
    assert [i["end_reason"] for i in listed] == ["unavailable"]
    theirs = (await callee.get(f"/api/v1/me/calls/{call}")).json()
    assert (theirs["direction"], theirs["end_reason"]) == ("incoming", "blocked")


async def test_quality_samples(app: FastAPI, container: Container, clock: FakeClock) -> None:
    alice = await with_id(await register_and_login(app))
    bob = await with_id(await register_and_login(app))
    call_id = await insert_call(container, alice, bob, state="answered", minutes_ago=1)
    url = f"/api/v1/me/calls/{call_id}/quality"
    r = await alice.request("POST", url, json={"rtt_ms": 500, "packet_loss_pct": 1, "frames_per_second": 30})
    assert r.status_code == 204, r.text
    r = await alice.request("POST", url, json={"rtt_ms": 400})
    assert r.status_code == 429 and r.json()["code"] == "quality_sample_too_frequent"
    assert r.headers["retry-after"] == "2"
    r = await alice.request("POST", url, json={"packet_loss_pct": 101, "frame_width": -1})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"packet_loss_pct", "frame_width"}
    r = await alice.request("POST", url, json={"jitter_ms": 3})
    assert r.status_code == 422
    r = await alice.request("POST", url, json={"rtt_ms": 450, "final": True})
    assert r.status_code == 204
    clock.advance(timedelta(seconds=3))
    r = await alice.request("POST", url, json={"rtt_ms": 450})
    assert r.status_code == 409 and r.json()["code"] == "quality_already_final"

    quality = (await bob.get(f"/api/v1/me/calls/{call_id}")).json()["quality"]
    assert quality["peer"]["assessment"] == "poor" and quality["peer"]["issues"] == ["rtt"]
    assert quality["peer"]["summary"]["samples"] == 2 and quality["mine"]["summary"]["samples"] == 0


async def test_console_calls(app: FastAPI, container: Container) -> None:
    alice = await with_id(await register_and_login(app))
    bob = await with_id(await register_and_login(app))
    past = await insert_call(container, alice, bob, minutes_ago=60)
    live = await insert_call(container, bob, alice, state="ringing", minutes_ago=0)
    now = container.deps.clock.now()
    async with container.deps.uow() as uow:
        uow.session.add(SignalingNode(node_id="node-1", address="a", started_at=now, heartbeat_at=now))
        await uow.commit()

    support = await staff_login(app, container, "support")
    r = await support.get("/api/v1/console/calls", params={"number": alice.account["number"]})
    assert r.status_code == 200
    assert [i["id"] for i in r.json()["items"]] == [live, past]
    r = await support.get("/api/v1/console/calls", params={"outcome": "answered"})
    assert [i["id"] for i in r.json()["items"]] == [past]
    r = await support.get("/api/v1/console/calls", params={"outcome": "exploded"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "call_outcome_unknown"

    r = await support.get("/api/v1/console/calls/live")
    assert r.status_code == 200
    (item,) = r.json()["items"]
    assert item["id"] == live and item["state"] == "ringing" and item["node_fresh"] is True

    r = await support.get(f"/api/v1/console/calls/{past}")
    assert r.status_code == 200
    detail = r.json()
    assert detail["caller_number"] == alice.account["number"] and detail["node"]["node_id"] == "node-1"
    assert set(detail["quality"]) == {"caller", "callee"}
    assert (await support.get(f"/api/v1/console/calls/{uuid.uuid4()}")).status_code == 404

    reviewer = await staff_login(app, container, "reviewer")
    for path in ("/api/v1/console/calls", "/api/v1/console/calls/live", f"/api/v1/console/calls/{past}"):
        assert (await reviewer.get(path)).status_code == 403
    for role in ("billing", "legal", "administrator"):
        staff = await staff_login(app, container, role)
        assert (await staff.get("/api/v1/console/calls/live")).status_code == 200


async def test_pages(app: FastAPI, container: Container) -> None:
    alice = await register_and_login(app)
    r = await alice.get("/history", headers={"accept": "text/html"})
    assert r.status_code == 200
    for needle in ('data-testid="history-list"', 'data-testid="history-tab-missed"', "/static/history.js"):
        assert needle in r.text
    r = await alice.get("/account", headers={"accept": "text/html"})
    assert "/static/badge.js" in r.text and 'data-testid="missed-badge"' in r.text
    assert (await alice.get("/static/badge.js")).status_code == 200
    anonymous = client_for(app)
    assert "/static/badge.js" not in (await anonymous.get("/", headers={"accept": "text/html"})).text

    support = await staff_login(app, container, "support")
    r = await support.get("/console/calls", headers={"accept": "text/html"})
    assert r.status_code == 200
    for needle in ('data-testid="live-calls"', 'data-testid="calls-search"', "/static/calls-console.js"):
        assert needle in r.text
    assert "/static/badge.js" not in r.text

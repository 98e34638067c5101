"""Call history and the console's calls in the browser (R-13, R-15).  Real calls come from the
signaling tests; here the call records are written straight into the server's database."""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import login_staff, login_subscriber, person_data
from tests.e2e.test_identity_review import register_via_api
from tests.support.server import RunningApp
from videophone.adapters.db.engine import make_engine, make_sessionmaker
from videophone.adapters.db.models import CallQualitySample, CallRecord, SignalingNode

pytestmark = pytest.mark.e2e


def insert_rows(app: RunningApp, rows: list[Any]) -> None:
    """Write rows into the running server's SQLite database (in a thread: Playwright owns this loop)."""
    url = f"sqlite+aiosqlite:///{(app.workdir / 'var' / 'videophone.sqlite3').as_posix()}"

    async def write() -> None:
        engine = make_engine(url)
        try:
            async with make_sessionmaker(engine)() as session:
                session.add_all(rows)
                await session.commit()
        finally:
            await engine.dispose()

    errors: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(write())
        except BaseException as exc:  # re-raised in the test thread
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    if errors:
        raise errors[0]


def record(caller: dict[str, Any], callee: dict[str, Any], started: datetime, outcome: str, **kw: Any) -> CallRecord:
    answered = started + timedelta(seconds=3) if outcome == "answered" else None
    state = kw.pop("state", "ended")
    return CallRecord(
        id=str(uuid.uuid4()),
        caller_id=caller["id"],
        callee_id=callee["id"],
        caller_number=caller["number"],
        callee_number=callee["number"],
        caller_device=kw.pop("caller_device", "web-e2e-caller"),
        callee_device=kw.pop("callee_device", "web-e2e-callee" if answered else ""),
        node_id=kw.pop("node_id", "e2e-node"),
        state=state,
        started_at=started,
        answered_at=answered,
        ended_at=None if state != "ended" else started + timedelta(seconds=80),
        outcome=outcome if state == "ended" else "",
        end_reason={"answered": "hangup", "missed": "no_answer"}.get(outcome, "") if state == "ended" else "",
        billable_seconds=77 if answered and state == "ended" else 0,
        **kw,
    )


def test_history_badge_detail_and_console(new_context: Any, base_url: str, app_server: RunningApp) -> None:
    alice_data, bob_data = person_data(name="孙历史"), person_data(name="李对方")
    alice, bob = register_via_api(base_url, alice_data), register_via_api(base_url, bob_data)
    now = datetime.now(UTC).replace(microsecond=0)
    answered = record(alice, bob, now - timedelta(hours=2), "answered")
    missed = record(bob, alice, now - timedelta(minutes=30), "missed")
    live = record(bob, alice, now - timedelta(seconds=20), "", state="answered", node_id="e2e-stale-node")
    # A SIP phone of Carol's in a call with Bob's browser: its media goes through the media relay.
    carol = register_via_api(base_url, person_data(name="周话机"))
    from_phone = record(
        carol,
        bob,
        now - timedelta(seconds=10),
        "",
        state="answered",
        caller_device="sip:1",
        callee_device="web-e2e-b",
        node_id="e2e-stale-node",  # a node with a row: the sweep leaves it alone (VIDEOPHONE_NODE_STALE_SECONDS)
    )
    insert_rows(app_server, [answered, missed, live, from_phone])
    insert_rows(
        app_server,
        [
            SignalingNode(
                node_id="e2e-stale-node",
                address="",
                started_at=now - timedelta(hours=1),
                heartbeat_at=now - timedelta(minutes=5),
            ),
            CallQualitySample(
                call_id=answered.id, subscriber_id=alice["id"], at=now, final=True, rtt_ms=620, packet_loss_pct=7.5
            ),
            CallQualitySample(call_id=answered.id, subscriber_id=bob["id"], at=now, rtt_ms=40, frames_per_second=30),
            # Bob's browser in the live call reports its media through the TURN server.
            CallQualitySample(call_id=live.id, subscriber_id=bob["id"], at=now, rtt_ms=60, media_path="turn"),
        ],
    )

    # A phone-sized screen: the menu button carries the count of what is unseen inside (the navigation is
    # folded into it), and the history link in the menu shows the unseen missed call, on every page.
    page = new_context(viewport={"width": 375, "height": 740}).new_page()
    login_subscriber(page, alice_data["email"], alice_data["password"])
    menu_badge = page.get_by_test_id("nav-toggle-badge")
    menu_badge.wait_for()
    assert int(menu_badge.inner_text()) >= 1  # the missed call, and unread notices if any
    page.get_by_test_id("nav-toggle").click()
    badge = page.get_by_test_id("missed-badge")
    badge.wait_for()
    assert badge.inner_text() == "1"
    page.get_by_test_id("nav-toggle").click()

    page.goto("/history")
    page.locator('[data-testid="history-list"][aria-busy="false"]').wait_for()
    rows = page.get_by_test_id("call-row")
    assert rows.count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # The answered call: details with the quality of both sides, and a call-back link.
    row = page.locator(f'[data-testid="call-row"][data-call-id="{answered.id}"]')
    assert "01:17" in row.get_by_test_id("call-duration").inner_text()
    assert row.get_by_test_id("call-back").get_attribute("href") == f"/phone?to={bob['number']}"
    row.get_by_test_id("call-toggle").click()
    row.locator('[data-testid="quality-mine"] [data-grade="poor"]').wait_for()
    row.locator('[data-testid="quality-peer"] [data-grade="good"]').wait_for()
    assert row.get_by_test_id("quality-note").is_visible()

    # The missed filter lists the missed call and marks it seen: the badge goes away.
    page.get_by_test_id("history-tab-missed").click()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=call-row]').length === 1")
    page.wait_for_function("() => document.querySelector('[data-testid=missed-badge]').hidden")
    assert "filter=missed" in page.url
    page.reload()
    page.locator('[data-testid="history-list"][aria-busy="false"]').wait_for()
    assert page.get_by_test_id("history-tab-missed").get_attribute("aria-pressed") == "true"
    assert page.get_by_test_id("missed-badge").is_hidden()

    # Support sees the live call on a stale node and the past call's quality per side.
    console = new_context().new_page()
    login_staff(console, "support")
    console.goto("/console/calls")
    live_row = console.locator(f'[data-testid="live-call-row"][data-call-id="{live.id}"]')
    live_row.wait_for()
    assert live_row.get_by_test_id("node-stale").is_visible()
    # Each side's device and the media path (issue 16): Bob's browser, no callee device yet, TURN reported.
    assert live_row.get_by_test_id("live-caller-device").inner_text() == "浏览器"
    assert live_row.get_by_test_id("live-callee-device").get_attribute("data-kind") == ""
    assert live_row.get_by_test_id("live-media").inner_text() == "TURN 中继"
    phone_row = console.locator(f'[data-testid="live-call-row"][data-call-id="{from_phone.id}"]')
    assert phone_row.get_by_test_id("live-caller-device").inner_text() == "SIP 话机"
    assert phone_row.get_by_test_id("live-callee-device").inner_text() == "浏览器"
    assert phone_row.get_by_test_id("live-media").get_attribute("data-path") == "relay"
    assert phone_row.get_by_test_id("live-media").inner_text() == "媒体中继 (rtpengine)"
    headers = console.locator('[data-testid="live-calls"] thead th').all_inner_texts()
    assert "终端（主叫 → 被叫）" in headers and "媒体路径" in headers, headers
    # On a phone the wider live table scrolls inside its frame; the page itself does not.
    console.set_viewport_size({"width": 375, "height": 740})
    console.locator('.table-wrap.scrolls [data-testid="live-calls"]').wait_for()
    assert console.evaluate("document.documentElement.scrollWidth") <= 375
    console.set_viewport_size({"width": 1280, "height": 720})
    console.get_by_test_id("calls-number").fill(alice["number"])
    console.get_by_test_id("calls-outcome").select_option("answered")
    console.get_by_test_id("calls-submit").click()
    console.wait_for_function("() => document.querySelectorAll('[data-testid=calls-row]').length === 1")
    console.get_by_test_id("calls-open").click()
    console.locator('[data-testid="quality-caller"] [data-grade="poor"]').wait_for()
    console.locator('[data-testid="quality-callee"] [data-grade="good"]').wait_for()
    assert bob["number"] in console.get_by_test_id("detail-callee").inner_text()

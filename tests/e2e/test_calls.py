"""Real WebRTC calls between browsers (R-10, R-11, R-14, R-15), kept on loopback.

Most scenarios run the server and Chromium inside a private network namespace that has only ``lo``
(see ``calls_support``); the relay-only scenario runs coturn on 127.0.0.1 in the host network and forces
``iceTransportPolicy: "relay"``.  Demo subscribers: 李明 (A), 王芳 (B), the demo organisation (C).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.calls_support import (
    TURNSERVER,
    NetnsApp,
    TurnServer,
    call_id,
    create_netns,
    delete_netns,
    dial,
    launch_media_browser,
    media_stats,
    open_phone,
    page_api,
    wait_media_flowing,
    wait_state,
)
from tests.e2e.conftest import ConsoleErrors, login_staff, login_subscriber
from tests.support.server import CHROMIUM, DEMO_PASSWORD, start_app

pytestmark = pytest.mark.e2e

A_LOGIN, B_LOGIN, C_LOGIN = "liming@example.com", "wangfang@example.com", "office@example.org"


@dataclass
class Phone:
    page: Any
    number: str


def history_item(page: Any, the_call: str) -> dict[str, Any]:
    status, data = page_api(page, "GET", "/api/v1/me/calls?limit=20")
    assert status == 200, data
    found = [item for item in data["items"] if item["id"] == the_call]
    assert found, data
    return dict(found[0])


def settle(*phones: Phone) -> None:
    """Every page back to a quiet state between scenarios."""
    for p in phones:
        p.page.locator('[data-testid="call-status"]:not([data-state="in-call"]):not([data-state="incoming"])').wait_for(
            state="attached"
        )
        p.page.get_by_test_id("incoming").wait_for(state="hidden")


# -- loopback-only namespace ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def netns_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetnsApp]:
    name, why = create_netns()
    if name is None:
        pytest.skip(why)
    app = NetnsApp(name, tmp_path_factory.mktemp("videophone-calls"))
    try:
        app.start()
        yield app
    finally:
        app.stop()
        delete_netns(name)


@pytest.fixture(scope="module")
def netns_browser(browser: Any, netns_app: NetnsApp) -> Iterator[Any]:
    # Reuses the package's Playwright driver (a second sync driver cannot run in the same thread).
    instance = launch_media_browser(browser.browser_type, netns_app.chromium)
    try:
        yield instance
    finally:
        instance.close()


@pytest.fixture(scope="module")
def phones(netns_browser: Any, netns_app: NetnsApp) -> Iterator[dict[str, Phone]]:
    errors = ConsoleErrors()
    contexts = []
    out: dict[str, Phone] = {}
    for key, login in (("a", A_LOGIN), ("b", B_LOGIN), ("c", C_LOGIN)):
        context = netns_browser.new_context(
            base_url=netns_app.base_url, locale="zh-CN", viewport={"width": 1100, "height": 860}
        )
        context.set_default_timeout(15_000)
        context.grant_permissions(["camera", "microphone"])
        context.on("page", errors.watch)
        contexts.append(context)
        page = context.new_page()
        login_subscriber(page, login, DEMO_PASSWORD)
        out[key] = Phone(page, open_phone(page))
    yield out
    for context in contexts:
        context.close()
    unexpected = [e for e in errors if "Failed to load resource" not in e]
    assert not unexpected, unexpected


@pytest.fixture(scope="module")
def admin(netns_browser: Any, netns_app: NetnsApp) -> Iterator[Any]:
    context = netns_browser.new_context(base_url=netns_app.base_url, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    login_staff(page, "admin")
    yield page
    context.close()


@pytest.fixture(scope="module")
def short_no_answer(admin: Any) -> float:
    """Lower the policy's no-answer timeout to its minimum (10 s); returns when (monotonic) it was saved.
    Requested early: the signaling service caches the policy for up to 10 s."""
    status, policy = page_api(admin, "GET", "/api/v1/console/policy", staff=True)
    assert status == 200, policy
    body = {"values": {"no_answer_timeout_seconds": 10}, "reason": "e2e", "version": policy["version"]}
    status, saved = page_api(admin, "PUT", "/api/v1/console/policy", body, staff=True)
    assert status == 200, saved
    return time.monotonic()


def test_device_check_and_dial_pad(phones: dict[str, Phone], short_no_answer: float) -> None:
    page = phones["a"].page
    check = page.locator('[data-testid="device-check"][aria-busy="false"]')
    check.wait_for()
    for item in ("webrtc", "media", "camera", "microphone"):
        assert page.get_by_test_id(f"device-check-{item}").get_attribute("data-status") == "ok", item
    assert page.get_by_test_id("device-check-permission").get_attribute("data-status") in ("ok", "prompt")
    assert check.get_attribute("data-state") == "ok"
    assert page.get_by_test_id("call-status").get_attribute("data-state") == "idle"
    # Keys and backspace fill the number; /phone?to= pre-fills it; the contacts list tolerates emptiness.
    for key in "951":
        page.get_by_test_id(f"dial-key-{key}").click()
    page.get_by_test_id("dial-backspace").click()
    assert page.get_by_test_id("dial-number").input_value() == "95"
    page.get_by_test_id("call-button").click()
    assert page.get_by_test_id("dial-error").inner_text()
    open_phone(page, f"?to={phones['b'].number}")
    assert page.get_by_test_id("dial-number").input_value() == phones["b"].number
    page.locator('[data-testid="quick-contacts"][aria-busy="false"]').wait_for()


def live_media_path(staff: Any, the_call: str, expected: str, timeout: float = 12.0) -> dict[str, Any]:
    """The console's live call (issue 16) once its media path reads ``expected`` (the browsers post a
    sample every 5 s), or the last seen item."""
    deadline = time.monotonic() + timeout
    item: dict[str, Any] = {}
    while True:
        code, data = page_api(staff, "GET", "/api/v1/console/calls/live", staff=True)
        assert code == 200, data
        item = next((i for i in data["items"] if i["id"] == the_call), {})
        if item.get("media_path") == expected or time.monotonic() > deadline:
            return item
        time.sleep(0.5)


def test_answered_call_media_flows_both_ways_and_is_in_history(phones: dict[str, Phone], admin: Any) -> None:
    a, b = phones["a"], phones["b"]
    open_phone(a.page)
    dial(a.page, b.number)
    incoming = b.page.get_by_test_id("incoming")
    incoming.wait_for()
    # B holds no caller ID (来电显示): A is "number withheld" (ADR 0009; shown once subscribed:
    # tests/e2e/test_caller_id.py).
    assert b.page.get_by_test_id("incoming-number").inner_text() == "号码未显示"
    assert b.page.get_by_test_id("incoming-name").inner_text() == ""
    wait_state(a.page, "ringing")
    assert b.page.evaluate("() => document.body.dataset.ringing") == "true"  # the ringtone plays
    b.page.get_by_test_id("accept-button").click()
    incoming.wait_for(state="hidden")
    wait_state(a.page, "in-call")
    wait_state(b.page, "in-call")
    the_call = call_id(a.page)
    assert call_id(b.page) == the_call

    for p in (a, b):
        stats = wait_media_flowing(p.page)
        # Everything stays on loopback: the namespace has nothing else.
        assert stats["local_address"] == "127.0.0.1" and stats["remote_address"] == "127.0.0.1", stats
        assert p.page.get_by_test_id("remote-video").evaluate("v => v.videoWidth") > 0
        assert p.page.get_by_test_id("local-video").evaluate("v => v.muted && v.videoWidth > 0")

    # Controls: mute and camera off/on toggle the local tracks.
    a.page.get_by_test_id("mute-button").click()
    assert a.page.get_by_test_id("mute-button").get_attribute("aria-pressed") == "true"
    assert a.page.evaluate("() => window.VP.phone.call.localStream.getAudioTracks().every(t => !t.enabled)")
    a.page.get_by_test_id("mute-button").click()
    a.page.get_by_test_id("camera-button").click()
    assert a.page.get_by_test_id("camera-button").get_attribute("data-camera") == "off"
    a.page.get_by_test_id("camera-button").click()
    assert a.page.get_by_test_id("camera-button").get_attribute("data-camera") == "on"

    # 375 px wide: the remote video fills the width and the controls stay big enough to tap.
    a.page.set_viewport_size({"width": 375, "height": 740})
    remote = a.page.get_by_test_id("remote-video").bounding_box()
    assert remote is not None and remote["width"] >= 340
    for testid in ("mute-button", "camera-button", "hangup-button"):
        box = a.page.get_by_test_id(testid).bounding_box()
        assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= 375, (testid, box)
    a.page.set_viewport_size({"width": 1100, "height": 860})

    # Timer, quality indicator and telemetry samples (every 5 s).
    a.page.wait_for_function(
        "() => document.querySelector('[data-testid=call-timer]').textContent >= '00:05'", timeout=15_000
    )
    a.page.locator('[data-testid="quality"]:not([data-quality="unknown"])').wait_for()
    last = a.page.evaluate("() => window.VP.phone.lastStats")
    assert last["call_id"] == the_call and last["frames_decoded"] > 0 and last["audio_packets_received"] > 0
    assert last["rtt_ms"] is not None and last["frame_width"] > 0
    # Host candidates on loopback: a direct path, which the console's live calls show (issue 16).
    assert last["path"] == "p2p", last
    item = live_media_path(admin, the_call, "p2p")
    assert (item["caller_device_kind"], item["callee_device_kind"], item["media_path"]) == ("browser", "browser", "p2p")

    a.page.get_by_test_id("hangup-button").click()
    wait_state(a.page, "ended", "hangup")
    wait_state(b.page, "ended", "hangup")
    assert "您已挂断" in a.page.get_by_test_id("call-status").inner_text()
    assert "对方已挂断" in b.page.get_by_test_id("call-status").inner_text()

    for p, direction in ((a, "outgoing"), (b, "incoming")):
        item = history_item(p.page, the_call)
        assert item["direction"] == direction and item["outcome"] == "answered", item
        assert item["billable_seconds"] >= 5, item
    # The telemetry reached the call record (both sides, including the final sample).
    deadline = time.monotonic() + 5
    while True:
        status, detail = page_api(a.page, "GET", f"/api/v1/me/calls/{the_call}")
        assert status == 200, detail
        mine, peer = detail["quality"]["mine"]["summary"], detail["quality"]["peer"]["summary"]
        if (mine["samples"] >= 2 and peer["samples"] >= 1) or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert mine["samples"] >= 2 and mine["frames_decoded"] > 0 and mine["audio_packets_received"] > 0, mine
    assert peer["samples"] >= 1, peer


def test_reject(phones: dict[str, Phone]) -> None:
    a, b = phones["a"], phones["b"]
    settle(a, b)
    dial(a.page, b.number)
    b.page.get_by_test_id("incoming").wait_for()
    b.page.get_by_test_id("reject-button").click()
    wait_state(a.page, "ended", "rejected")
    wait_state(b.page, "ended", "rejected")
    assert "拒绝" in a.page.get_by_test_id("call-status").inner_text()
    b.page.get_by_test_id("incoming").wait_for(state="hidden")
    item = history_item(b.page, call_id(b.page))
    assert item["outcome"] == "rejected"


def test_cancel_while_ringing(phones: dict[str, Phone]) -> None:
    a, b = phones["a"], phones["b"]
    settle(a, b)
    dial(a.page, b.number)
    b.page.get_by_test_id("incoming").wait_for()
    wait_state(a.page, "ringing")
    a.page.get_by_test_id("hangup-button").click()  # before the answer: a cancel
    wait_state(a.page, "ended", "cancelled")
    wait_state(b.page, "ended", "cancelled")
    b.page.get_by_test_id("incoming").wait_for(state="hidden")
    assert history_item(a.page, call_id(a.page))["outcome"] == "cancelled"


def test_busy(phones: dict[str, Phone]) -> None:
    a, b, c = phones["a"], phones["b"], phones["c"]
    settle(a, b, c)
    dial(c.page, b.number)
    b.page.get_by_test_id("incoming").wait_for()
    b.page.get_by_test_id("accept-button").click()
    wait_state(c.page, "in-call")
    wait_state(b.page, "in-call")
    # A calls B, who is in a call: no call waiting, A is told "busy".
    dial(a.page, b.number)
    wait_state(a.page, "ended", "busy")
    assert "忙" in a.page.get_by_test_id("call-status").inner_text()
    assert b.page.get_by_test_id("call-status").get_attribute("data-state") == "in-call"
    c.page.get_by_test_id("hangup-button").click()
    wait_state(b.page, "ended", "hangup")


def test_blocked_caller_is_told_unavailable(phones: dict[str, Phone]) -> None:
    b, c = phones["b"], phones["c"]
    settle(b, c)
    status, block = page_api(b.page, "POST", "/api/v1/me/blocks", {"number": c.number, "reason": "e2e"})
    if status == 404:
        pytest.skip("POST /api/v1/me/blocks is not available")
    assert status == 201, block
    try:
        dial(c.page, b.number)
        wait_state(c.page, "ended", "unavailable")
        assert b.page.get_by_test_id("incoming").is_hidden()
    finally:
        page_api(b.page, "DELETE", f"/api/v1/me/blocks/{block['id']}")


def test_no_answer_is_missed(phones: dict[str, Phone], short_no_answer: float) -> None:
    a, b = phones["a"], phones["b"]
    settle(a, b)
    time.sleep(max(0.0, short_no_answer + 11 - time.monotonic()))  # past the policy cache
    started = time.monotonic()
    dial(a.page, b.number)
    b.page.get_by_test_id("incoming").wait_for()
    wait_state(a.page, "ended", "no_answer", timeout=25_000)
    wait_state(b.page, "ended", "no_answer")
    assert "未接来电" in b.page.get_by_test_id("call-status").inner_text()
    item = history_item(b.page, call_id(b.page))
    assert (item["direction"], item["outcome"]) == ("incoming", "missed"), item
    assert time.monotonic() - started < 20


# -- relay only, through coturn on loopback ----------------------------------------------------------------
@pytest.fixture(scope="module")
def relay_env(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[tuple[Any, str]]:
    if not TURNSERVER.exists():
        pytest.skip("coturn is not installed: apt-get install -y coturn")
    workdir: Path = tmp_path_factory.mktemp("videophone-relay")
    turn = TurnServer(workdir)
    turn.start()
    app = None
    instance = None
    try:
        app = start_app(workdir, extra_env={"VIDEOPHONE_TURN_URLS": turn.url, "VIDEOPHONE_TURN_SECRET": turn.secret})
        instance = launch_media_browser(browser.browser_type, CHROMIUM)
        yield instance, app.base_url
    finally:
        if instance is not None:
            instance.close()
        if app is not None:
            app.stop()
        turn.stop()


def test_relay_only_call_through_coturn(relay_env: tuple[Any, str]) -> None:
    instance, base_url = relay_env
    pages = []
    for login in (A_LOGIN, B_LOGIN):
        context = instance.new_context(base_url=base_url, locale="en")
        context.set_default_timeout(15_000)
        context.grant_permissions(["camera", "microphone"])
        page = context.new_page()
        login_subscriber(page, login, DEMO_PASSWORD)
        pages.append((page, open_phone(page, "?relay=1")))
    (a, _), (b, b_number) = pages
    try:
        welcome = a.evaluate("() => window.VP.phone.welcome.ice_servers")
        assert any("turn:127.0.0.1" in url for server in welcome for url in server["urls"]), welcome
        dial(a, b_number)
        b.get_by_test_id("incoming").wait_for()
        b.get_by_test_id("accept-button").click()
        for page in (a, b):
            assert page.evaluate("() => window.VP.phone.pc.getConfiguration().iceTransportPolicy") == "relay"
            stats = wait_media_flowing(page)
            assert (stats["local_type"], stats["remote_type"]) == ("relay", "relay"), stats
            assert stats["local_address"] == "127.0.0.1", stats
        # The browsers report the TURN path with their samples, and the console's live calls show it.
        staff = instance.new_context(base_url=base_url, locale="en").new_page()
        pages.append((staff, ""))
        login_staff(staff, "support")
        item = live_media_path(staff, call_id(a), "turn")
        assert item.get("media_path") == "turn", item
        a.get_by_test_id("hangup-button").click()
        wait_state(a, "ended", "hangup")
        wait_state(b, "ended", "hangup")
    finally:
        for page, _ in pages:
            page.context.close()


def test_connection_drop_and_page_reload_resume_the_call(phones: dict[str, Phone]) -> None:
    a, b = phones["a"], phones["b"]
    settle(a, b)
    dial(a.page, b.number)
    b.page.get_by_test_id("incoming").wait_for()
    b.page.get_by_test_id("accept-button").click()
    wait_state(a.page, "in-call")
    wait_media_flowing(b.page)
    the_call = call_id(a.page)

    # The caller's WebSocket drops: it reconnects, the server lists the call in `welcome`, ICE restarts.
    a.page.evaluate("() => window.VP.phone.ws.close()")
    a.page.locator('[data-testid="connection"][data-state="offline"]').wait_for(state="attached")
    a.page.locator('[data-testid="connection"][data-state="online"]').wait_for(state="attached")
    wait_state(a.page, "in-call")
    # Let the caller's ICE restart finish before the callee reloads (two renegotiations at once would glare).
    a.page.wait_for_function(
        "() => { const pc = window.VP.phone.pc; return pc && pc.signalingState === 'stable'"
        " && ['connected', 'completed'].includes(pc.iceConnectionState); }",
        timeout=20_000,
    )

    # The callee reloads the page: a fresh connection resumes the same call and media flows again.
    b.page.reload()
    b.page.locator('[data-testid="connection"][data-state="online"]').wait_for()
    wait_state(b.page, "in-call")
    assert call_id(b.page) == the_call
    wait_media_flowing(b.page)
    before = media_stats(a.page)
    assert before is not None
    a.page.wait_for_function(
        "n => window.VP.phone.lastStats && window.VP.phone.lastStats.frames_decoded > n",
        arg=before["video_frames_decoded"],
        timeout=15_000,
    )
    b.page.get_by_test_id("hangup-button").click()
    wait_state(a.page, "ended", "hangup")
    wait_state(b.page, "ended", "hangup")

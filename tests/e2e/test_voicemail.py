"""Video voicemail in the browser (R-18): a caller leaves a 10 s video message when the callee does not
answer, the callee gets the notification and plays it back — the video element decodes frames.

The server and Chromium (fake camera and microphone) run in a loopback-only network namespace
(``calls_support``).  李明 (A) calls 王芳 (B), who has the voicemail service and does not answer; at the
no-answer timeout signaling diverts the call to her mailbox (``services.signaling_diversion``: the
``ended`` message carries the deposit, docs/signaling.md).  Everything is the product as a user meets
it: the callee records a greeting, the caller sees it, records with MediaRecorder, the countdown, stop,
send, the callee's notification, badge, mailbox and playback.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.calls_support import (
    NetnsApp,
    call_id,
    create_netns,
    delete_netns,
    dial,
    launch_media_browser,
    open_phone,
    page_api,
    wait_state,
)
from tests.e2e.conftest import ConsoleErrors, login_staff, login_subscriber
from tests.support.server import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

A_LOGIN, B_LOGIN = "liming@example.com", "wangfang@example.com"
RECORD_SECONDS = 10.5


@pytest.fixture(scope="module")
def netns_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetnsApp]:
    name, why = create_netns()
    if name is None:
        pytest.skip(why)
    app = NetnsApp(name, tmp_path_factory.mktemp("videophone-voicemail"))
    try:
        app.start()
        yield app
    finally:
        app.stop()
        delete_netns(name)


@pytest.fixture(scope="module")
def netns_browser(browser: Any, netns_app: NetnsApp) -> Iterator[Any]:
    instance = launch_media_browser(browser.browser_type, netns_app.chromium)
    try:
        yield instance
    finally:
        instance.close()


def test_a_caller_leaves_a_video_message_and_the_callee_plays_it(netns_browser: Any, netns_app: NetnsApp) -> None:
    errors = ConsoleErrors()
    contexts = []
    pages: dict[str, Any] = {}
    try:
        for key, login in (("admin", ""), ("a", A_LOGIN), ("b", B_LOGIN)):
            context = netns_browser.new_context(
                base_url=netns_app.base_url, locale="zh-CN", viewport={"width": 1100, "height": 900}
            )
            context.set_default_timeout(20_000)
            context.grant_permissions(["camera", "microphone"])
            context.on("page", errors.watch)
            contexts.append(context)
            page = context.new_page()
            if key == "admin":
                login_staff(page, "admin")
            else:
                login_subscriber(page, login, DEMO_PASSWORD)
            pages[key] = page
        admin, a, b = pages["admin"], pages["a"], pages["b"]

        # The shortest no-answer timeout (the hub caches the policy for up to 10 s).
        status, policy = page_api(admin, "GET", "/api/v1/console/policy", staff=True)
        assert status == 200, policy
        body = {"values": {"no_answer_timeout_seconds": 10}, "reason": "e2e", "version": policy["version"]}
        assert page_api(admin, "PUT", "/api/v1/console/policy", body, staff=True)[0] == 200
        policy_saved = time.monotonic()

        # 王芳's identity is verified (the demo's subscribers are pending review), then she subscribes to
        # video voicemail (an order of the service, as the orders page places it).
        b_id = page_api(b, "GET", "/api/v1/me")[1]["id"]
        verify = {"action": "verify"}
        status, decided = page_api(admin, "POST", f"/api/v1/console/subscribers/{b_id}/review", verify, staff=True)
        assert status == 200, decided
        b.goto("/voicemail")
        b.locator('[data-testid="voicemail-subscription"][data-subscribed="false"]').wait_for()
        status, order = page_api(b, "POST", "/api/v1/me/orders", {"action": "add_vas", "code": "voicemail"})
        assert status == 201, order
        # … and caller ID (ADR 0009): her mailbox and its notice name the caller only if she holds it.
        status, order = page_api(b, "POST", "/api/v1/me/orders", {"action": "add_vas", "code": "caller_id"})
        assert status == 201, order
        b.reload()
        b.locator('[data-testid="voicemail-subscription"][data-subscribed="true"]').wait_for()
        b.get_by_test_id("voicemail-empty").wait_for()
        b.locator('[data-testid="voicemail-greeting-state"][data-greeting="default"]').wait_for()
        # She records a greeting of her own on the mailbox page.
        b.get_by_test_id("voicemail-greeting-record").click()
        b.get_by_test_id("voicemail-greeting-countdown").wait_for()
        time.sleep(3)
        b.get_by_test_id("voicemail-greeting-stop").click()
        b.locator('[data-testid="voicemail-greeting-state"][data-greeting="own"]').wait_for()

        a_number = open_phone(a)
        b_number = open_phone(b)
        time.sleep(max(0.0, 11 - (time.monotonic() - policy_saved)))

        # A calls, B's phone rings and nobody answers.
        dial(a, b_number)
        b.get_by_test_id("incoming").wait_for()
        the_call = call_id(a)
        # Nobody answers: at the timeout the call goes to B's mailbox.
        wait_state(a, "ended", "voicemail", timeout=25_000)
        panel = a.get_by_test_id("voicemail-deposit")
        panel.wait_for()
        # B's own greeting plays to the caller (served to the token's holder).
        a.wait_for_function(
            "() => { const v = document.querySelector('[data-testid=voicemail-greeting]');"
            " return v && v.videoWidth > 0 && v.currentTime > 0.5; }",
            timeout=20_000,
        )
        a.get_by_test_id("voicemail-record").click()
        a.locator('[data-testid="voicemail-deposit"][data-state="recording"]').wait_for()
        countdown = a.get_by_test_id("voicemail-countdown")
        assert countdown.is_visible()
        first = countdown.inner_text()
        time.sleep(RECORD_SECONDS)
        assert countdown.inner_text() != first  # it counts down
        a.get_by_test_id("voicemail-stop").click()
        a.locator('[data-testid="voicemail-deposit"][data-state="review"]').wait_for()
        a.get_by_test_id("voicemail-send").click()
        a.locator('[data-testid="voicemail-deposit"][data-state="sent"]').wait_for()
        assert a.get_by_test_id("voicemail-status").inner_text().strip()

        # B: the notification, the badge, the mailbox.
        b.goto("/notifications")
        notice = b.locator('[data-testid="notification"][data-kind="voicemail_left"]')
        notice.first.wait_for()
        assert "视频留言" in notice.first.inner_text() and a_number in notice.first.inner_text()
        b.locator('[data-testid="voicemail-badge"][data-count="1"]').wait_for(state="attached")
        b.get_by_test_id("nav-voicemail").click()
        b.wait_for_url("**/voicemail")
        item = b.get_by_test_id("voicemail-item")
        item.wait_for()
        assert item.count() == 1 and item.get_attribute("data-read") == "false"
        assert a_number in item.get_by_test_id("voicemail-caller").inner_text()
        seconds = int(item.get_by_test_id("voicemail-length").get_attribute("data-seconds") or 0)
        assert 10 <= seconds <= 12, seconds

        item.get_by_test_id("voicemail-play").click()
        player = b.get_by_test_id("voicemail-player")
        player.wait_for()
        b.wait_for_function(
            "() => { const v = document.querySelector('[data-testid=voicemail-player]');"
            " return v && v.videoWidth > 0 && v.currentTime > 1.0; }",
            timeout=20_000,
        )
        width = b.evaluate("() => document.querySelector('[data-testid=voicemail-player]').videoWidth")
        assert width > 0
        b.locator('[data-testid="voicemail-item"][data-read="true"]').wait_for()
        b.locator('[data-testid="voicemail-badge"][data-count="0"]').wait_for(state="attached")

        # Both histories: the call left a message.
        status, calls = page_api(a, "GET", "/api/v1/me/calls?limit=5")
        assert status == 200 and [c["outcome"] for c in calls["items"] if c["id"] == the_call] == ["voicemail_left"]

        # Support clears the mailbox on a legal request, from the subscriber's console page.
        support_context = netns_browser.new_context(base_url=netns_app.base_url, locale="zh-CN")
        support_context.set_default_timeout(20_000)
        support_context.on("page", errors.watch)
        contexts.append(support_context)
        support = support_context.new_page()
        login_staff(support, "support")
        support.goto(f"/console/subscribers/{b_id}")
        support.locator('[data-testid="vm-console-usage"][data-messages="1"]').wait_for()
        support.get_by_test_id("vm-console-reason").fill("法院协助执行通知书")
        support.get_by_test_id("vm-console-reference").fill("(2026)京0108执123号")
        support.get_by_test_id("vm-console-clear").click()
        support.locator('[data-testid="vm-console-usage"][data-messages="0"]').wait_for()
        b.reload()
        b.get_by_test_id("voicemail-empty").wait_for()
        b.locator('[data-testid="voicemail-greeting-state"][data-greeting="default"]').wait_for()
    finally:
        for context in contexts:
            context.close()
    unexpected = [e for e in errors if "Failed to load resource" not in e]
    assert not unexpected, unexpected

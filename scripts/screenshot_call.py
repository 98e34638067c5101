"""A call as an image sequence for the README (called by ``screenshots.py``).

张伟 calls 刘洋, two Chromium pages at phone size (390×844) with a fake camera and microphone, inside a
loopback-only network namespace (``tests/e2e/calls_support.NetnsApp``: `videophone serve` with demo data
runs there and Chromium is started there, so the WebRTC media never leaves ``lo``).  Frames:

1. ``call-1-ringing.png``    — the caller while it rings (ringback);
2. ``call-2-incoming.png``   — the callee's incoming screen (accept / decline);
3. ``call-3-in-call.png``    — the call in progress: the video full screen, the controls over it, the self tile;
4. ``call-4-camera-off.png`` — the callee turned the camera off: the caller sees the placeholder.

Then ``call-desktop.png``: the caller's call screen at 1280×800.  Needs root (``ip netns``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright
from tests.e2e.calls_support import (
    MEDIA_ARGS,
    NetnsApp,
    create_netns,
    delete_netns,
    open_phone,
    wait_media_flowing,
    wait_state,
)
from tests.support.server import CHROMIUM_ARGS, DEMO_PASSWORD

CALLER, CALLEE = "zhangwei@example.com", "liuyang@example.com"  # 张伟 and 刘洋 of the demo's history
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}
SEQUENCE = ("call-1-ringing.png", "call-2-incoming.png", "call-3-in-call.png", "call-4-camera-off.png")


def phone_page(browser: Browser, base_url: str, login: str, viewport: dict[str, int]) -> tuple[Page, str]:
    """A logged-in /phone page in Chinese, camera/microphone/notifications allowed; (page, its number)."""
    context = browser.new_context(base_url=base_url, viewport=viewport, locale="zh-CN")
    context.set_default_timeout(20_000)
    context.add_cookies([{"name": "vp_lang", "value": "zh-CN", "url": base_url}])
    context.grant_permissions(["camera", "microphone", "notifications"])
    page = context.new_page()
    page.goto("/login")
    page.get_by_test_id("login-login").fill(login)
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/account")
    return page, open_phone(page)


def call_from_contacts(caller: Page, number: str) -> None:
    """The caller picks the callee from the contacts on /phone (the README tour's way: by name)."""
    caller.locator(f'[data-testid=quick-contact][data-number="{number}"]').click()


def timer_at_least(page: Page, shown: str) -> None:
    page.wait_for_function("t => document.querySelector('[data-testid=call-timer]').textContent.trim() >= t", arg=shown)


def snap(page: Page, path: Path) -> Path:
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    return path


def phone_sequence(browser: Browser, base_url: str, out: Path) -> list[Path]:
    caller, _ = phone_page(browser, base_url, CALLER, PHONE)
    callee, callee_number = phone_page(browser, base_url, CALLEE, PHONE)
    taken = []
    call_from_contacts(caller, callee_number)
    wait_state(caller, "ringing")
    callee.get_by_test_id("incoming").wait_for()
    taken.append(snap(caller, out / SEQUENCE[0]))
    taken.append(snap(callee, out / SEQUENCE[1]))

    callee.get_by_test_id("accept-button").click()
    wait_state(caller, "in-call")
    wait_state(callee, "in-call")
    wait_media_flowing(caller)
    wait_media_flowing(callee)
    caller.locator('[data-testid="quality"]:not([data-quality="unknown"])').wait_for()
    timer_at_least(caller, "00:03")
    taken.append(snap(caller, out / SEQUENCE[2]))

    callee.get_by_test_id("camera-button").click()
    caller.get_by_test_id("peer-placeholder").wait_for()
    taken.append(snap(caller, out / SEQUENCE[3]))

    caller.get_by_test_id("hangup-button").click()
    wait_state(callee, "ended")
    caller.context.close()
    callee.context.close()
    return taken


def desktop_call(browser: Browser, base_url: str, out: Path) -> Path:
    caller, _ = phone_page(browser, base_url, CALLER, DESKTOP)
    callee, callee_number = phone_page(browser, base_url, CALLEE, DESKTOP)
    call_from_contacts(caller, callee_number)
    callee.get_by_test_id("incoming").wait_for()
    callee.get_by_test_id("accept-button").click()
    wait_state(caller, "in-call")
    wait_media_flowing(caller)
    caller.locator('[data-testid="quality"]:not([data-quality="unknown"])').wait_for()
    timer_at_least(caller, "00:03")
    path = snap(caller, out / "call-desktop.png")
    caller.get_by_test_id("hangup-button").click()
    wait_state(callee, "ended")
    caller.context.close()
    callee.context.close()
    return path


def take_call_sequence(workdir: Path, out: Path) -> list[Path]:
    """The call frames into ``out``; without root (no network namespace) a message and nothing taken."""
    if os.geteuid() != 0:
        print("call image sequence skipped: it runs the call in a private network namespace, which needs root")
        return []
    name, why = create_netns()
    if name is None:
        print(f"call image sequence skipped: {why}")
        return []
    app = NetnsApp(name, workdir)
    try:
        app.start()
        with sync_playwright() as pw:
            # Two fake cameras, so that "switch camera" is offered as on a phone.
            args = [*CHROMIUM_ARGS, *MEDIA_ARGS, "--use-fake-device-for-media-stream=device-count=2"]
            browser: Any = pw.chromium.launch(executable_path=str(app.chromium), headless=True, args=args)
            try:
                taken = phone_sequence(browser, app.base_url, out)
                taken.append(desktop_call(browser, app.base_url, out))
            finally:
                browser.close()
        return taken
    finally:
        app.stop()
        delete_netns(name)

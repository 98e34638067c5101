"""Save a screenshot of the in-call screen for the docs: docs/img/call.png.

Two demo subscribers call each other in headless Chromium with the fake camera and microphone.  Like the
browser tests (tests/e2e/test_calls.py), the server and Chromium run in a private network namespace that
has only loopback, so WebRTC never touches a real network interface.  Needs root (`ip netns add`).

Usage: .venv/bin/python scripts/screenshot_call.py [--out docs/img]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.calls_support import (  # noqa: E402
    NetnsApp,
    create_netns,
    delete_netns,
    dial,
    launch_media_browser,
    open_phone,
    wait_media_flowing,
    wait_state,
)
from tests.support.server import DEMO_PASSWORD  # noqa: E402

VIEWPORT = {"width": 1100, "height": 900}


def _login(page: Page, login: str) -> None:
    page.goto("/login")
    page.get_by_test_id("login-login").fill(login)
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/account")


def screenshot_call(out: Path) -> Path:
    """Place a call 李明 → 王芳, answer it, wait for both videos, and capture 李明's in-call screen."""
    name, why = create_netns()
    if name is None:
        raise SystemExit(f"cannot take the call screenshot: {why}")
    target = out / "call.png"
    with tempfile.TemporaryDirectory(prefix="videophone-shot-") as tmp:
        app = NetnsApp(name, Path(tmp))
        try:
            app.start()
            with sync_playwright() as pw:
                browser = launch_media_browser(pw.chromium, app.chromium)
                try:
                    pages = []
                    for login in ("liming@example.com", "wangfang@example.com"):
                        context = browser.new_context(base_url=app.base_url, locale="zh-CN", viewport=VIEWPORT)
                        context.grant_permissions(["camera", "microphone"])
                        page = context.new_page()
                        _login(page, login)
                        pages.append((page, open_phone(page)))
                    (caller, _), (callee, callee_number) = pages
                    dial(caller, callee_number)
                    callee.get_by_test_id("incoming").wait_for()
                    callee.get_by_test_id("accept-button").click()
                    wait_state(caller, "in-call")
                    for page, _ in pages:
                        wait_media_flowing(page)
                    caller.locator('[data-testid="quality"]:not([data-quality="unknown"])').wait_for()
                    time.sleep(2.5)  # a few seconds on the timer
                    caller.evaluate("window.scrollTo(0, 0)")
                    out.mkdir(parents=True, exist_ok=True)
                    caller.screenshot(path=str(target), full_page=False)
                    caller.get_by_test_id("hangup-button").click()
                    wait_state(callee, "ended", "hangup")
                finally:
                    browser.close()
        finally:
            app.stop()
            delete_netns(name)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args()
    print(screenshot_call(args.out))


if __name__ == "__main__":
    main()

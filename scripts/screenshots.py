"""Save screenshots of the portal and console for the docs.

Starts the app with demo data in a temporary directory (like the browser tests), then uses Playwright
with the system Chromium (/usr/bin/chromium) to capture:

* docs/img/registration.png  — the registration page after a submit with mistakes
* docs/img/review-queue.png  — the console review queue, logged in as the demo reviewer
* docs/img/account.png       — a demo subscriber's account page
* docs/img/credit.png        — the same subscriber choosing a monthly credit limit

Usage: .venv/bin/python scripts/screenshots.py [--lang zh-CN|en] [--out docs/img]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.server import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, start_app  # noqa: E402

PASSWORD = DEMO_PASSWORD
VIEWPORT = {"width": 1280, "height": 900}


def registration(page: Page, out: Path) -> None:
    page.goto("/register")
    form = page.get_by_test_id("register-form")
    form.locator('[name="name"]').fill("张三")
    form.locator('[name="birth_date"]').fill("1990-03-07")
    form.locator('[name="id_number"]').fill("110105199003071230")
    form.locator('[name="email"]').fill("zhangsan@example")
    form.locator('[name="contact_phone"]').fill("13800138000")
    page.get_by_test_id("register-submit").click()
    page.locator('[data-error-for="id_number"]').wait_for(state="visible")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(out / "registration.png"), full_page=False)


def review_queue(page: Page, out: Path) -> None:
    page.goto("/console/login")
    page.get_by_test_id("staff-username").fill("reviewer")
    page.get_by_test_id("staff-password").fill(PASSWORD)
    page.get_by_test_id("staff-login-submit").click()
    page.wait_for_url("**/console/dashboard")
    page.goto("/console/reviews")
    page.locator('[data-testid="queue-row"]').first.wait_for()
    page.get_by_test_id("staff-name").wait_for()
    page.screenshot(path=str(out / "review-queue.png"), full_page=False)


def account(page: Page, out: Path) -> None:
    page.goto("/login")
    page.get_by_test_id("login-login").fill("liming@example.com")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/account")
    page.wait_for_function("document.querySelector('[data-testid=my-number]').textContent.trim() !== ''")
    page.locator('[data-testid="session-row"]').first.wait_for()
    page.screenshot(path=str(out / "account.png"), full_page=False)


def credit_limit(page: Page, out: Path) -> None:
    page.goto("/login")
    page.get_by_test_id("login-login").fill("liming@example.com")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/account")
    page.goto("/credit")
    page.get_by_test_id("credit-option-200").check()
    page.get_by_test_id("credit-save").click()
    page.get_by_test_id("credit-saved").wait_for(state="visible")
    page.screenshot(path=str(out / "credit.png"), full_page=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", default="zh-CN", choices=["zh-CN", "en"])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="videophone-shots-") as tmp:
        app = start_app(Path(tmp))
        url = app.base_url
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                for shot in (registration, review_queue, account, credit_limit):
                    context = browser.new_context(base_url=url, viewport=VIEWPORT, locale=args.lang)
                    context.add_cookies([{"name": "vp_lang", "value": args.lang, "url": url}])
                    shot(context.new_page(), args.out)
                    context.close()
                browser.close()
        finally:
            app.stop()
    for name in ("registration.png", "review-queue.png", "account.png", "credit.png"):
        print(args.out / name)


if __name__ == "__main__":
    main()

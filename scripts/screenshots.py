"""Take the README's screenshots from the running app (`make screenshots`).

Starts `videophone demo` + `videophone serve` in a temporary directory (like the browser tests) and
drives the system Chromium (/usr/bin/chromium) with Playwright.  Every page is taken at desktop
(1280×800) and phone (390×844) size into ``docs/screenshots/<page>-desktop.png`` and
``<page>-phone.png``, in Chinese except the pages of ``ENGLISH`` (the README captions say which).

Then a real call between two pages, as an image sequence (see ``screenshot_call.py``): 张伟 calls 刘洋
inside a loopback-only network namespace; that part needs root (``ip netns``) and is skipped with a
message otherwise.

Usage: .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--only NAME ...] [--no-call]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from screenshot_call import take_call_sequence  # noqa: E402
from tests.support.server import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, start_app  # noqa: E402

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# A fake camera and microphone, so that /phone's device check finds them as on a real phone.
BROWSER_ARGS = [*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
TOUR_LOGIN = "zhangwei@example.com"  # 张伟: a customer for some months (bills, a late fee, a dispute)


@dataclass(frozen=True)
class Shot:
    """One README screenshot: who looks at it, in which language, and how the page gets ready."""

    name: str
    who: str  # "visitor" | a subscriber's login | "staff:<username>"
    lang: str
    ready: Callable[[Page], None]


def loaded(page: Page, path: str, *selectors: str) -> None:
    """Open ``path``, wait until its data has arrived and been drawn (and each selector is visible)."""
    page.goto(path, wait_until="networkidle")
    for selector in selectors:
        page.locator(selector).first.wait_for(state="visible")


def home(page: Page) -> None:
    loaded(page, "/", "[data-testid=home-hero]")


def registration(page: Page) -> None:
    """The registration form after a submit with mistakes: the errors under their fields."""
    loaded(page, "/register", "[data-testid=register-form]")
    form = page.get_by_test_id("register-form")
    form.locator('[name="name"]').fill("张三")
    form.locator('[name="birth_date"]').fill("1990-03-07")
    form.locator('[name="id_number"]').fill("110105199003071230")
    form.locator('[name="email"]').fill("zhangsan@example")
    form.locator('[name="contact_phone"]').fill("13800138000")
    page.get_by_test_id("register-submit").click()
    page.locator('[data-error-for="id_number"]').wait_for(state="visible")
    page.locator("[data-form-alert]").first.scroll_into_view_if_needed()


def phone_idle(page: Page) -> None:
    loaded(page, "/phone", '[data-testid="connection"][data-state="online"]')
    page.wait_for_function("document.querySelector('[data-testid=my-number]').textContent.trim() !== ''")


def bills(page: Page) -> None:
    loaded(page, "/bills", "[data-testid=bill-row]", "[data-testid=usage-amount]")


def history(page: Page) -> None:
    loaded(page, "/history", "[data-testid=call-row]")


def account(page: Page) -> None:
    loaded(page, "/account", "[data-testid=session-row]")
    page.wait_for_function("document.querySelector('[data-testid=my-number]').textContent.trim() !== ''")


def credit(page: Page) -> None:
    """Choosing a monthly credit limit: 200 saved."""
    loaded(page, "/credit", "[data-testid=credit-options]")
    page.get_by_test_id("credit-option-200").check()
    page.get_by_test_id("credit-save").click()
    page.get_by_test_id("credit-saved").wait_for(state="visible")


def console_dashboard(page: Page) -> None:
    loaded(page, "/console/dashboard", "[data-testid=dashboard] canvas, [data-testid=dashboard] svg")


def console_reviews(page: Page) -> None:
    loaded(page, "/console/reviews", "[data-testid=queue-row]")


def console_subscriber(page: Page) -> None:
    """张伟's page: identity, review, account (an overdue bill, late fees, the open dispute), history."""
    loaded(page, "/console/subscribers", "[data-testid=subscriber-row]")
    row = page.locator("[data-testid=subscriber-row]", has_text="张伟").first
    href = row.get_by_test_id("subscriber-open").get_attribute("href")
    assert href, "the demo has 张伟"
    loaded(page, href, "[data-testid=subscriber-name]", "[data-testid=account-balance]")


def console_audit(page: Page) -> None:
    """The log up to yesterday: the demo's months of history rather than the logins of these screenshots."""
    loaded(page, "/console/audit", "[data-testid=audit-table] tbody tr")
    today = date.fromisoformat(page.evaluate("() => window.VP.operator.today"))
    page.get_by_test_id("audit-to").fill((today - timedelta(days=1)).isoformat())
    page.get_by_test_id("audit-submit").click()  # disabled until the filtered rows are drawn
    page.locator("[data-testid=audit-submit]:enabled").wait_for()
    page.locator("[data-testid=audit-table] tbody tr").first.wait_for(state="visible")


def console_policy(page: Page) -> None:
    loaded(page, "/console/policy", "[data-testid=policy-form] select", "[data-testid=policy-history-row]")


STAFF_REVIEWER, STAFF_ADMIN = "staff:reviewer", "staff:admin"
SHOTS = [
    Shot("home", "visitor", "zh-CN", home),
    Shot("registration", "visitor", "zh-CN", registration),
    Shot("phone", TOUR_LOGIN, "zh-CN", phone_idle),
    Shot("account", TOUR_LOGIN, "zh-CN", account),
    Shot("history", TOUR_LOGIN, "zh-CN", history),
    Shot("bills", TOUR_LOGIN, "en", bills),
    Shot("credit", TOUR_LOGIN, "zh-CN", credit),
    Shot("console-dashboard", STAFF_ADMIN, "zh-CN", console_dashboard),
    Shot("console-reviews", STAFF_REVIEWER, "zh-CN", console_reviews),
    Shot("console-subscriber", STAFF_REVIEWER, "zh-CN", console_subscriber),
    Shot("console-audit", STAFF_ADMIN, "en", console_audit),
    Shot("console-policy", STAFF_ADMIN, "zh-CN", console_policy),
]
ENGLISH = [shot.name for shot in SHOTS if shot.lang == "en"]


def log_in(page: Page, who: str) -> None:
    if who == "visitor":
        return
    if who.startswith("staff:"):
        page.goto("/console/login")
        page.get_by_test_id("staff-username").fill(who.removeprefix("staff:"))
        page.get_by_test_id("staff-password").fill(DEMO_PASSWORD)
        page.get_by_test_id("staff-login-submit").click()
        page.wait_for_url("**/console/dashboard")
        return
    page.goto("/login")
    page.get_by_test_id("login-login").fill(who)
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/account")


class Errors(list[str]):
    """JavaScript errors of the pages (a screenshot of a broken page is no screenshot)."""

    def watch(self, page: Page) -> None:
        page.on("console", lambda msg: self.append(f"{page.url}: {msg.text}") if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.append(f"{page.url}: {exc}"))


def take_pages(browser: Browser, base_url: str, out: Path, shots: list[Shot]) -> list[Path]:
    """Every shot at both sizes; one logged-in context per (person, language, size)."""
    taken: list[Path] = []
    errors = Errors()
    for size, viewport in VIEWPORTS.items():
        pages: dict[tuple[str, str], Page] = {}
        contexts: list[Any] = []
        for shot in shots:
            key = (shot.who, shot.lang)
            if key not in pages:
                context = browser.new_context(base_url=base_url, viewport=viewport, locale=shot.lang)
                context.set_default_timeout(20_000)
                # The language the person chose stays across the login.
                context.add_cookies([{"name": "vp_lang", "value": shot.lang, "url": base_url}])
                if shot.who != "visitor" and not shot.who.startswith("staff:"):
                    context.grant_permissions(["camera", "microphone", "notifications"])
                contexts.append(context)
                page = context.new_page()
                errors.watch(page)
                log_in(page, shot.who)
                pages[key] = page
            page = pages[key]
            shot.ready(page)
            page.evaluate("document.activeElement && document.activeElement.blur()")
            if shot.name != "registration":
                page.evaluate("window.scrollTo(0, 0)")
            path = out / f"{shot.name}-{size}.png"
            page.screenshot(path=str(path), full_page=False, animations="disabled", caret="hide")
            taken.append(path)
            print(path, flush=True)
        for context in contexts:
            context.close()
    unexpected = [e for e in errors if "Failed to load resource" not in e]
    if unexpected:
        raise SystemExit("JavaScript errors while taking the screenshots:\n" + "\n".join(unexpected))
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", nargs="*", default=None, help="take only these pages (names as in the files)")
    parser.add_argument("--no-call", action="store_true", help="skip the call image sequence")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    shots = [s for s in SHOTS if args.only is None or s.name in args.only]
    with tempfile.TemporaryDirectory(prefix="videophone-shots-") as tmp:
        if shots:
            pages_dir = Path(tmp) / "pages"
            pages_dir.mkdir()
            app = start_app(pages_dir)
            try:
                with sync_playwright() as pw:
                    browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
                    try:
                        take_pages(browser, app.base_url, args.out, shots)
                    finally:
                        browser.close()
            finally:
                app.stop()
        if not args.no_call and (args.only is None or "call" in args.only):
            call_dir = Path(tmp) / "call"
            call_dir.mkdir()
            for path in take_call_sequence(call_dir, args.out):
                print(path, flush=True)


if __name__ == "__main__":
    main()

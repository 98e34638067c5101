"""Phone width (issue 15): at 390×844 the header folds into a menu button, no portal or console page is
wider than the screen, and the portal's tables read as cards whose every value carries its column's name
(a bill's pay button in its card). At 1280×800 the console's header is one row."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import ConsoleErrors, login_staff, login_subscriber
from tests.e2e.test_bills import EMAIL
from tests.e2e.test_payments import bill_last_month
from tests.support.server import DEMO_PASSWORD, RunningApp, start_app
from videophone.web.pages import CONSOLE_PAGES, PORTAL_PAGES

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Every page of web/pages.py: the portal's (public and signed-in) and the console's.
PORTAL_PATHS = ["/", "/prices", "/agreement", "/account", "/account/agreement", *(f"/{p}" for p in PORTAL_PAGES)]
CONSOLE_PATHS = [*(f"/console/{p}" for p in CONSOLE_PAGES), "/console/subscribers/1"]
OVERFLOW = "document.scrollingElement.scrollWidth <= window.innerWidth"
# The cells of a table's rows (empty rows aside) with no visible label before their value.
UNLABELLED = """(table) => Array.from(table.querySelectorAll('tbody tr:not(.empty) td')).filter((td) =>
  td.offsetParent !== null && td.textContent.trim() !== '' &&
  (!td.dataset.label || getComputedStyle(td, '::before').content !== JSON.stringify(td.dataset.label))
).map((td) => td.textContent.trim())"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    app = start_app(tmp_path_factory.mktemp("videophone-phone-width"))
    try:
        bill_last_month(app)  # an unpaid bill for the demo subscriber
        yield app
    finally:
        app.stop()


@pytest.fixture
def context_for(server: RunningApp, browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []
    errors = ConsoleErrors()

    def make(locale: str, viewport: dict[str, int]) -> Any:
        context = browser.new_context(base_url=server.base_url, locale=locale, viewport=viewport)
        context.set_default_timeout(15_000)
        context.on("page", errors.watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    unexpected = [e for e in errors if "Failed to load resource" not in e]
    assert not unexpected, unexpected


def fits(page: Any, path: str) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert page.evaluate(OVERFLOW), (path, page.evaluate("document.scrollingElement.scrollWidth"))


def check_menu(page: Any) -> None:
    toggle = page.get_by_test_id("nav-toggle")
    nav = page.get_by_test_id("nav")
    assert toggle.is_visible() and nav.is_hidden()
    assert toggle.get_attribute("aria-controls") == nav.get_attribute("id")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert nav.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")  # Escape closes it and gives the focus back to the button
    assert nav.is_hidden() and toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.dataset.testid") == "nav-toggle"
    page.keyboard.press("Enter")  # the keyboard opens it too
    assert nav.is_visible()
    page.locator("main h1").first.click()  # a click outside closes it
    assert nav.is_hidden()


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_portal_at_phone_width(context_for: Any, locale: str) -> None:
    page = context_for(locale, PHONE).new_page()
    login_subscriber(page, EMAIL, DEMO_PASSWORD)
    check_menu(page)
    page.get_by_test_id("nav-toggle").click()
    page.get_by_test_id("nav-bills").click()
    page.wait_for_url("**/bills")

    # The unpaid bill's card: every value labelled, the pay button visible and clickable.
    card = page.locator("[data-testid=bill-row]").filter(has=page.get_by_test_id("bill-pay")).first
    card.wait_for()
    pay = card.get_by_test_id("bill-pay")
    assert pay.is_visible()
    pay.click(trial=True)  # nothing covers it (the real click leaves for the gateway)
    box, view = pay.bounding_box(), page.viewport_size
    assert box["x"] >= 0 and box["x"] + box["width"] <= view["width"]
    assert page.evaluate(UNLABELLED, page.get_by_test_id("bills-table").element_handle()) == []

    # A payment started and a dispute filed, so that their tables have rows to read.
    bill_id = pay.get_attribute("data-id")
    page.evaluate("VP.api('POST', '/api/v1/me/payments', {amount_yuan: '1'})")
    page.evaluate(
        """(id) => VP.api('GET', '/api/v1/me/disputes').then((mine) => mine.items.length ||
             VP.api('POST', '/api/v1/me/disputes', {bill_id: Number(id), amount_yuan: '1', reason: 'e2e'}))""",
        bill_id,
    )
    for path, testid in (
        ("/payments", "intents-table"),
        ("/disputes", "disputes-table"),
        ("/notifications", "prefs-table"),
    ):
        page.goto(path)
        table = page.get_by_test_id(testid)
        table.locator("tbody tr:not(.empty)").first.wait_for()
        assert page.evaluate(UNLABELLED, table.element_handle()) == [], path
        label = page.evaluate(
            "(t) => getComputedStyle(t.querySelector('tbody td[data-label]'), '::before').content",
            table.element_handle(),
        )
        assert label not in ("none", '""'), path

    for path in PORTAL_PATHS:
        fits(page, path)
    anonymous = context_for(locale, PHONE).new_page()
    for path in ("/", "/login", "/register", "/forgot-password", "/prices", "/agreement"):
        fits(anonymous, path)
    check_menu(anonymous)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_console_at_phone_width_and_on_one_row_at_1280(context_for: Any, locale: str) -> None:
    page = context_for(locale, PHONE).new_page()
    login_staff(page, "admin")
    check_menu(page)
    for path in CONSOLE_PATHS:
        fits(page, path)
    # A wide console table scrolls inside its box, and says so.
    page.goto("/console/subscribers")
    page.locator("[data-testid=subscriber-row]").first.wait_for()
    wrap = page.locator(".table-wrap.scrolls").first
    wrap.wait_for()
    assert page.locator(".scroll-hint").first.is_visible()

    wide = context_for(locale, DESKTOP).new_page()
    login_staff(wide, "admin")
    wide.get_by_test_id("staff-name").wait_for()
    assert wide.get_by_test_id("nav-toggle").is_hidden()
    tops = wide.evaluate(
        """() => Array.from(document.querySelectorAll('.topbar-inner > *:not(nav), .nav > *'))
             .filter((e) => e.offsetParent !== null)
             .map((e) => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; })"""
    )
    assert len(tops) >= 8
    # One row: every item overlaps every other vertically.
    assert max(top for top, _ in tops) < min(bottom for _, bottom in tops), tops
    wide.get_by_test_id("nav-group-billing").locator("summary").click()  # the grouped links are one click away
    wide.get_by_test_id("nav-tariffs").click()
    wide.wait_for_url("**/console/tariffs")

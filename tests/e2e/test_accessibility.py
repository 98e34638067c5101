"""axe-core on every portal and console page (issue 15): no violation of impact "serious" or "critical",
in Chinese and English, at desktop (1280×800) and phone (390×844) width.

axe-core is the npm package pinned by package.json / package-lock.json (`make install` runs `npm ci`);
each page is loaded until the network is idle (its data has arrived and been drawn), then axe runs on
the whole document.  Run alone with:

    .venv/bin/pytest -q -p no:cacheprovider tests/e2e/test_accessibility.py
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import login_staff, login_subscriber
from tests.support.server import DEMO_PASSWORD
from videophone.web.pages import CONSOLE_PAGES, PORTAL_PAGES

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

VISITOR_PAGES = [
    "/",
    "/login",
    "/register",
    "/forgot-password",
    "/reset-password?token=not-a-real-token",
    "/agreement",
    "/prices",
    "/console/login",
]
SUBSCRIBER_PAGES = [
    "/",
    "/account",
    "/account/agreement",
    *(f"/{section}" for section in PORTAL_PAGES),
    "/agreement",
    "/prices",
]
# Forms whose error state (an empty form sent: messages under the fields, the form's alert) is checked too.
VISITOR_FORMS = ("/login", "/register", "/forgot-password", "/console/login")
CONSOLE_PATHS = [f"/console/{section}" for section in CONSOLE_PAGES]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

# Runs in the page: the violations of axe-core's whole-document check, as plain data.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary || ""})),
  }));
}"""


@pytest.fixture(scope="module")
def axe_script() -> Path:
    # A skip is a failure in strict mode (VIDEOPHONE_TEST_STRICT=1, CI): see tests/conftest.py.
    if not AXE_SCRIPT.exists():
        pytest.skip(f"axe-core not installed ({AXE_SCRIPT} missing): run `make install` (npm ci)")
    return AXE_SCRIPT


def blocking_violations(page: Any, axe: Path, path: str, lang: str, *, send_empty_form: bool = False) -> list[str]:
    """Load ``path``, wait for its data (and, asked to, send its form empty and wait for the errors), run
    axe-core; one line per serious/critical violation node."""
    page.goto(path, wait_until="networkidle")
    assert page.locator("html").get_attribute("lang") == lang, f"{path}: <html lang> is not {lang}"
    if send_empty_form:
        form = page.locator("main form").first
        form.locator('button[type="submit"]').click()
        form.locator("[data-form-alert]").wait_for(state="visible")
        path += " (form sent empty)"
    page.add_script_tag(path=str(axe))
    found: list[str] = []
    for violation in page.evaluate(RUN_AXE):
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            summary = " ".join(node["summary"].split())
            found.append(
                f"{path} [{violation['impact']}] {violation['id']} ({violation['help']}) at {node['target']}: {summary}"
            )
    return found


def set_language(context: Any, base_url: str, lang: str) -> None:
    context.add_cookies([{"name": "vp_lang", "value": lang, "url": base_url}])


def check_pages(page: Any, axe: Path, paths: list[str], lang: str, *, forms: tuple[str, ...] = ()) -> None:
    """Every page of ``paths`` (then every page of ``forms`` with its form sent empty): no serious or
    critical violation; the assertion lists them all."""
    found: list[str] = []
    for path in paths:
        found.extend(blocking_violations(page, axe, path, lang))
    for path in forms:
        found.extend(blocking_violations(page, axe, path, lang, send_empty_form=True))
    assert not found, f"{len(found)} serious/critical axe-core violations:\n" + "\n".join(found)


LANGS = ["zh-CN", "en"]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("lang", LANGS)
def test_visitor_pages_have_no_serious_violations(
    axe_script: Path, new_context: Callable[..., Any], base_url: str, lang: str, viewport: str
) -> None:
    context = new_context(locale=lang, viewport=VIEWPORTS[viewport])
    set_language(context, base_url, lang)
    check_pages(context.new_page(), axe_script, VISITOR_PAGES, lang, forms=VISITOR_FORMS)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("lang", LANGS)
def test_subscriber_pages_have_no_serious_violations(
    axe_script: Path, new_context: Callable[..., Any], base_url: str, lang: str, viewport: str
) -> None:
    context = new_context(locale=lang, viewport=VIEWPORTS[viewport])
    page = context.new_page()
    login_subscriber(page, "liming@example.com", DEMO_PASSWORD)
    set_language(context, base_url, lang)
    check_pages(page, axe_script, SUBSCRIBER_PAGES, lang)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("lang", LANGS)
def test_console_pages_have_no_serious_violations(
    axe_script: Path, new_context: Callable[..., Any], base_url: str, lang: str, viewport: str
) -> None:
    context = new_context(locale=lang, viewport=VIEWPORTS[viewport])
    page = context.new_page()
    login_staff(page, "admin")
    set_language(context, base_url, lang)
    page.goto("/console/subscribers", wait_until="networkidle")
    one_subscriber = page.get_by_test_id("subscriber-open").first.get_attribute("href")
    assert one_subscriber, "the demo has subscribers to open"
    check_pages(page, axe_script, [*CONSOLE_PATHS, one_subscriber], lang)


def test_a_table_wider_than_the_phone_scrolls_by_keyboard(new_context: Callable[..., Any]) -> None:
    """The fix for axe-core's "scrollable-region-focusable" (table-scroll.js): at phone width a console table
    (the audit log; the portal's tables become cards instead) overflows, so its wrapper is a tab stop that the
    arrow keys scroll, with a visible hint; once the window is wide enough for the table it is neither."""
    expect = pytest.importorskip("playwright.sync_api").expect
    context = new_context(locale="en", viewport=VIEWPORTS["phone"])
    page = context.new_page()
    login_staff(page, "admin")
    page.goto("/console/audit")
    wrap = page.locator(".table-wrap").filter(has=page.locator("tbody tr td")).first
    wrap.locator("tbody tr").first.wait_for()
    expect(wrap).to_have_attribute("tabindex", "0")
    expect(wrap).to_have_class(re.compile(r"\bscrolls\b"))
    hint = page.locator(".scroll-hint").first
    expect(hint).to_be_visible()
    wrap.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.scrollLeft > 0", arg=wrap.element_handle())
    page.set_viewport_size({"width": 2400, "height": 900})
    expect(wrap).not_to_have_attribute("tabindex", "0")
    expect(hint).to_be_hidden()

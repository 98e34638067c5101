"""Lawful suspension in the browser (R-31): "a lawful suspension blocks calls while the next bill still
has rent".  Legal staff record the authority's request in the console (the reference shows there only);
the subscriber's call attempt is refused with the lawful reason and the notice says "as required by
law"; the bill run for last month, with the suspension back-dated to its first day, charges the full
rent.

The server runs in a loopback-only network namespace (see ``calls_support``); the test reads and
back-dates rows in its SQLite database directly and runs `videophone billing run` on it.  Demo
subscribers: 李明 (A, suspended) and 王芳 (B).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.e2e.calls_support import (
    NetnsApp,
    create_netns,
    delete_netns,
    dial,
    launch_media_browser,
    open_phone,
    page_api,
    wait_state,
)
from tests.e2e.conftest import ConsoleErrors, login_subscriber
from tests.e2e.test_arrears import (
    A_LOGIN,
    B_LOGIN,
    OPERATOR_TZ,
    cli,
    db_url,
    in_thread,
    last_month,
    subscribe_last_month,
)
from tests.support.files import PNG
from tests.support.server import DEMO_PASSWORD
from videophone.adapters.clock import OffsetFileClock
from videophone.adapters.db.engine import make_engine, make_sessionmaker
from videophone.adapters.db.models import ServiceRestriction, Subscriber

pytestmark = pytest.mark.e2e

REFERENCE = "(2026)京公网安冻字第E2E号"


@pytest.fixture(scope="module")
def netns_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NetnsApp, OffsetFileClock]]:
    name, why = create_netns()
    if name is None:
        pytest.skip(why)
    workdir = tmp_path_factory.mktemp("videophone-lawful")
    clock = OffsetFileClock(workdir / "clock-offset")  # never moved: `cli` runs with the server's clock
    app = NetnsApp(name, workdir)
    try:
        app.start(extra_env={"VIDEOPHONE_CLOCK_FILE": str(clock.path)})
        yield app, clock
    finally:
        app.stop()
        delete_netns(name)


def backdate_lawful_restriction(app: NetnsApp) -> None:
    """The suspension began on the first day of last month (local midnight)."""
    _, first, _ = last_month()

    async def write() -> None:
        engine = make_engine(db_url(app))
        try:
            async with make_sessionmaker(engine)() as session:
                sub = (await session.scalars(select(Subscriber).where(Subscriber.email == A_LOGIN))).one()
                start = datetime.combine(first, time(), tzinfo=OPERATOR_TZ).astimezone(UTC)
                done = await session.execute(
                    update(ServiceRestriction)
                    .where(ServiceRestriction.subscriber_id == sub.id, ServiceRestriction.reason == "lawful")
                    .values(started_at=start)
                )
                assert done.rowcount == 1  # type: ignore[attr-defined]
                await session.commit()
        finally:
            await engine.dispose()

    in_thread(write())


def login_console(page: Any, username: str) -> None:
    page.goto("/console/login")
    page.get_by_test_id("staff-username").fill(username)
    page.get_by_test_id("staff-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("staff-login-submit").click()
    page.wait_for_url(lambda url: "/console/" in url and "/console/login" not in url)


def test_lawful_suspension_blocks_calls_while_the_bill_keeps_the_rent(
    browser: Any, netns_app: tuple[NetnsApp, OffsetFileClock]
) -> None:
    app, clock = netns_app
    period, first, _ = last_month()
    subscribe_last_month(app)  # A's plan: 42 yuan a month, for the whole of last month

    instance = launch_media_browser(browser.browser_type, app.chromium)
    errors = ConsoleErrors()
    try:
        pages: dict[str, Any] = {}
        for key, login in (("a", A_LOGIN), ("b", B_LOGIN), ("legal", "")):
            context = instance.new_context(
                base_url=app.base_url, locale="zh-CN", viewport={"width": 1100, "height": 860}
            )
            context.set_default_timeout(15_000)
            context.grant_permissions(["camera", "microphone"])
            context.on("page", errors.watch)
            page = context.new_page()
            if login:
                login_subscriber(page, login, DEMO_PASSWORD)
            else:
                login_console(page, "legal")
            pages[key] = page
        a, b, legal = pages["a"], pages["b"], pages["legal"]
        a_number = open_phone(a)
        b_number = open_phone(b)

        # Legal staff record the authority's request: bad input first (coded errors, nothing stored).
        legal.goto("/console/lawful")
        legal.get_by_test_id("lawful-number").fill(a_number)
        legal.get_by_test_id("lawful-submit").click()
        legal.locator("#lawful-err-reference:not(:empty)").wait_for()
        assert legal.locator("#lawful-err-authority").inner_text().strip()
        assert legal.locator("[data-testid=lawful-row]").count() == 0
        legal.get_by_test_id("lawful-authority").fill("北京市公安局网安总队")
        legal.get_by_test_id("lawful-reference").fill(REFERENCE)
        legal.get_by_test_id("lawful-from").fill(first.isoformat())
        legal.get_by_test_id("lawful-submit").click()
        legal.get_by_test_id("lawful-recorded").wait_for()
        row = legal.locator("[data-testid=lawful-row][data-state=active]")
        row.wait_for()
        assert REFERENCE in row.inner_text() and a_number in row.inner_text()

        # A's call attempt is refused with the lawful reason; B cannot reach A either.
        dial(a, b_number)
        wait_state(a, "ended", "not_allowed", timeout=10_000)
        status_node = a.get_by_test_id("call-status")
        assert status_node.get_attribute("data-detail") == "suspended_lawful"
        assert "您的服务已依法暂停" in status_node.inner_text()
        assert b.get_by_test_id("incoming").is_hidden()
        dial(b, a_number)
        wait_state(b, "ended", "unavailable", timeout=10_000)

        # A is told it is required by law — never the reference.
        a.goto("/notifications")
        notice = a.locator("[data-testid=notification][data-kind=lawful_suspended]")
        notice.wait_for()
        assert "依法暂停" in notice.inner_text() and REFERENCE not in a.content()

        # Last month's bill, the suspension covering all of it: the full rent is still charged.
        backdate_lawful_restriction(app)
        cli(app, clock, "billing", "run", "--period", period)
        status, bills = page_api(a, "GET", "/api/v1/me/bills")
        assert status == 200, bills
        bill = next(x for x in bills["items"] if x["period"] == period)
        status, detail = page_api(a, "GET", f"/api/v1/me/bills/{bill['id']}")
        assert status == 200, detail
        rent = [line for line in detail["lines"] if line["kind"] == "rent"]
        assert [line["amount"] for line in rent] == ["42.00"], detail["lines"]

        # Lifting restores calling at once.
        legal.get_by_test_id("lawful-lift-open").click()
        legal.get_by_test_id("lawful-lift-reason").fill("机关通知解除")
        legal.get_by_test_id("lawful-lift-submit").click()
        legal.locator("[data-testid=lawful-row][data-state=lifted]").wait_for()
        open_phone(a)
        dial(a, b_number)
        b.get_by_test_id("incoming").wait_for(timeout=10_000)
        a.get_by_test_id("hangup-button").click()
        wait_state(a, "ended", "cancelled")

        # The violations page (legal staff may also handle violations), at phone width: a warning with
        # its reason and an evidence image; B sees the notice with the reason.
        legal.set_viewport_size({"width": 375, "height": 800})
        legal.goto("/console/violations")
        legal.get_by_test_id("viol-number").fill(b_number)
        legal.get_by_test_id("viol-find-submit").click()
        legal.get_by_test_id("viol-target-number").filter(has_text=b_number).wait_for()
        legal.get_by_test_id("viol-action").select_option("warning")
        legal.get_by_test_id("viol-reason").fill("多次拨打骚扰电话")
        legal.get_by_test_id("viol-files").set_input_files(
            [{"name": "shot.png", "mimeType": "image/png", "buffer": PNG}]
        )
        legal.get_by_test_id("viol-issue-submit").click()
        legal.get_by_test_id("viol-issued").wait_for()
        warned = legal.locator("[data-testid=viol-row][data-action=warning]")
        warned.wait_for()
        assert "shot.png" in warned.inner_text() and "多次拨打骚扰电话" in warned.inner_text()
        assert legal.evaluate("() => document.documentElement.scrollWidth") <= 375 + 1
        b.goto("/notifications")
        warning = b.locator("[data-testid=notification][data-kind=violation_warning]")
        warning.wait_for()
        assert "多次拨打骚扰电话" in warning.inner_text()
    finally:
        instance.close()
    unexpected = [e for e in errors if "Failed to load resource" not in e]
    assert not unexpected, unexpected

"""Termination in the browser (R-32): a subscriber terminates (warning, password), sees the final bill and
what remains, billing staff take the payment at the counter, and the account closes.

Runs on a server of its own (the shared e2e server's demo subscribers must stay active)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.e2e.conftest import ConsoleErrors, login_staff, login_subscriber
from tests.support.server import DEMO_PASSWORD, RunningApp, start_app
from videophone.adapters.db.engine import make_engine
from videophone.adapters.db.models import PlanSubscription, Subscriber

pytestmark = pytest.mark.e2e

LOGIN = "liming@example.com"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    app = start_app(tmp_path_factory.mktemp("termination"))
    try:
        yield app
    finally:
        app.stop()


def plan_since_last_month(app: RunningApp) -> None:
    """The demo account was made today: start its plan a month ago so the final bill has rent to pay."""

    async def work() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{(app.workdir / 'var' / 'videophone.sqlite3').as_posix()}")
        try:
            async with engine.begin() as conn:
                sub_id = (await conn.execute(select(Subscriber.id).where(Subscriber.email == LOGIN))).scalar_one()
                await conn.execute(
                    update(PlanSubscription)
                    .where(PlanSubscription.subscriber_id == sub_id)
                    .values(start_date=date.today() - timedelta(days=40))
                )
        finally:
            await engine.dispose()

    # Playwright's sync driver owns this thread's event loop: run the update in a thread of its own.
    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(work())
        except BaseException as exc:
            failures.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failures:
        raise failures[0]


def test_a_subscriber_terminates_pays_the_final_bill_and_the_account_closes(server: RunningApp, browser: Any) -> None:
    plan_since_last_month(server)
    errors = ConsoleErrors()
    # A Chinese browser: the portal speaks the browser's (or the language switch's) language, not the account's.
    context = browser.new_context(base_url=server.base_url, locale="zh-CN", viewport={"width": 375, "height": 800})
    context.set_default_timeout(15_000)
    context.on("page", errors.watch)
    try:
        page = context.new_page()
        login_subscriber(page, LOGIN, DEMO_PASSWORD)
        page.goto("/termination")
        page.get_by_test_id("termination-form").wait_for()
        assert page.get_by_test_id("termination-warning").is_visible()
        page.on("dialog", lambda dialog: dialog.accept())
        page.get_by_test_id("termination-password").fill("wrong-password")
        page.get_by_test_id("termination-submit").click()
        page.locator("[data-error-for=password]").get_by_text("密码不正确").wait_for()
        page.get_by_test_id("termination-password").fill(DEMO_PASSWORD)
        page.get_by_test_id("termination-note").fill("moving away")
        page.get_by_test_id("termination-submit").click()
        page.get_by_test_id("termination-withdraw").wait_for()
        assert "已申请终止" in page.get_by_test_id("termination-state").inner_text()
        remaining = page.get_by_test_id("termination-remaining").inner_text()
        assert remaining.startswith("¥") and remaining != "¥0.00", remaining
        assert page.locator("[data-testid=termination-bills] li").count() >= 1
        number = page.evaluate("fetch('/api/v1/me/termination').then(r => r.json()).then(b => b.number)")

        staff = context.new_page()
        login_staff(staff, "billing")
        staff.goto("/console/payments")
        staff.get_by_test_id("cpay-number").fill(number)
        staff.get_by_test_id("cpay-lookup-submit").click()
        staff.get_by_test_id("cpay-account").wait_for()
        staff.get_by_test_id("cpay-amount").fill(remaining.removeprefix("¥"))
        staff.get_by_test_id("cpay-method").select_option("cash")
        staff.get_by_test_id("cpay-receipt").fill("E2E-TERM-1")
        staff.get_by_test_id("cpay-record-submit").click()
        staff.get_by_test_id("cpay-counter-result").wait_for()

        page.reload()
        page.get_by_test_id("termination-state").get_by_text("账户已关闭").wait_for()
        assert page.get_by_test_id("termination-remaining").inner_text() == "¥0.00"
        assert page.get_by_test_id("termination-withdraw").is_hidden()
        assert page.get_by_test_id("termination-request").is_hidden()
    finally:
        context.close()
    unexpected = [e for e in errors if "Failed to load resource" not in e]
    assert not unexpected, unexpected

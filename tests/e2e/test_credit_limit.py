"""The credit limit in the browser (R-26): the subscriber chooses a limit on /credit, a real two-party
call on loopback shows the time left, both sides are warned 60 s before the limit, the call is cut off
at the limit, the history shows the outcome and a new call is refused as over the limit.

The server runs in a loopback-only network namespace (see ``calls_support``) with
``VIDEOPHONE_CLOCK_FILE``, so the test moves the server's time instead of waiting minutes.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

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
from tests.e2e.conftest import ConsoleErrors, login_subscriber
from tests.support.server import DEMO_PASSWORD
from videophone.adapters.clock import OffsetFileClock
from videophone.adapters.db.engine import make_engine, make_sessionmaker
from videophone.adapters.db.models import CallRecord, Plan, PlanPrice, PlanSubscription, Subscriber

pytestmark = pytest.mark.e2e

A_LOGIN, B_LOGIN = "liming@example.com", "wangfang@example.com"


def prepare(app: NetnsApp) -> None:
    """A's plan (1.00 yuan a minute) and 48 minutes already called this month, straight into the DB."""
    url = f"sqlite+aiosqlite:///{(app.workdir / 'var' / 'videophone.sqlite3').as_posix()}"

    async def write() -> None:
        engine = make_engine(url)
        try:
            async with make_sessionmaker(engine)() as session:
                now = datetime.now(UTC)
                sub = (await session.scalars(select(Subscriber).where(Subscriber.email == A_LOGIN))).one()
                other = (await session.scalars(select(Subscriber).where(Subscriber.email == B_LOGIN))).one()
                plan = Plan(code=f"e2e{uuid.uuid4().hex[:6]}", name_zh="按分钟", name_en="Per minute", created_at=now)
                session.add(plan)
                await session.flush()
                session.add(
                    PlanPrice(
                        plan_id=plan.id,
                        effective_from=date(2020, 1, 1),
                        monthly_rent_fen=0,
                        included_minutes=0,
                        rate_per_minute=Decimal("1.00"),
                        first_increment_seconds=60,
                        next_increment_seconds=60,
                        created_at=now,
                    )
                )
                session.add(PlanSubscription(subscriber_id=sub.id, plan_id=plan.id, start_date=date(2020, 1, 1)))
                session.add(
                    CallRecord(
                        id=str(uuid.uuid4()),
                        caller_id=sub.id,
                        callee_id=other.id,
                        caller_number=sub.number,
                        callee_number=other.number,
                        caller_device="web",
                        callee_device="web",
                        node_id="e2e",
                        state="ended",
                        started_at=now - timedelta(seconds=5),
                        answered_at=now - timedelta(seconds=4),
                        ended_at=now - timedelta(seconds=3),
                        outcome="answered",
                        end_reason="hangup",
                        billable_seconds=48 * 60,
                    )
                )
                await session.commit()
        finally:
            await engine.dispose()

    errors: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(write())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


@pytest.fixture(scope="module")
def clocked_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NetnsApp, OffsetFileClock]]:
    name, why = create_netns()
    if name is None:
        pytest.skip(why)
    workdir = tmp_path_factory.mktemp("videophone-credit")
    clock = OffsetFileClock(workdir / "clock-offset")
    app = NetnsApp(name, workdir)
    try:
        app.start(extra_env={"VIDEOPHONE_CLOCK_FILE": str(clock.path)})
        prepare(app)
        yield app, clock
    finally:
        app.stop()
        delete_netns(name)


def test_a_call_is_warned_then_cut_off_at_the_credit_limit(
    browser: Any, clocked_app: tuple[NetnsApp, OffsetFileClock]
) -> None:
    app, clock = clocked_app
    instance = launch_media_browser(browser.browser_type, app.chromium)
    errors = ConsoleErrors()
    pages: dict[str, Any] = {}
    try:
        for key, login in (("a", A_LOGIN), ("b", B_LOGIN)):
            context = instance.new_context(
                base_url=app.base_url, locale="zh-CN", viewport={"width": 1100, "height": 860}
            )
            context.set_default_timeout(15_000)
            context.grant_permissions(["camera", "microphone"])
            context.on("page", errors.watch)
            page = context.new_page()
            login_subscriber(page, login, DEMO_PASSWORD)
            pages[key] = page
        a, b = pages["a"], pages["b"]

        # A chooses a limit of 50 yuan on /credit (48 used: 2 yuan, i.e. two minutes, are left).
        a.goto("/credit")
        a.get_by_test_id("credit-option-50").check()
        a.get_by_test_id("credit-save").click()
        a.get_by_test_id("credit-saved").wait_for()
        assert a.get_by_test_id("credit-limit").inner_text() == "¥50.00"
        assert a.get_by_test_id("credit-used").inner_text() == "¥48.00"
        assert a.get_by_test_id("credit-remaining").inner_text() == "¥2.00"
        assert a.get_by_test_id("credit-state").get_attribute("data-state") == "warning"
        assert a.get_by_test_id("credit-bar").get_attribute("aria-valuenow") == "96"
        a.set_viewport_size({"width": 375, "height": 740})  # the page fits a phone
        assert a.evaluate("() => document.documentElement.scrollWidth") <= 375
        a.set_viewport_size({"width": 1100, "height": 860})

        open_phone(a)
        b_number = open_phone(b)
        dial(a, b_number)
        b.get_by_test_id("incoming").wait_for()
        b.get_by_test_id("accept-button").click()
        wait_state(a, "in-call")
        wait_state(b, "in-call")
        the_call = call_id(a)
        for page in (a, b):
            remaining = page.get_by_test_id("call-remaining")
            remaining.wait_for()
            assert remaining.inner_text().startswith("剩余 0"), remaining.inner_text()  # 02:00 or a second less
            assert page.get_by_test_id("credit-warning").is_hidden()

        # The server's clock moves on: 60 s before the limit both sides are warned.
        clock.set_offset(timedelta(seconds=61))
        for page in (a, b):
            warning = page.get_by_test_id("credit-warning")
            warning.wait_for(timeout=5_000)
            assert "信用额度即将用完" in warning.inner_text()
            assert page.get_by_test_id("call-remaining").inner_text() <= "剩余 01:00"

        # Past the limit: the call is cut off on both sides with the reason.
        clock.set_offset(timedelta(seconds=125))
        for page in (a, b):
            wait_state(page, "ended", "cut_off_credit", timeout=5_000)
            assert "已达到信用额度，通话已中断" in page.get_by_test_id("call-status").inner_text()
            assert page.get_by_test_id("call-remaining").is_hidden()

        status, data = page_api(a, "GET", "/api/v1/me/calls?limit=20")
        assert status == 200, data
        item = next(i for i in data["items"] if i["id"] == the_call)
        assert item["outcome"] == "cut_off_credit" and item["billable_seconds"] == 120, item

        # Calling again is not offered: the month's charges reached the limit (the page reads what the
        # account may do after the call, by the rule the invite follows).
        notice = a.locator('[data-testid="call-capability"][data-reason="outgoing_barred_credit_limit"]')
        notice.wait_for(timeout=10_000)
        assert "已达到您选定的信用额度" in notice.inner_text()
        assert a.get_by_test_id("call-button").is_disabled()

        a.goto("/credit")
        a.locator('[data-testid="credit-state"][data-state="barred"]').wait_for()
        assert a.get_by_test_id("credit-used").inner_text() == "¥50.00"
        assert a.get_by_test_id("credit-pay").is_visible()
    finally:
        clock.set_offset(timedelta())
        instance.close()
    unexpected = [e for e in errors if "Failed to load resource" not in e]
    assert not unexpected, unexpected

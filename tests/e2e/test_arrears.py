"""Arrears in the browser (R-24): an account driven overdue is suspended by the job, a call attempt shows
why, and a counter payment of everything due restores calling at once.

The server runs in a loopback-only network namespace (see ``calls_support``) with
``VIDEOPHONE_CLOCK_FILE``: the test bills last month's rent, moves the server's time past the due date
plus ``months_overdue_before_suspension`` months, and runs the ``late-fees`` and ``arrears`` jobs as
`videophone jobs run` with the same clock.  Demo subscribers: 李明 (A, the debtor) and 王芳 (B).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Coroutine, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

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
from tests.e2e.conftest import ConsoleErrors, login_staff, login_subscriber
from tests.support.server import DEMO_PASSWORD, videophone_command
from videophone.adapters.clock import OffsetFileClock
from videophone.adapters.db.engine import make_engine, make_sessionmaker
from videophone.adapters.db.models import Bill, Plan, PlanPrice, PlanSubscription, Subscriber
from videophone.collections.domain.arrears import add_months

pytestmark = pytest.mark.e2e

A_LOGIN, B_LOGIN = "liming@example.com", "wangfang@example.com"
OPERATOR_TZ = ZoneInfo("Asia/Shanghai")
T = TypeVar("T")


def in_thread(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion in a thread of its own (Playwright's sync driver owns this loop)."""
    out: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            out.append(asyncio.run(work))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return out[0]


def db_url(app: NetnsApp) -> str:
    return f"sqlite+aiosqlite:///{(app.workdir / 'var' / 'videophone.sqlite3').as_posix()}"


def last_month() -> tuple[str, date, date]:
    today = datetime.now(OPERATOR_TZ).date()
    this_month = today.replace(day=1)
    first = (this_month - timedelta(days=1)).replace(day=1)
    return f"{first.year:04d}-{first.month:02d}", first, this_month


def subscribe_last_month(app: NetnsApp) -> None:
    """A's plan (42 yuan a month) for the whole of last month, straight into the server's DB."""
    _, first, this_month = last_month()

    async def write() -> None:
        engine = make_engine(db_url(app))
        try:
            async with make_sessionmaker(engine)() as session:
                now = datetime.now(UTC)
                sub = (await session.scalars(select(Subscriber).where(Subscriber.email == A_LOGIN))).one()
                plan = Plan(code=f"e2e{uuid.uuid4().hex[:6]}", name_zh="欠费测试", name_en="Arrears", created_at=now)
                session.add(plan)
                await session.flush()
                session.add(
                    PlanPrice(
                        plan_id=plan.id,
                        effective_from=date(2020, 1, 1),
                        monthly_rent_fen=4200,
                        included_minutes=0,
                        rate_per_minute=Decimal("0.15"),
                        first_increment_seconds=60,
                        next_increment_seconds=60,
                        created_at=now,
                    )
                )
                session.add(
                    PlanSubscription(subscriber_id=sub.id, plan_id=plan.id, start_date=first, end_date=this_month)
                )
                await session.commit()
        finally:
            await engine.dispose()

    in_thread(write())


def bill_due_date(app: NetnsApp, period: str) -> date:
    async def read() -> date:
        engine = make_engine(db_url(app))
        try:
            async with make_sessionmaker(engine)() as session:
                sub = (await session.scalars(select(Subscriber).where(Subscriber.email == A_LOGIN))).one()
                bill = (
                    await session.scalars(select(Bill).where(Bill.subscriber_id == sub.id, Bill.period == period))
                ).one()
                assert bill.total_due_fen >= 4200, bill.total_due_fen
                return bill.due_date
        finally:
            await engine.dispose()

    return in_thread(read())


def cli(app: NetnsApp, clock: OffsetFileClock, *args: str) -> str:
    """A `videophone` command on the server's database and clock (no network needed: SQLite)."""
    env = {
        **os.environ,
        "VIDEOPHONE_DEMO": "true",
        "VIDEOPHONE_DATA_DIR": str(app.workdir / "var"),
        "VIDEOPHONE_CLOCK_FILE": str(clock.path),
    }
    env.pop("VIDEOPHONE_DATABASE_URL", None)
    done = subprocess.run(
        [*videophone_command(), *args], cwd=app.workdir, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


@pytest.fixture(scope="module")
def clocked_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NetnsApp, OffsetFileClock]]:
    name, why = create_netns()
    if name is None:
        pytest.skip(why)
    workdir = tmp_path_factory.mktemp("videophone-arrears")
    clock = OffsetFileClock(workdir / "clock-offset")
    app = NetnsApp(name, workdir)
    try:
        app.start(extra_env={"VIDEOPHONE_CLOCK_FILE": str(clock.path)})
        yield app, clock
    finally:
        app.stop()
        delete_netns(name)


def test_overdue_account_is_suspended_and_a_counter_payment_restores_calling(
    browser: Any, clocked_app: tuple[NetnsApp, OffsetFileClock]
) -> None:
    app, clock = clocked_app

    # Last month's rent is billed now; its due date is `bill_due_days` from today.
    period, _, _ = last_month()
    subscribe_last_month(app)
    cli(app, clock, "billing", "run", "--period", period)
    due = bill_due_date(app, period)

    # Time moves on to two days after "due date + 1 month" (policy: suspended when more than 1 month
    # overdue, terminated after 3), and the daily jobs run: late fees accrue, the account is suspended.
    today = datetime.now(OPERATOR_TZ).date()
    clock.set_offset(timedelta(days=(add_months(due, 1) - today).days + 2))
    fees = cli(app, clock, "jobs", "run", "late-fees")
    assert "'postings': 0" not in fees, fees
    arrears = cli(app, clock, "jobs", "run", "arrears")
    # (A at least: the demo's seeded history has overdue accounts of its own; A's suspension is what the
    # pages below show.)
    assert "'suspended': 0" not in arrears and "'suspended'" in arrears, arrears

    instance = launch_media_browser(browser.browser_type, app.chromium)
    errors = ConsoleErrors()
    try:
        pages: dict[str, Any] = {}
        for key, login in (("a", A_LOGIN), ("b", B_LOGIN), ("staff", "")):
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
                login_staff(page, "billing")
            pages[key] = page
        a, b, staff = pages["a"], pages["b"], pages["staff"]

        # A's phone offers no call it would refuse, and says why (GET /api/v1/me, the rule the
        # invite follows); B cannot reach A either.
        a_number = open_phone(a)
        b_number = open_phone(b)
        notice = a.locator('[data-testid="call-capability"][data-reason="suspended_arrears"]')
        notice.wait_for()
        assert "您的账户欠费逾期，服务已中止" in notice.inner_text()
        assert a.get_by_test_id("call-button").is_disabled()
        dial(b, a_number)
        wait_state(b, "ended", "unavailable", timeout=10_000)
        assert a.get_by_test_id("incoming").is_hidden()

        # The notification and the account history say so too.
        a.goto("/notifications")
        notice = a.locator("[data-testid=notification][data-kind=service_suspended_arrears]")
        notice.wait_for()
        assert "因欠费，服务已中止" in notice.inner_text()
        assert due.isoformat() in notice.inner_text()
        event = a.locator("[data-testid=account-event][data-kind=service_restricted]")
        event.wait_for()
        assert "欠费" in event.inner_text()

        # What is due: last month's bill and the late fees accrued since the day after its due date.
        status, debts = page_api(a, "GET", "/api/v1/me/debts")
        assert status == 200, debts
        assert Decimal(debts["late_fees_unpaid_yuan"]) > 0, debts
        assert Decimal(debts["overdue_yuan"]) == Decimal(debts["balance_yuan"]) > Decimal("42"), debts
        owed = debts["balance_yuan"]

        # Billing staff record a cash payment of everything due at the counter.
        staff.goto("/console/payments")
        staff.get_by_test_id("cpay-number").fill(a_number)
        staff.get_by_test_id("cpay-lookup-submit").click()
        staff.get_by_test_id("cpay-account").wait_for()
        assert staff.get_by_test_id("cpay-balance").inner_text() == f"¥{owed}"
        staff.get_by_test_id("cpay-amount").fill(owed)
        staff.get_by_test_id("cpay-method").select_option("cash")
        receipt = f"E2E-ARR-{uuid.uuid4().hex[:8]}"
        staff.get_by_test_id("cpay-receipt").fill(receipt)
        staff.get_by_test_id("cpay-record-submit").click()
        result = staff.get_by_test_id("cpay-counter-result")
        result.wait_for()
        paid_at = time.monotonic()
        assert receipt in result.inner_text()
        assert staff.get_by_test_id("cpay-balance").inner_text() == "¥0.00"

        # At once, A's next call rings at B.
        open_phone(a)
        dial(a, b_number)
        b.get_by_test_id("incoming").wait_for(timeout=10_000)
        wait_state(a, "ringing")
        assert b.get_by_test_id("incoming-number").inner_text() == "号码未显示"  # B has no caller ID (ADR 0009)
        assert time.monotonic() - paid_at < 10
        a.get_by_test_id("hangup-button").click()
        wait_state(a, "ended", "cancelled")
        wait_state(b, "ended", "cancelled")

        a.goto("/notifications")
        a.locator("[data-testid=notification][data-kind=service_restored]").wait_for()
        a.locator("[data-testid=account-event][data-kind=service_restored]").wait_for()
        a.locator("[data-testid=account-event][data-kind=payment_received]").wait_for()
        status, debts = page_api(a, "GET", "/api/v1/me/debts")
        assert status == 200, debts
        assert Decimal(debts["balance_yuan"]) == 0 and Decimal(debts["overdue_yuan"]) == 0, debts
    finally:
        clock.set_offset(timedelta())
        instance.close()
    unexpected = [e for e in errors if "Failed to load resource" not in e]
    assert not unexpected, unexpected

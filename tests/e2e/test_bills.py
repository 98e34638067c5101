"""Bills in the browser (R-22): staff start the bill run for last month in the console; the subscriber
sees the bill with its lines and downloads the PDF, whose text shows the total."""

from __future__ import annotations

import asyncio
import io
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.e2e.conftest import login_staff, login_subscriber
from tests.support.server import DEMO_PASSWORD, RunningApp
from videophone.adapters.db.engine import make_engine, make_sessionmaker
from videophone.adapters.db.models import CallRecord, Plan, PlanPrice, PlanSubscription, Subscriber

pytestmark = pytest.mark.e2e

EMAIL = "liming@example.com"  # a demo subscriber


def last_month() -> tuple[str, date, date]:
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    this_month = today.replace(day=1)
    first = (this_month - timedelta(days=1)).replace(day=1)
    return f"{first.year:04d}-{first.month:02d}", first, this_month


def prepare(app: RunningApp) -> None:
    """A plan and a subscription for last month, and one answered call, straight into the server's DB."""
    url = f"sqlite+aiosqlite:///{(app.workdir / 'var' / 'videophone.sqlite3').as_posix()}"
    _, first, this_month = last_month()

    async def write() -> None:
        engine = make_engine(url)
        try:
            async with make_sessionmaker(engine)() as session:
                now = datetime.now(UTC)
                sub = (await session.scalars(select(Subscriber).where(Subscriber.email == EMAIL))).one()
                other = (await session.scalars(select(Subscriber).where(Subscriber.id != sub.id))).first()
                assert other is not None
                plan = Plan(code=f"e2e{uuid.uuid4().hex[:6]}", name_zh="测试套餐", name_en="Test plan", created_at=now)
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
                started = datetime(first.year, first.month, 10, 2, 0, tzinfo=UTC)
                session.add(
                    CallRecord(
                        id=str(uuid.uuid4()),
                        caller_id=sub.id,
                        callee_id=other.id,
                        caller_number=sub.number,
                        callee_number=other.number,
                        caller_device="web",
                        node_id="e2e",
                        state="ended",
                        started_at=started,
                        answered_at=started,
                        ended_at=started + timedelta(seconds=150),
                        outcome="answered",
                        end_reason="hangup",
                        billable_seconds=150,
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


def test_bill_run_in_the_console_and_the_bill_with_its_pdf(
    app_server: RunningApp, new_context: Any, tmp_path: Any
) -> None:
    period, _, _ = last_month()
    prepare(app_server)

    staff = new_context().new_page()
    login_staff(staff, "billing")
    staff.goto("/console/bills")
    period_input = staff.get_by_test_id("bill-run-period")
    assert period_input.input_value() == period  # the default is last month
    staff.get_by_test_id("bill-run-submit").click()
    result = staff.get_by_test_id("bill-run-result")
    result.wait_for()
    assert period in result.inner_text()
    staff.locator(f"[data-testid=bill-run-row][data-period='{period}'][data-state=finished]").first.wait_for()
    staff.locator("[data-testid=console-bill-row]").first.wait_for()

    page = new_context(viewport={"width": 375, "height": 800}).new_page()
    login_subscriber(page, EMAIL, DEMO_PASSWORD)
    page.goto("/bills")
    page.get_by_test_id("usage-calls").wait_for()
    row = page.locator(f"[data-testid=bill-row][data-period='{period}']")
    row.get_by_test_id("bill-open").click()
    detail = page.get_by_test_id("bill-detail")
    detail.wait_for()
    kinds = page.locator("[data-testid=bill-line]").evaluate_all("rows => rows.map(r => r.dataset.kind)")
    assert kinds[:2] == ["rent", "usage"]
    amounts = page.locator("[data-testid=bill-line-amount]").all_inner_texts()
    assert amounts[:2] == ["¥42.00", "¥0.45"]  # full month of rent; 3 min × 0.15
    total = page.get_by_test_id("bill-total").inner_text().strip()
    assert total.startswith("¥")
    assert page.evaluate("document.documentElement.scrollWidth") <= 376  # fits a 375 px screen

    with page.expect_download() as info:
        page.get_by_test_id("bill-pdf").click()
    path = tmp_path / "bill.pdf"
    info.value.save_as(path)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    assert total in text
    assert page.get_by_test_id("bill-number").inner_text() in text

"""Billing disputes in the browser (R-25): a subscriber disputes a call on an issued bill, billing staff
investigate it in the console (call record, rating) and resolve it with a credit, and the credit shows
as a line on the subscriber's next bill.

Periods without a clock: the disputed bill is the one of two months ago, the "next bill" last month's."""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.e2e.conftest import login_staff, login_subscriber
from tests.support.server import DEMO_PASSWORD, RunningApp
from videophone.adapters.db.engine import make_engine, make_sessionmaker
from videophone.adapters.db.models import CallRecord, Plan, PlanPrice, PlanSubscription, Subscriber

pytestmark = pytest.mark.e2e

EMAIL = "office@example.org"  # a demo subscriber (organization)


def months() -> tuple[str, date, str, date]:
    """(period, first day) of two months ago and of last month, in the operator's calendar."""
    this_month = datetime.now(ZoneInfo("Asia/Shanghai")).date().replace(day=1)
    last = (this_month - timedelta(days=1)).replace(day=1)
    older = (last - timedelta(days=1)).replace(day=1)
    return f"{older:%Y-%m}", older, f"{last:%Y-%m}", this_month


def prepare(app: RunningApp) -> str:
    """A plan (0.15/min, nothing included) from two months ago to the end of last month, and one
    answered call of 150 s two months ago (→ 3 min, ¥0.45), straight into the server's DB."""
    url = f"sqlite+aiosqlite:///{(app.workdir / 'var' / 'videophone.sqlite3').as_posix()}"
    _, older, _, this_month = months()
    call_id = str(uuid.uuid4())

    async def write() -> None:
        engine = make_engine(url)
        try:
            async with make_sessionmaker(engine)() as session:
                now = datetime.now(UTC)
                sub = (await session.scalars(select(Subscriber).where(Subscriber.email == EMAIL))).one()
                other = (await session.scalars(select(Subscriber).where(Subscriber.id != sub.id))).first()
                assert other is not None
                plan = Plan(
                    code=f"d2e{uuid.uuid4().hex[:6]}", name_zh="争议测试套餐", name_en="Dispute plan", created_at=now
                )
                session.add(plan)
                await session.flush()
                session.add(
                    PlanPrice(
                        plan_id=plan.id,
                        effective_from=date(2020, 1, 1),
                        monthly_rent_fen=2000,
                        included_minutes=0,
                        rate_per_minute=Decimal("0.15"),
                        first_increment_seconds=60,
                        next_increment_seconds=60,
                        created_at=now,
                    )
                )
                session.add(
                    PlanSubscription(subscriber_id=sub.id, plan_id=plan.id, start_date=older, end_date=this_month)
                )
                started = datetime(older.year, older.month, 10, 2, 0, tzinfo=UTC)
                session.add(
                    CallRecord(
                        id=call_id,
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
    return call_id


def run_bills(staff: Any, period: str) -> None:
    staff.goto("/console/bills")
    staff.get_by_test_id("bill-run-period").fill(period)
    staff.get_by_test_id("bill-run-submit").click()
    result = staff.get_by_test_id("bill-run-result")
    result.wait_for()
    assert period in result.inner_text()


def test_dispute_a_call_staff_credit_it_and_the_next_bill_shows_the_credit(
    app_server: RunningApp, new_context: Any
) -> None:
    older, _, last, _ = months()
    call_id = prepare(app_server)
    staff = new_context().new_page()
    login_staff(staff, "billing")
    run_bills(staff, older)

    # The subscriber disputes the call, on a phone-sized screen, from a link to the bill.
    page = new_context(viewport={"width": 375, "height": 800}).new_page()
    login_subscriber(page, EMAIL, DEMO_PASSWORD)
    page.goto("/disputes")
    bills = page.evaluate("VP.api('GET', '/api/v1/me/bills')")["items"]
    bill = next(b for b in bills if b["period"] == older)
    page.goto(f"/disputes?bill={bill['id']}")
    form = page.get_by_test_id("dispute-form")
    page.locator(f"[data-testid=dispute-call] option[value='{call_id}']").wait_for(state="attached")
    assert page.get_by_test_id("dispute-bill").input_value() == str(bill["id"])
    page.get_by_test_id("dispute-call").select_option(call_id)
    assert "0.45" in page.get_by_test_id("dispute-amount-hint").inner_text()
    page.get_by_test_id("dispute-reason").fill("这次通话画面一直卡住，无法正常交流")
    page.get_by_test_id("dispute-submit").click()
    form.get_by_test_id("dispute-submitted").wait_for()
    row = page.locator("[data-testid=dispute-row]").first
    dispute_id = row.get_attribute("data-id")
    assert row.get_attribute("data-state") == "open"
    assert page.evaluate("document.documentElement.scrollWidth") <= 376  # fits a 375 px screen

    # Billing staff: the queue, the evidence, the decision.
    staff.goto("/console/disputes")
    queued = staff.locator(f"[data-testid=dispute-row][data-id='{dispute_id}']")
    assert queued.get_attribute("data-state") == "open"
    queued.get_by_test_id("dispute-open").click()
    detail = staff.get_by_test_id("dispute-detail")
    detail.wait_for()
    assert "无法正常交流" in staff.get_by_test_id("dispute-detail-reason").inner_text()
    evidence = staff.locator(f"[data-testid=dispute-call][data-id='{call_id}']")
    assert "0.45" in evidence.get_by_test_id("dispute-call-rating").inner_text()
    assert evidence.get_by_test_id("dispute-call-duration").inner_text() == "02:30"
    kinds = staff.locator("[data-testid=dispute-bill-line]").evaluate_all("rows => rows.map(r => r.dataset.kind)")
    assert kinds == ["rent", "usage"]
    staff.get_by_test_id("decision-credit").fill("0.45")
    staff.get_by_test_id("decision-explanation").fill("经核实该通话质量差，减免本次通话费")
    staff.get_by_test_id("decision-adjust").click()
    staff.get_by_test_id("decision-done").wait_for()
    assert (
        staff.get_by_test_id("dispute-detail-state").get_by_test_id("dispute-state").get_attribute("data-state")
        == "adjusted"
    )
    assert staff.get_by_test_id("decision-adjust").is_hidden()

    # The next bill run: last month's bill carries the credit.
    run_bills(staff, last)
    page.goto("/disputes")
    answer = page.locator(f"[data-testid=dispute-row][data-id='{dispute_id}'][data-state=adjusted]")
    assert "0.45" in answer.get_by_test_id("dispute-answer").inner_text()
    page.goto("/bills")
    page.locator(f"[data-testid=bill-row][data-period='{last}']").get_by_test_id("bill-open").click()
    page.get_by_test_id("bill-detail").wait_for()
    credit = page.locator("[data-testid=bill-line][data-kind=credit]")
    assert credit.get_by_test_id("bill-line-amount").inner_text() == "¥-0.45"
    assert f"#{dispute_id}" in credit.inner_text()

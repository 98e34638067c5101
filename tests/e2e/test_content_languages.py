"""Stored content in the reader's language, in the browser (issue 15): the same notification and bill
read by an English and a Chinese reader of one account, and the agreement in English with the note
that the Chinese text prevails."""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from tests.e2e.conftest import login_staff, login_subscriber
from tests.support.server import DEMO_PASSWORD, RunningApp
from videophone.adapters.db.engine import make_engine, make_sessionmaker
from videophone.adapters.db.models import Bill, BillLine, Notification, Subscriber
from videophone.collections.texts.notice_texts_payments import method_params

pytestmark = pytest.mark.e2e

EMAIL = "wangfang@example.com"  # a demo subscriber (her notice language is Chinese)
PERIOD = "2019-12"  # a period nobody else bills in these tests


def prepare(app: RunningApp) -> int:
    """A notification and a bill with its lines as the bill run writes them, straight into the
    server's database.  Returns the notification's id."""
    url = f"sqlite+aiosqlite:///{(app.workdir / 'var' / 'videophone.sqlite3').as_posix()}"
    made: list[int] = []

    async def write() -> None:
        engine = make_engine(url)
        try:
            async with make_sessionmaker(engine)() as session:
                now = datetime.now(UTC)
                sub = (await session.scalars(select(Subscriber).where(Subscriber.email == EMAIL))).one()
                note = Notification(
                    subscriber_id=sub.id,
                    kind="refund_issued",
                    params={"amount": "7.00", "method": "cash", **method_params("cash")},
                    created_at=now,
                )
                bill = Bill(
                    number=f"B201912{sub.id:010d}", subscriber_id=sub.id, period=PERIOD, issued_at=now,
                    due_date=date(2020, 1, 15), previous_balance_fen=0, payments_fen=0, new_charges_fen=1700,
                    total_due_fen=1700, state="issued",
                )  # fmt: skip
                session.add_all([note, bill])
                await session.flush()
                session.add_all(
                    [
                        BillLine(bill_id=bill.id, position=1, kind="rent", description="月租 · 基础套餐",
                                 description_en="Monthly rent · Basic", quantity="31/31 天",
                                 quantity_en="31/31 days", amount_fen=1800),
                        BillLine(bill_id=bill.id, position=2, kind="credit", description="减免 · 费用争议 #9",
                                 description_en="Credit · Billing dispute #9", quantity="", quantity_en="",
                                 amount_fen=-100),
                    ]
                )  # fmt: skip
                await session.commit()
                made.append(note.id)
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
    return made[0]


def reader(new_context: Any, language: str) -> Any:
    """The subscriber signed in, then choosing the interface language with the switch."""
    page = new_context(locale=language).new_page()
    login_subscriber(page, EMAIL, DEMO_PASSWORD)
    page.goto(f"/lang/{language}?next=/notifications")
    page.wait_for_url("**/notifications")
    assert page.evaluate("document.documentElement.lang") == language
    return page


def bill_lines(page: Any) -> list[str]:
    page.goto("/bills")
    page.locator(f"[data-testid=bill-row][data-period='{PERIOD}']").get_by_test_id("bill-open").click()
    page.get_by_test_id("bill-detail").wait_for()
    return [" ".join(r.split()) for r in page.locator("[data-testid=bill-line]").all_inner_texts()]


def test_an_english_and_a_chinese_reader_see_the_same_content_each_in_their_language(
    app_server: RunningApp, new_context: Any
) -> None:
    notification_id = prepare(app_server)

    english = reader(new_context, "en")
    item = english.locator(f"[data-testid=notification][data-id='{notification_id}']")
    item.wait_for()
    assert "Refund of ¥7.00 issued" in item.inner_text() and "(cash)" in item.inner_text()
    lines = bill_lines(english)
    assert lines[0].startswith("Monthly rent · Basic 31/31 days") and lines[1].startswith("Credit · Billing dispute #9")

    chinese = reader(new_context, "zh-CN")
    item = chinese.locator(f"[data-testid=notification][data-id='{notification_id}']")
    item.wait_for()
    assert "已为您退款 7.00 元" in item.inner_text() and "现金" in item.inner_text()
    lines = bill_lines(chinese)
    assert lines[0].startswith("月租 · 基础套餐 31/31 天") and lines[1].startswith("减免 · 费用争议 #9")


def test_the_agreement_in_english_says_the_chinese_text_prevails(app_server: RunningApp, new_context: Any) -> None:
    page = new_context(locale="en").new_page()
    page.goto("/lang/en?next=/agreement")
    page.wait_for_url("**/agreement")
    note = page.get_by_test_id("agreement-translation-note")
    assert note.inner_text() == "This translation is for convenience; the Chinese text prevails."
    agreement = page.get_by_test_id("agreement")
    assert agreement.get_attribute("data-language") == "en"
    assert agreement.locator("h1").inner_text() == "Video Telephone Video Communication Service Agreement"
    assert "Party A" in agreement.inner_text()

    page.goto("/lang/zh-CN?next=/agreement")
    page.wait_for_url("**/agreement")
    assert page.get_by_test_id("agreement").get_attribute("data-language") == "zh-CN"
    assert page.get_by_test_id("agreement-translation-note").count() == 0
    link = page.get_by_test_id("agreement-english-link")
    link.click()  # the small link to the English translation
    page.wait_for_url("**/agreement")
    page.get_by_test_id("agreement-translation-note").wait_for()
    assert page.get_by_test_id("agreement").get_attribute("data-language") == "en"


def test_plan_descriptions_are_kept_in_both_languages_and_shown_in_the_readers(new_context: Any) -> None:
    code = "e2e_" + uuid.uuid4().hex[:8]
    page = new_context().new_page()
    login_staff(page, "admin")
    page.goto("/console/tariffs")
    page.locator('[data-testid="plans-table"][aria-busy="false"]').wait_for()
    form = page.get_by_test_id("plan-form")
    # Two labelled fields, one per language.
    assert form.locator("label[for=plan-description]").inner_text() == "中文说明"
    assert form.locator("label[for=plan-description_en]").inner_text() == "英文说明"
    for name, value in (
        ("code", code),
        ("name_zh", "双语套餐"),
        ("name_en", "Bilingual"),
        ("description", "含 200 分钟。"),
        ("description_en", "200 minutes included."),
        ("monthly_rent", "20.00"),
        ("included_minutes", "200"),
        ("rate_per_minute", "0.12"),
    ):
        form.locator(f'[name="{name}"]').fill(value)
    page.get_by_test_id("plan-submit").click()
    row = page.locator(f'[data-testid="plan-row"][data-code="{code}"]')
    row.wait_for()
    assert row.get_by_test_id("plan-description").inner_text() == "含 200 分钟。"

    # The descriptions of an existing plan, edited in both languages.
    describe = page.get_by_test_id("describe-form")
    describe.locator('[name="target"]').select_option(code)
    assert describe.locator('[name="description_en"]').input_value() == "200 minutes included."
    describe.locator('[name="description_en"]').fill("200 minutes of video calls included.")
    page.get_by_test_id("describe-submit").click()
    page.get_by_test_id("describe-success").wait_for()

    for language, text in (("en", "200 minutes of video calls included."), ("zh-CN", "含 200 分钟。")):
        public = new_context(locale=language).new_page()
        public.goto(f"/lang/{language}?next=/prices")
        public.locator('[data-testid="prices"][aria-busy="false"]').wait_for()
        card = public.locator(f'[data-testid="plan-card"][data-code="{code}"]')
        assert card.get_by_test_id("plan-description").inner_text() == text

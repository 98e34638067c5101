"""Orders in the browser (R-20, R-21): a verified subscriber opens the public price list, orders a
value-added service, sees the order and downloads it as a PDF; the pages fit a 375 px screen."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import login_staff, login_subscriber, person_data
from tests.e2e.test_identity_review import register_via_api
from tests.support.server import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


def verify_as_reviewer(new_context: Any, subscriber_id: int) -> None:
    """The demo reviewer verifies the subscriber through the console API (new subscribers are pending)."""
    staff = new_context()
    r = staff.request.post("/api/v1/console/auth/login", data={"username": "reviewer", "password": DEMO_PASSWORD})
    assert r.ok, r.text()
    csrf = r.json()["csrf_token"]
    r = staff.request.post(
        f"/api/v1/console/subscribers/{subscriber_id}/review",
        data={"action": "verify"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.ok and r.json()["review_state"] == "verified", r.text()


def test_subscriber_orders_a_service_and_downloads_the_order(new_context: Any, base_url: str, tmp_path: Path) -> None:
    data = person_data(name="冯订购")
    created = register_via_api(base_url, data)

    # The price list is public.
    anonymous = new_context().new_page()
    anonymous.goto("/prices")
    anonymous.locator('[data-testid="prices"][aria-busy="false"]').wait_for()
    basic = anonymous.locator('[data-testid="plan-card"][data-code="basic"]')
    assert basic.get_by_test_id("plan-rent").inner_text() == "18.00"
    assert anonymous.locator('[data-testid="vas-row"]').count() == 4
    assert anonymous.get_by_test_id("plan-choose").count() == 0
    assert anonymous.get_by_test_id("prices-json").get_attribute("href") == "/api/v1/prices"

    verify_as_reviewer(new_context, created["id"])
    page = new_context().new_page()
    login_subscriber(page, data["email"], data["password"])
    page.get_by_test_id("nav-group-more").locator("summary").click()  # signed in: prices are under "more"
    page.get_by_test_id("nav-prices").click()
    page.wait_for_url("**/prices")
    page.locator('[data-testid="prices"][aria-busy="false"]').wait_for()
    # Registered while the catalog existed: already on the default plan.
    page.locator('[data-testid="plan-card"][data-code="basic"][data-current="true"]').wait_for()

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator('[data-testid="vas-row"][data-code="voicemail"]').get_by_test_id("vas-add").click()
    result = page.get_by_test_id("order-result")
    result.wait_for()
    number = result.get_attribute("data-number") or ""
    assert number.startswith("OD") and number in result.inner_text()
    page.locator('[data-testid="vas-row"][data-code="voicemail"] [data-testid="vas-held"]').wait_for()

    page.get_by_test_id("order-result-link").click()
    page.wait_for_url("**/orders")
    row = page.locator(f'[data-testid="order-row"][data-number="{number}"]')
    row.wait_for()
    assert row.get_attribute("data-kind") == "vas_add"
    assert "5.00" in row.get_by_test_id("order-fee").inner_text()
    page.locator('[data-testid="current-vas-row"][data-code="voicemail"]').wait_for()
    assert "23.00" in page.get_by_test_id("monthly-total").inner_text()  # 18 rent + 5
    # No missing value shows as a literal "null"/"undefined" (issue 15: after the monthly rent).
    details_text = page.locator("main").inner_text()
    assert "null" not in details_text and "undefined" not in details_text
    row.get_by_test_id("order-details").click()
    detail = page.locator(f'[data-testid="order-detail"][data-id="{row.get_attribute("data-id")}"]')
    detail.wait_for()
    assert "视频留言" in detail.inner_text()
    assert "null" not in detail.inner_text() and "undefined" not in detail.inner_text()

    with page.expect_download() as info:
        row.get_by_test_id("order-pdf").click()
    path = tmp_path / "order.pdf"
    info.value.save_as(path)
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    assert number in text and "5.00" in text and "同等法律效力" in text

    # The console's page of the subscriber says which calling features they have now.
    console = new_context().new_page()
    login_staff(console, "admin")
    console.goto(f"/console/subscribers/{created['id']}")
    console.locator('[data-testid="subscriber-features"][aria-busy="false"]').wait_for()
    features = console.get_by_test_id("subscriber-feature")
    assert [features.nth(i).get_attribute("data-feature") for i in range(features.count())] == ["voicemail"]
    assert features.first.inner_text() in ("视频留言", "Video voicemail")
    assert console.get_by_test_id("subscriber-features-none").is_hidden()

    # Both pages fit a 375 px phone screen.
    phone = new_context(viewport={"width": 375, "height": 740}).new_page()
    login_subscriber(phone, data["email"], data["password"])
    for url, ready in (
        ("/prices", '[data-testid="prices"][aria-busy="false"]'),
        ("/orders", '[data-testid="orders-table"][aria-busy="false"]'),
    ):
        phone.goto(url)
        phone.locator(ready).wait_for()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 376, url


def test_administrator_keeps_the_tariffs_in_the_console(new_context: Any) -> None:
    code = "e2e_" + uuid.uuid4().hex[:8]
    page = new_context().new_page()
    login_staff(page, "admin")
    page.get_by_test_id("nav-group-billing").locator("summary").click()  # tariffs are under "billing"
    page.get_by_test_id("nav-tariffs").click()
    page.wait_for_url("**/console/tariffs")
    page.locator('[data-testid="plans-table"][aria-busy="false"]').wait_for()
    assert page.locator('[data-testid="plan-row"][data-code="basic"] [data-testid="price-history-item"]').count() >= 1

    # A new plan; a wrong amount is explained next to its field.
    form = page.get_by_test_id("plan-form")
    for name, value in (
        ("code", code),
        ("name_zh", "测试套餐"),
        ("name_en", "Test plan"),
        ("monthly_rent", "abc"),
        ("included_minutes", "300"),
        ("rate_per_minute", "0.12"),
        ("first_increment_seconds", "60"),
        ("next_increment_seconds", "6"),
    ):
        form.locator(f'[name="{name}"]').fill(value)
    page.get_by_test_id("plan-submit").click()
    page.wait_for_function(
        "() => document.querySelector('#plan-form [data-error-for=monthly_rent]').textContent !== ''"
    )
    form.locator('[name="monthly_rent"]').fill("28.00")
    page.get_by_test_id("plan-submit").click()
    row = page.locator(f'[data-testid="plan-row"][data-code="{code}"]')
    row.wait_for()

    # A price change from a later date is added to the history, marked as upcoming.
    row.get_by_test_id("plan-price").click()
    price = page.get_by_test_id("price-form")
    assert price.locator('[name="target"]').input_value() == code
    for name, value in (
        ("effective_from", "2099-01-01"),
        ("monthly_rent", "30.00"),
        ("included_minutes", "300"),
        ("rate_per_minute", "0.12"),
        ("first_increment_seconds", "60"),
        ("next_increment_seconds", "6"),
    ):
        price.locator(f'[name="{name}"]').fill(value)
    page.get_by_test_id("price-submit").click()
    row.locator('[data-testid="price-history-item"][data-from="2099-01-01"][data-upcoming="true"]').wait_for()

    # Value-added services say which calling feature they turn on; a new one is bound to one or fee only.
    assert (
        page.locator('[data-testid="vas-row"][data-code="caller_id"] [data-testid="vas-feature-cell"]').get_attribute(
            "data-feature"
        )
        == "caller_id"
    )
    vas_form = page.get_by_test_id("vas-form")
    for name, value in (("code", code + "v"), ("name_zh", "彩铃"), ("name_en", "Ringback"), ("monthly_fee", "3.00")):
        vas_form.locator(f'[name="{name}"]').fill(value)
    page.get_by_test_id("vas-submit").click()
    fee_only = page.locator(f'[data-testid="vas-row"][data-code="{code}v"] [data-testid="vas-feature-cell"]')
    fee_only.wait_for()
    assert fee_only.get_attribute("data-feature") == ""
    assert fee_only.inner_text() in ("仅收费（无通话功能）", "Fee only (no calling feature)")
    for name, value in (
        ("code", code + "w"),
        ("name_zh", "留言二"),
        ("name_en", "Voicemail 2"),
        ("monthly_fee", "4.00"),
    ):
        vas_form.locator(f'[name="{name}"]').fill(value)
    page.get_by_test_id("vas-feature").select_option("voicemail")
    page.get_by_test_id("vas-submit").click()
    bound = page.locator(f'[data-testid="vas-row"][data-code="{code}w"] [data-testid="vas-feature-cell"]')
    bound.wait_for()
    assert bound.get_attribute("data-feature") == "voicemail"

    # Withdrawn from sale: gone from the public price list.
    row.get_by_test_id("plan-toggle").click()
    page.locator(f'[data-testid="plan-row"][data-code="{code}"][data-active="false"]').wait_for()
    public = new_context().new_page()
    public.goto("/prices")
    public.locator('[data-testid="prices"][aria-busy="false"]').wait_for()
    assert public.locator(f'[data-testid="plan-card"][data-code="{code}"]').count() == 0

    phone = new_context(viewport={"width": 375, "height": 740}).new_page()
    login_staff(phone, "admin")
    phone.goto("/console/tariffs")
    phone.locator('[data-testid="plans-table"][aria-busy="false"]').wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 376

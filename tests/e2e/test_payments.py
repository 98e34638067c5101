"""Paying a bill through the payment gateway in the browser (R-23): the built-in gateway runs as its
own process (`videophone gateway`) next to this test's own `videophone serve`; the subscriber presses
pay on an unpaid bill, confirms on the gateway's hosted page, comes back to the portal and sees the
payment, and the bill paid."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ConsoleErrors, login_staff, login_subscriber
from tests.e2e.test_bills import EMAIL, last_month, prepare
from tests.support.server import DEMO_PASSWORD, RunningApp, free_port, start_app, start_gateway, videophone_command

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningApp, RunningApp]]:
    workdir = tmp_path_factory.mktemp("videophone-payments")
    port = free_port()
    gateway = start_gateway(workdir, port=port)
    try:
        app = start_app(workdir, extra_env={"VIDEOPHONE_GATEWAY_PORT": str(port)})
        try:
            yield app, gateway
        finally:
            app.stop()
    finally:
        gateway.stop()


def bill_last_month(app: RunningApp) -> str:
    period, _, _ = last_month()
    prepare(app)
    env = {**os.environ, "VIDEOPHONE_DEMO": "true", "VIDEOPHONE_DATA_DIR": str(app.workdir / "var")}
    env.pop("VIDEOPHONE_DATABASE_URL", None)
    subprocess.run(
        [*videophone_command(), "billing", "run", "--period", period],
        cwd=app.workdir,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return period


def test_subscriber_pays_a_bill_through_the_gateway(servers: tuple[RunningApp, RunningApp], browser: Any) -> None:
    app, gateway = servers
    period = bill_last_month(app)
    errors = ConsoleErrors()
    context = browser.new_context(base_url=app.base_url, locale="zh-CN", viewport={"width": 375, "height": 800})
    context.set_default_timeout(15_000)
    context.on("page", errors.watch)
    try:
        page = context.new_page()
        login_subscriber(page, EMAIL, DEMO_PASSWORD)
        page.goto("/bills")
        row = page.locator(f"[data-testid=bill-row][data-period='{period}']")
        pay = row.get_by_test_id("bill-pay")
        amount = pay.get_attribute("data-amount")
        assert amount == "42.45"  # rent 42.00 + 3 min × 0.15
        assert row.get_by_test_id("bill-paid").count() == 0
        pay.click()

        page.wait_for_url(f"{gateway.base_url}/pay?**")  # the gateway's own page, on its own port
        assert page.get_by_test_id("gateway-amount").inner_text() == "¥42.45"
        assert page.get_by_test_id("gateway-merchant").inner_text() == "videophone-demo"
        assert page.evaluate("document.documentElement.scrollWidth") <= 376
        page.get_by_test_id("gateway-pay").click()

        page.wait_for_url(f"{app.base_url}/payments?intent=pi_*")
        page.locator("[data-testid=payment-result][data-state=paid]").wait_for()
        assert "42.45" in page.get_by_test_id("payment-result-text").inner_text()
        history = page.locator("[data-testid=payment-row][data-method=gateway]")
        history.first.wait_for()
        assert history.first.get_by_test_id("payment-row-amount").inner_text() == "¥42.45"
        assert page.get_by_test_id("payments-owed").inner_text() == "¥0.00"
        assert page.evaluate("document.documentElement.scrollWidth") <= 376

        page.goto("/bills")
        row = page.locator(f"[data-testid=bill-row][data-period='{period}'][data-paid=true]")
        row.get_by_test_id("bill-paid").wait_for()
        assert row.get_by_test_id("bill-pay").count() == 0
    finally:
        context.close()
    unexpected = [e for e in errors if "Failed to load resource" not in e]
    assert not unexpected, unexpected


def test_the_gateway_refuses_a_tampered_link(servers: tuple[RunningApp, RunningApp], browser: Any) -> None:
    _, gateway = servers
    context = browser.new_context(locale="en")
    try:
        page = context.new_page()
        page.goto(f"{gateway.base_url}/pay?merchant_id=videophone-demo&out_trade_no=pi_x&amount_fen=1&sign=00")
        assert "invalid or has expired" in page.get_by_test_id("gateway-error").inner_text()
    finally:
        context.close()


def test_gateway_store_is_its_own_file(servers: tuple[RunningApp, RunningApp]) -> None:
    app, _ = servers
    assert Path(app.workdir / "var" / "gateway.sqlite3").exists()


def test_staff_record_a_counter_payment_and_see_the_notification_log(
    servers: tuple[RunningApp, RunningApp], browser: Any
) -> None:
    app, _ = servers
    errors = ConsoleErrors()
    context = browser.new_context(base_url=app.base_url, locale="en", viewport={"width": 375, "height": 800})
    context.set_default_timeout(15_000)
    context.on("page", errors.watch)
    try:
        page = context.new_page()
        login_staff(page, "billing")
        page.goto("/console/payments")
        page.locator("[data-testid=cpay-log-row][data-outcome=applied]").first.wait_for()  # the gateway payment
        sub = page.evaluate("fetch('/api/v1/console/subscribers?q=liming').then(r => r.json())")
        number = sub["items"][0]["number"]
        page.get_by_test_id("cpay-number").fill(number)
        page.get_by_test_id("cpay-lookup-submit").click()
        page.get_by_test_id("cpay-account").wait_for()
        page.get_by_test_id("cpay-amount").fill("10")
        page.get_by_test_id("cpay-method").select_option("bank_transfer")
        page.get_by_test_id("cpay-receipt").fill("E2E-0001")
        page.get_by_test_id("cpay-record-submit").click()
        page.get_by_test_id("cpay-counter-result").wait_for()
        assert "E2E-0001" in page.get_by_test_id("cpay-counter-result").inner_text()
        assert page.get_by_test_id("cpay-credit").inner_text() == "¥10.00"
        counter = page.locator("[data-testid=cpay-payment-row][data-method=bank_transfer]").first
        counter.wait_for()
        assert counter.get_attribute("data-arrival") == "counter"
        assert counter.get_by_test_id("cpay-arrival").inner_text() == "At a counter"
        assert page.get_by_test_id("cpay-late").get_attribute("aria-busy") == "false"  # late confirmations
        page.get_by_test_id("cpay-receipt").fill("E2E-0001")  # the same receipt with other data: refused
        page.get_by_test_id("cpay-amount").fill("11")
        page.get_by_test_id("cpay-record-submit").click()
        form = page.get_by_test_id("cpay-counter-form")
        form.locator("[data-error-for=receipt_no]").get_by_text("already used").wait_for()
    finally:
        context.close()
    unexpected = [e for e in errors if "Failed to load resource" not in e]
    assert not unexpected, unexpected

"""The language people chose (issue 15): choosing English on the login page keeps the portal and the
console in English after logging in, although the account's notice language is Chinese and the browser
asks for Chinese; the account's notice language is a setting of its own; the payment gateway's page
follows the portal's language."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import ConsoleErrors
from tests.e2e.test_bills import EMAIL
from tests.support.server import DEMO_PASSWORD, RunningApp, free_port, start_app, start_gateway

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningApp, RunningApp]]:
    workdir = tmp_path_factory.mktemp("videophone-language")
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


@pytest.fixture
def chinese_browser(servers: tuple[RunningApp, RunningApp], browser: Any) -> Iterator[Any]:
    """A browser whose own language is Chinese (Accept-Language: zh-CN)."""
    errors = ConsoleErrors()
    context = browser.new_context(base_url=servers[0].base_url, locale="zh-CN", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    context.on("page", errors.watch)
    yield context
    context.close()
    unexpected = [e for e in errors if "Failed to load resource" not in e]
    assert not unexpected, unexpected


def page_language(page: Any) -> str:
    return str(page.evaluate("document.documentElement.lang"))


def test_a_subscriber_keeps_english_after_logging_in(chinese_browser: Any) -> None:
    page = chinese_browser.new_page()
    page.goto("/login")
    assert page_language(page) == "zh-CN"
    page.get_by_test_id("lang-en").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    page.get_by_test_id("login-login").fill(EMAIL)
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/account")
    assert page_language(page) == "en"
    assert page.get_by_role("heading", name="My account").is_visible()
    # The account's notice language is Chinese, and shown as such in its own setting.
    assert page.evaluate("VP.api('GET', '/api/v1/me').then((me) => me.language)") == "zh-CN"
    page.locator("[data-testid=account][aria-busy=false]").wait_for()
    assert page.get_by_test_id("notice-language").input_value() == "zh-CN"
    for path in ("/bills", "/payments", "/history"):
        page.goto(path)
        assert page_language(page) == "en", path

    # Changing the notice language leaves the pages alone; only the switch changes them.
    page.goto("/lang/zh-CN?next=/account")
    assert page_language(page) == "zh-CN"
    page.locator("[data-testid=account][aria-busy=false]").wait_for()
    page.get_by_test_id("notice-language").select_option("en")
    page.get_by_test_id("notice-language-submit").click()
    page.get_by_test_id("notice-language-form").locator("[data-form-success]").wait_for()
    page.reload()
    assert page_language(page) == "zh-CN"
    assert page.evaluate("VP.api('GET', '/api/v1/me').then((me) => me.language)") == "en"
    page.get_by_test_id("logout").click()
    page.wait_for_url("**/")
    page.goto("/login")
    page.get_by_test_id("login-login").fill(EMAIL)
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/account")
    assert page_language(page) == "zh-CN"  # the English notices did not switch the pages either


def test_staff_keep_english_after_logging_in(chinese_browser: Any) -> None:
    page = chinese_browser.new_page()
    page.goto("/console/login")
    assert page_language(page) == "zh-CN"
    page.get_by_test_id("lang-en").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    page.get_by_test_id("staff-username").fill("billing")
    page.get_by_test_id("staff-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("staff-login-submit").click()
    page.wait_for_url("**/console/dashboard")
    assert page_language(page) == "en"
    page.goto("/console/bills")
    assert page_language(page) == "en"


def test_the_gateway_page_follows_the_portal_language(
    servers: tuple[RunningApp, RunningApp], chinese_browser: Any
) -> None:
    _, gateway = servers
    page = chinese_browser.new_page()
    page.goto("/lang/en?next=/login")
    page.get_by_test_id("login-login").fill(EMAIL)
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/account")
    for language, pay_label in (("en", "Pay"), ("zh-CN", "确认支付")):
        page.goto(f"/lang/{language}?next=/payments")
        page.get_by_test_id("pay-amount").fill("5")
        page.get_by_test_id("pay-submit").click()
        page.wait_for_url(f"{gateway.base_url}/pay?**")  # the gateway's own page, on its own port
        assert page_language(page) == language
        assert page.get_by_test_id("gateway-pay").inner_text() == pay_label
        assert page.get_by_test_id("gateway-amount").inner_text() == "¥5.00"
        page.get_by_test_id("gateway-cancel").click()  # back to the portal, still in its language
        page.wait_for_url("**/payments?intent=pi_*")
        assert page_language(page) == language

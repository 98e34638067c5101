"""Browser tests: a real `videophone serve` process with demo data, driven by headless Chromium."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from tests.support.server import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, RunningApp, start_app
from videophone.identity.domain.identity_numbers import resident_id_check_char


@pytest.fixture(scope="package")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    # test_history_pages plants a live call on a node that stopped heartbeating, to see the console
    # flag it; the sweeper would (rightly) end that call within seconds, so here it waits an hour.
    app = start_app(tmp_path_factory.mktemp("videophone-e2e"), extra_env={"VIDEOPHONE_NODE_STALE_SECONDS": "3600"})
    try:
        yield app
    finally:
        app.stop()


@pytest.fixture(scope="package")
def base_url(app_server: RunningApp) -> str:
    return app_server.base_url


# Package scope: the sync Playwright driver keeps an event loop marked as running until it stops, which
# would break later tests that call asyncio.run() (e.g. the CLI tests) if it lived for the whole session.
@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


class ConsoleErrors(list[str]):
    """Console errors and uncaught exceptions seen by the pages of one browser context."""

    def watch(self, page: Any) -> None:
        page.on("console", lambda msg: self.append(f"console: {msg.text}") if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.append(f"pageerror: {exc}"))


@pytest.fixture
def new_context(browser: Any, base_url: str) -> Iterator[Callable[..., Any]]:
    """Factory for isolated browser contexts (separate cookies); each page is watched for JS errors."""
    contexts: list[Any] = []
    errors = ConsoleErrors()

    def make(locale: str = "zh-CN", **options: Any) -> Any:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(base_url=base_url, locale=locale, **options)
        context.set_default_timeout(15_000)
        context.on("page", errors.watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    # Expected API failures (4xx) are logged by Chromium as "Failed to load resource"; anything else is a bug.
    unexpected = [e for e in errors if "Failed to load resource" not in e]
    assert not unexpected, unexpected


# -- test data -------------------------------------------------------------------------------------------
def resident_id(birth: date, region: str = "110105", sequence: str = "123") -> str:
    first17 = f"{region}{birth:%Y%m%d}{sequence}"
    return first17 + resident_id_check_char(first17)


def unique_email(prefix: str = "e2e") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def unique_phone() -> str:
    return "139" + str(uuid.uuid4().int)[:8]


def person_data(**overrides: str) -> dict[str, str]:
    birth = date(1992, 6, 15)
    data = {
        "name": "赵测试",
        "birth_date": birth.isoformat(),
        "id_number": resident_id(birth),
        "employer": "北京测试科技有限公司",
        "address": "北京市朝阳区测试路1号",
        "postal_code": "100020",
        "contact_phone": unique_phone(),
        "email": unique_email(),
        "password": "E2e-Passw0rd-long",
    }
    data.update(overrides)
    return data


def fill_person_form(page: Any, data: dict[str, str]) -> None:
    """Fill the registration form (person) by label-free, stable selectors."""
    page.get_by_test_id("kind-person").check()
    form = page.get_by_test_id("register-form")
    for name, value in data.items():
        form.locator(f'[name="{name}"]').fill(value)
    page.get_by_test_id("accept-agreement").check()


def login_subscriber(page: Any, login: str, password: str) -> None:
    page.goto("/login")
    page.get_by_test_id("login-login").fill(login)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/account")


def login_staff(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/console/login")
    page.get_by_test_id("staff-username").fill(username)
    page.get_by_test_id("staff-password").fill(password)
    page.get_by_test_id("staff-login-submit").click()
    page.wait_for_url("**/console/dashboard")

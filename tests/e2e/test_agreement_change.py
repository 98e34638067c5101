"""An agreement change (R-06, R-33, 003 §15) in the browser, with a controllable clock: staff publish a
new agreement version in the console; subscriber A (李明) reads what changed and objects in the portal;
the clock moves past the objection window and the ``agreement-deemed-acceptance`` job runs (as
``videophone jobs run`` on the server's database and clock); subscriber B (王芳, on a 375 px screen)
sees the new version accepted as deemed, and her agreement page shows it; staff see A's objection case
and record the outcome."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ConsoleErrors, login_subscriber
from tests.support.server import DEMO_PASSWORD, RunningApp, start_app, videophone_command
from videophone.adapters.clock import OffsetFileClock

NEW_CLAUSE = "本版新增：乙方为甲方提供高清视频通话，不另收费。"


@pytest.fixture(scope="module")
def clocked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningApp, OffsetFileClock]]:
    workdir = tmp_path_factory.mktemp("videophone-agreement")
    clock = OffsetFileClock(workdir / "clock-offset")
    app = start_app(workdir, extra_env={"VIDEOPHONE_CLOCK_FILE": str(clock.path)})
    try:
        yield app, clock
    finally:
        app.stop()


def run_job(app: RunningApp, clock: OffsetFileClock, name: str) -> str:
    env = {
        **os.environ,
        "VIDEOPHONE_DEMO": "true",
        "VIDEOPHONE_DATA_DIR": str(app.workdir / "var"),
        "VIDEOPHONE_CLOCK_FILE": str(clock.path),
    }
    env.pop("VIDEOPHONE_DATABASE_URL", None)
    done = subprocess.run(
        [*videophone_command(), "jobs", "run", name],
        cwd=app.workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, (done.stdout, done.stderr)
    return done.stdout


def staff_page(browser: Any, app: RunningApp, errors: ConsoleErrors) -> Any:
    context = browser.new_context(base_url=app.base_url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors.watch(page)
    page.goto("/console/login")
    page.get_by_test_id("staff-username").fill("admin")
    page.get_by_test_id("staff-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("staff-login-submit").click()
    page.wait_for_url(lambda url: "/console/login" not in url)
    page.goto("/console/announcements")
    return page


def subscriber_page(browser: Any, app: RunningApp, errors: ConsoleErrors, email: str, **options: Any) -> Any:
    options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(base_url=app.base_url, locale="zh-CN", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors.watch(page)
    login_subscriber(page, email, DEMO_PASSWORD)
    return page


def test_agreement_change_objection_and_deemed_acceptance(
    browser: Any, clocked: tuple[RunningApp, OffsetFileClock], tmp_path: Path
) -> None:
    app, clock = clocked
    errors = ConsoleErrors()

    # Staff publish version 2 by announcement.
    staff = staff_page(browser, app, errors)
    template = staff.get_by_test_id("version-template")
    staff.get_by_test_id("version-current").filter(has_text="1").wait_for()
    text = template.input_value()
    assert "## 前言" in text
    template.fill(text.replace("## 前言", "## 前言\n\n" + NEW_CLAUSE, 1))
    staff.get_by_test_id("version-title").fill("服务协议变更公告")
    staff.get_by_test_id("version-body").fill("我们更新了服务协议：新增高清视频条款。")
    staff.get_by_test_id("version-summary").fill("新增高清视频通话条款。")
    staff.get_by_test_id("version-submit").click()
    staff.get_by_test_id("version-published").wait_for()
    assert "第 2 版已发布" in staff.get_by_test_id("version-published").inner_text()
    # Newest first: the change heads the list once it is reloaded (the demo's history has a notice already).
    staff.wait_for_function(
        "document.querySelector('[data-testid=announcement-row]')?.dataset.kind === 'agreement_change'"
    )

    # A reads what changed and objects within the window.
    alice = subscriber_page(browser, app, errors, "liming@example.com")
    alice.goto("/announcements")
    change = alice.get_by_test_id("agreement-change")
    change.wait_for()
    assert change.get_attribute("data-version") == "2"
    assert alice.get_by_test_id("diff-added").filter(has_text=NEW_CLAUSE).count() == 1
    assert alice.get_by_test_id("diff-removed").count() >= 1  # the version line changed too
    assert alice.get_by_test_id("announcement").first.get_attribute("data-kind") == "agreement_change"
    alice.get_by_test_id("objection-submit").click()  # empty: a coded error, nothing stored
    alice.wait_for_function(
        "document.querySelector('[data-testid=objection-form] [data-error-for=text]').textContent.length > 0"
    )
    alice.get_by_test_id("objection-text").fill("我不同意新增条款，希望保留原协议。")
    alice.get_by_test_id("objection-submit").click()
    alice.get_by_test_id("objection-sent").wait_for()
    assert alice.get_by_test_id("agreement-objection").get_attribute("data-state") == "open"
    assert alice.get_by_test_id("objection-form").count() == 0

    # The window (one month) passes; the job deems the silent subscribers to accept.
    clock.set_offset(timedelta(days=32))
    try:
        out = run_job(app, clock, "agreement-deemed-acceptance")
        assert "deemed" in out

        bob = subscriber_page(
            browser, app, errors, "wangfang@example.com", viewport={"width": 375, "height": 800}, is_mobile=True
        )
        bob.goto("/announcements")
        accepted = bob.get_by_test_id("agreement-accepted")
        accepted.wait_for()
        assert accepted.get_attribute("data-method") == "deemed"
        assert "异议期满视为同意" in accepted.inner_text()
        assert bob.get_by_test_id("agreement-accept").count() == 0
        assert bob.evaluate("document.documentElement.scrollWidth") <= 375
        bob.goto("/account/agreement")
        assert "第2版" in bob.locator("body").inner_text()

        # A is not deemed: the objection stands, and staff see the case.
        login_subscriber(alice, "liming@example.com", DEMO_PASSWORD)  # the old session expired meanwhile
        alice.goto("/announcements")
        alice.get_by_test_id("agreement-objection").wait_for()
        assert alice.get_by_test_id("agreement-accepted").count() == 0
        staff = staff_page(browser, app, errors)  # a fresh login: the clock moved past the old session
        case = staff.get_by_test_id("objection-row").filter(has_text="我不同意新增条款")
        case.wait_for()
        assert case.get_attribute("data-state") == "open"
        case.get_by_test_id("objection-outcome").select_option("not_agreed")
        case.get_by_test_id("objection-note").fill("已电话沟通，用户保留原协议。")
        case.get_by_test_id("objection-decide-submit").click()
        staff.locator("[data-testid=objection-row][data-state=not_agreed]").wait_for()
        alice.reload()
        alice.locator("[data-testid=agreement-objection][data-state=not_agreed]").wait_for()
    finally:
        clock.set_offset(timedelta())
    unexpected = [e for e in errors if "Failed to load resource" not in e]
    assert not unexpected, unexpected

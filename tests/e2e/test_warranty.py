"""Terminals and warranty in the browser (R-40, R-41): support installs two units for a subscriber — one
today, one years ago —, the subscriber files a written claim with a photo on a phone-sized screen,
support resolves it by replacement in the console, and the subscriber sees the replacement unit with
the same warranty end; a claim for the unit outside its warranty is refused with the reason."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import login_staff, login_subscriber
from tests.factories import PASSWORD, person
from tests.support.files import PNG
from tests.support.server import DEMO_PASSWORD, RunningApp, start_app

pytestmark = pytest.mark.e2e


def add_unit(staff: Any, serial: str) -> None:
    staff.get_by_test_id("unit-serial").fill(serial)
    staff.get_by_test_id("unit-model").fill("VP-100 桌面可视电话")
    staff.get_by_test_id("unit-submit").click()
    staff.locator(f"[data-testid=unit-row][data-serial='{serial}']").wait_for()


def install(staff: Any, serial: str, number: str, installed_on: str = "") -> None:
    staff.locator(f"[data-testid=unit-row][data-serial='{serial}']").get_by_test_id("unit-assign").click()
    staff.get_by_test_id("action-number").fill(number)
    if installed_on:
        staff.get_by_test_id("action-installed").fill(installed_on)
    staff.get_by_test_id("unit-action-submit").click()
    assert len(staff.get_by_test_id("terminal-token").inner_text()) > 30  # the token, shown once
    row = staff.locator(f"[data-testid=unit-row][data-serial='{serial}'][data-state=assigned]")
    row.wait_for()


def test_claim_replaced_within_warranty_and_refused_outside(app_server: RunningApp, new_context: Any) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    current, spare, old = f"WT-{tag}-1", f"WT-{tag}-2", f"WT-{tag}-3"

    # A new subscriber (registered through the API).
    page = new_context(viewport={"width": 375, "height": 800}).new_page()
    data = person()
    registered = page.request.post("/api/v1/subscribers", data=data)
    assert registered.status == 201, registered.text()
    login_subscriber(page, data["email"], PASSWORD)
    number = page.evaluate("VP.api('GET', '/api/v1/me')")["number"]

    # Support: the units, two installed at the subscriber's (one long ago), one kept as a spare.
    staff = new_context().new_page()
    login_staff(staff, "support")
    staff.goto("/console/terminals")
    for serial in (current, spare, old):
        add_unit(staff, serial)
    install(staff, current, number)
    install(staff, old, number, "2015-03-01")
    warranty_end = staff.locator(f"[data-testid=unit-row][data-serial='{current}']").get_by_test_id("unit-warranty")
    end = warranty_end.inner_text().split()[0]

    # The subscriber files a written claim with a photo.
    page.goto("/terminals")
    page.locator(f"[data-testid=terminal-row][data-serial='{current}']").wait_for()
    # No claim yet: one empty state, the page's sentence — not an empty table saying "nothing" too.
    page.get_by_test_id("claims-none").wait_for()
    assert page.get_by_test_id("claims-table").is_hidden()
    assert page.get_by_text("暂无记录").count() == 0 or not page.get_by_text("暂无记录").first.is_visible()
    assert (
        page.locator(f"[data-testid=terminal-row][data-serial='{current}']")
        .get_by_test_id("terminal-warranty-end")
        .inner_text()
        == end
    )
    page.get_by_test_id("claim-terminal").select_option(label=f"{current} · VP-100 桌面可视电话")
    page.get_by_test_id("claim-description").fill("开机后屏幕一直黑屏，摄像头指示灯不亮。")
    page.get_by_test_id("claim-photos").set_input_files(
        [{"name": "screen.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_test_id("claim-submit").click()
    page.get_by_test_id("claim-done").wait_for()
    claim = page.locator("[data-testid=claim-row][data-state=submitted]")
    claim_id = claim.get_attribute("data-id")
    assert page.evaluate("document.documentElement.scrollWidth") <= 376  # fits a 375 px screen

    # The unit installed in 2015 is outside the warranty: refused with the reason and the date.
    page.get_by_test_id("claim-terminal").select_option(label=f"{old} · VP-100 桌面可视电话")
    page.get_by_test_id("claim-description").fill("声音断断续续，听不清对方说话。")
    page.get_by_test_id("claim-photos").set_input_files([{"name": "old.png", "mimeType": "image/png", "buffer": PNG}])
    page.get_by_test_id("claim-submit").click()
    alert = page.get_by_test_id("claim-alert")
    alert.wait_for()
    assert "保修期已于 2016-03-01 结束" in alert.inner_text()
    assert page.locator("[data-testid=claim-row]").count() == 1

    # Support decides: replacement by the spare unit.
    staff.goto("/console/warranty")
    row = staff.locator(f"[data-testid=claim-row][data-id='{claim_id}']")
    row.wait_for()
    assert row.get_by_test_id("claim-photo").count() == 1
    photo = staff.request.get(row.get_by_test_id("claim-photo").get_attribute("src"))
    assert photo.status == 200 and photo.body() == PNG  # the photo as the subscriber uploaded it
    row.get_by_test_id("claim-decide").click()
    staff.get_by_test_id("decision-kind").select_option("replace")
    staff.get_by_test_id("decision-cause").select_option("defect")
    staff.get_by_test_id("decision-replacement").fill(spare)
    staff.get_by_test_id("decision-note").fill("已寄出新机，旧机请交回。")
    staff.get_by_test_id("decision-submit").click()
    staff.get_by_test_id("decision-done").wait_for()
    staff.locator(f"[data-testid=claim-row][data-id='{claim_id}'][data-state=replaced]").wait_for()

    # The replaced unit is back in stock as the operator's.
    staff.goto("/console/terminals")
    staff.get_by_test_id("units-query").fill(tag)
    staff.get_by_test_id("units-filter-submit").click()
    staff.locator(f"[data-testid=unit-row][data-serial='{current}'][data-state=returned]").wait_for()

    # The subscriber sees the replacement with the same warranty end.
    page.goto("/terminals")
    replacement = page.locator(f"[data-testid=terminal-row][data-serial='{spare}']")
    replacement.wait_for()
    assert replacement.get_by_test_id("terminal-warranty-end").inner_text() == end
    assert page.locator(f"[data-testid=terminal-row][data-serial='{current}']").count() == 0
    result = page.locator(f"[data-testid=claim-row][data-id='{claim_id}'][data-state=replaced]")
    assert spare in result.get_by_test_id("claim-result").inner_text()


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """A server of its own: publishing a web release makes every open phone page reload."""
    app = start_app(tmp_path_factory.mktemp("videophone-releases"))
    try:
        yield app
    finally:
        app.stop()


def publish(staff: Any, version: str, *, mandatory: bool) -> None:
    staff.goto("/console/releases")
    staff.get_by_test_id("release-platform").select_option("web")
    staff.get_by_test_id("release-version").fill(version)
    staff.get_by_test_id("release-notes").fill(f"版本 {version}：通话建立更快")
    if mandatory:
        staff.get_by_test_id("release-mandatory").check()
    staff.get_by_test_id("release-submit").click()
    staff.locator(f"[data-testid=release-row][data-version='{version}']").wait_for()


def test_the_web_client_reloads_into_a_new_release_only_when_no_call_is_active(
    own_server: RunningApp, browser: Any
) -> None:
    context = browser.new_context(base_url=own_server.base_url, locale="zh-CN")
    context.set_default_timeout(15_000)
    errors: list[str] = []
    try:
        staff = context.new_page()
        login_staff(staff, "admin")
        publish(staff, "9.0.0", mandatory=False)

        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        login_subscriber(page, "liming@example.com", DEMO_PASSWORD)
        page.goto("/phone")
        page.locator("[data-testid=connection][data-state=online]").wait_for()
        banner = page.get_by_test_id("release-banner")
        banner.wait_for()
        assert "9.0.0" in banner.inner_text()
        # Optional: nothing happens until the user asks.  A call is going on (simulated: the phone's call
        # state, no media) when they press "reload": the page waits for the call to end.
        page.evaluate(
            "() => { window.__before_reload = true; VP.phone.call = { id: 'x', state: 'in-call', timers: [] }; }"
        )
        page.get_by_test_id("release-reload").click()
        page.locator("[data-testid=release-banner][data-waiting=true]").wait_for()
        page.wait_for_timeout(2500)
        assert page.evaluate("window.__before_reload === true")  # not reloaded during the call
        with page.expect_navigation():
            page.evaluate("() => { VP.phone.call.state = 'ended'; }")
        page.locator("[data-testid=connection][data-state=online]").wait_for()
        assert page.evaluate("sessionStorage.getItem('vp_web_version')") == "9.0.0"
        assert page.evaluate("window.__before_reload === undefined")
        assert page.get_by_test_id("release-banner").count() == 0  # now current

        # Mandatory, and no call: the page reloads itself as soon as it connects.
        publish(staff, "9.1.0", mandatory=True)
        with page.expect_navigation():
            page.reload()
            page.wait_for_function("sessionStorage.getItem('vp_web_version') === '9.1.0'")
        page.locator("[data-testid=connection][data-state=online]").wait_for()
        assert page.get_by_test_id("release-banner").count() == 0
        assert not errors, errors
    finally:
        context.close()

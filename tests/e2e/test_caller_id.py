"""Caller ID (来电显示, R-16, ADR 0009) in the browser: a callee without it sees "号码未显示"; they subscribe in
the portal, and the next call shows the number and their contact name for it; the history keeps both
calls as they were shown.  Real browsers with a fake camera, kept on loopback (``calls_support``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.calls_support import (
    NetnsApp,
    call_id,
    create_netns,
    delete_netns,
    dial,
    launch_media_browser,
    open_phone,
    page_api,
    wait_state,
)
from tests.e2e.conftest import ConsoleErrors, login_staff, login_subscriber
from tests.support.server import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

A_LOGIN, B_LOGIN = "liming@example.com", "wangfang@example.com"


@pytest.fixture(scope="module")
def netns_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetnsApp]:
    name, why = create_netns()
    if name is None:
        pytest.skip(why)
    app = NetnsApp(name, tmp_path_factory.mktemp("videophone-caller-id"))
    try:
        app.start()
        yield app
    finally:
        app.stop()
        delete_netns(name)


@pytest.fixture(scope="module")
def netns_browser(browser: Any, netns_app: NetnsApp) -> Iterator[Any]:
    instance = launch_media_browser(browser.browser_type, netns_app.chromium)
    try:
        yield instance
    finally:
        instance.close()


@pytest.fixture
def pages(netns_browser: Any, netns_app: NetnsApp) -> Iterator[dict[str, Any]]:
    errors = ConsoleErrors()
    contexts = []
    out: dict[str, Any] = {}
    for key, login in (("a", A_LOGIN), ("b", B_LOGIN), ("staff", "")):
        context = netns_browser.new_context(
            base_url=netns_app.base_url, locale="zh-CN", viewport={"width": 1100, "height": 860}
        )
        context.set_default_timeout(15_000)
        context.grant_permissions(["camera", "microphone"])
        context.on("page", errors.watch)
        contexts.append(context)
        page = context.new_page()
        if login:
            login_subscriber(page, login, DEMO_PASSWORD)
        else:
            login_staff(page, "admin")
        out[key] = page
    yield out
    for context in contexts:
        context.close()
    unexpected = [e for e in errors if "Failed to load resource" not in e]
    assert not unexpected, unexpected


def test_caller_id_on_and_off_shows_and_hides_the_number(pages: dict[str, Any]) -> None:
    a, b, staff = pages["a"], pages["b"], pages["staff"]
    # B is verified (a new subscriber may not order services before the identity review).
    status, me = page_api(b, "GET", "/api/v1/me")
    assert status == 200, me
    status, reviewed = page_api(
        staff, "POST", f"/api/v1/console/subscribers/{me['id']}/review", {"action": "verify"}, staff=True
    )
    assert status == 200, reviewed

    a_number = open_phone(a)
    b_number = open_phone(b)

    # 1. B has no caller ID: the incoming screen says "号码未显示", and nothing of A.
    dial(a, b_number)
    incoming = b.get_by_test_id("incoming")
    incoming.wait_for()
    assert incoming.get_attribute("data-withheld") == "true"
    assert b.get_by_test_id("incoming-number").inner_text() == "号码未显示"
    assert b.get_by_test_id("incoming-name").inner_text() == ""
    assert a_number not in incoming.inner_text() and "李明" not in incoming.inner_text()
    wait_state(a, "ringing")
    withheld_call = call_id(b)
    b.get_by_test_id("reject-button").click()
    wait_state(a, "ended", "rejected")
    wait_state(b, "ended", "rejected")

    # 2. B saves A in the address book, then subscribes to 来电显示 on the price list.
    b.goto("/contacts")
    b.locator('[data-testid="contacts-table"][aria-busy="false"]').wait_for()
    b.get_by_test_id("contact-name").fill("老李")
    b.get_by_test_id("contact-number").fill(a_number)
    b.get_by_test_id("contact-submit").click()
    b.locator(f'[data-testid="contact-row"][data-number="{a_number}"]').wait_for()
    b.goto("/prices")
    b.locator('[data-testid="prices"][aria-busy="false"]').wait_for()
    b.once("dialog", lambda dialog: dialog.accept())
    b.locator('[data-testid="vas-row"][data-code="caller_id"]').get_by_test_id("vas-add").click()
    b.get_by_test_id("order-result").wait_for()
    b.locator('[data-testid="vas-row"][data-code="caller_id"] [data-testid="vas-held"]').wait_for()

    # 3. The very next call shows A's number and B's own name for it.
    open_phone(b)
    open_phone(a)
    dial(a, b_number)
    incoming.wait_for()
    assert incoming.get_attribute("data-withheld") == "false"
    assert b.get_by_test_id("incoming-number").inner_text() == a_number
    assert b.get_by_test_id("incoming-name").inner_text() == "老李"
    wait_state(a, "ringing")
    shown_call = call_id(b)
    b.get_by_test_id("reject-button").click()
    wait_state(b, "ended", "rejected")

    # 4. B's history keeps both calls as they were shown: the first withheld (no call-back), the second
    #    with the contact name and the number.
    b.goto("/history")
    b.locator('[data-testid="history-list"][aria-busy="false"]').wait_for()
    first = b.locator(f'[data-testid="call-row"][data-call-id="{withheld_call}"]')
    second = b.locator(f'[data-testid="call-row"][data-call-id="{shown_call}"]')
    assert first.get_attribute("data-withheld") == "true"
    assert first.get_by_test_id("call-party").inner_text().strip() == "号码未显示"
    assert first.get_by_test_id("call-back").count() == 0
    assert a_number not in first.inner_text()
    first.get_by_test_id("call-toggle").click()
    assert first.get_by_test_id("call-detail-number").inner_text() == "号码未显示"
    assert second.get_attribute("data-withheld") == "false"
    assert second.get_by_test_id("call-party").inner_text().strip() == "老李"
    assert a_number in second.inner_text()
    assert second.get_by_test_id("call-back").get_attribute("href") == f"/phone?to={a_number}"

    # 5. A's own history shows whom A called both times; staff see the truth and what B was shown.
    status, mine = page_api(a, "GET", "/api/v1/me/calls?direction=outgoing&limit=5")
    assert status == 200, mine
    seen = {i["id"]: (i["other_number"], i["withheld"]) for i in mine["items"]}
    assert seen[withheld_call] == (b_number, False) and seen[shown_call] == (b_number, False)
    staff.goto("/console/calls")
    staff.get_by_test_id("calls-number").fill(a_number)
    staff.get_by_test_id("calls-submit").click()
    for the_call, shown in ((withheld_call, "未显示"), (shown_call, "已显示")):
        row = staff.locator(f'[data-testid="calls-row"][data-call-id="{the_call}"]')
        assert a_number in row.inner_text() and b_number in row.inner_text()
        row.get_by_test_id("calls-open").click()
        staff.locator(
            f'[data-testid="call-detail-body"] [data-testid="detail-presented"]:has-text("{shown}")'
        ).wait_for()
        assert staff.get_by_test_id("detail-caller").inner_text() == a_number

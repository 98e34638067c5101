"""The second number (第二号码, R-19) in the browser: B orders it in the portal and sees it on the account
page; A calls it and the same browser of B rings, saying which number was dialled; B's dial pad offers
both numbers and a call shows the one chosen.  Real browsers with a fake camera, kept on loopback."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.calls_support import call_id, dial, open_phone, page_api, wait_state
from tests.e2e.test_caller_id import netns_app, netns_browser, pages

pytestmark = pytest.mark.e2e
__all__ = ["netns_app", "netns_browser", "pages"]  # the fixtures, shared with the caller-ID module


def test_a_call_to_the_second_number_rings_the_same_browser(pages: dict[str, Any]) -> None:
    a, b, staff = pages["a"], pages["b"], pages["staff"]
    status, me = page_api(b, "GET", "/api/v1/me")
    assert status == 200, me
    status, reviewed = page_api(
        staff, "POST", f"/api/v1/console/subscribers/{me['id']}/review", {"action": "verify"}, staff=True
    )
    assert status == 200, reviewed

    # B orders 第二号码 on the price list; the account page shows the new number.
    b.goto("/prices")
    b.locator('[data-testid="prices"][aria-busy="false"]').wait_for()
    b.once("dialog", lambda dialog: dialog.accept())
    b.locator('[data-testid="vas-row"][data-code="second_number"]').get_by_test_id("vas-add").click()
    b.get_by_test_id("order-result").wait_for()
    b.goto("/account")
    second = b.get_by_test_id("my-second-number")
    second.wait_for()
    b_second = second.inner_text().strip()
    b_number = b.get_by_test_id("my-number").inner_text().strip()
    assert b_second.isdigit() and b_second != b_number

    # A dials B's second number: B's one browser rings and says which number was dialled.
    a_number = open_phone(a)
    assert open_phone(b) == b_number
    dial(a, b_second)
    b.get_by_test_id("incoming").wait_for()
    dialled = b.get_by_test_id("incoming-to")
    assert dialled.is_visible() and dialled.get_attribute("data-number") == b_second
    assert b_second in dialled.inner_text() and "第二号码" in dialled.inner_text()
    wait_state(a, "ringing")
    to_second = call_id(b)
    b.get_by_test_id("reject-button").click()
    wait_state(a, "ended", "rejected")
    wait_state(b, "ended", "rejected")

    # A call to B's main number rings the same browser without that line.
    dial(a, b_number)
    b.get_by_test_id("incoming").wait_for()
    assert b.get_by_test_id("incoming-to").is_hidden()
    wait_state(a, "ringing")
    b.get_by_test_id("reject-button").click()
    wait_state(b, "ended", "rejected")

    # B's dial pad offers both numbers; B calls A showing the second one.
    choice = b.get_by_test_id("dial-from")
    assert choice.is_visible()
    assert choice.locator("option").count() == 2
    choice.select_option(b_second)
    dial(b, a_number)
    a.get_by_test_id("incoming").wait_for()
    wait_state(b, "ringing")
    from_second = call_id(b)
    a.get_by_test_id("reject-button").click()
    wait_state(b, "ended", "rejected")

    # B's history says which of B's numbers each call used; the record keeps both numbers.
    b.goto("/history")
    b.locator('[data-testid="history-list"][aria-busy="false"]').wait_for()
    row = b.locator(f'[data-testid="call-row"][data-call-id="{to_second}"]')
    assert row.get_by_test_id("call-own-number").get_attribute("data-number") == b_second
    assert "呼入号码" in row.get_by_test_id("call-own-number").inner_text()
    row = b.locator(f'[data-testid="call-row"][data-call-id="{from_second}"]')
    assert "显示号码" in row.get_by_test_id("call-own-number").inner_text()
    for the_call, caller, callee in ((to_second, a_number, b_second), (from_second, b_second, a_number)):
        status, detail = page_api(staff, "GET", f"/api/v1/console/calls/{the_call}", staff=True)
        assert status == 200, detail
        assert (detail["caller_number"], detail["callee_number"]) == (caller, callee)

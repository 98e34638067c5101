"""SIP phones in the browser (issue 16): a subscriber creates a softphone account on /account — the
password is shown once with the settings to type in, and never again after a reload —, then revokes it
after a confirmation; the console's terminal list shows a fresh unit as unregistered."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.conftest import login_staff, login_subscriber
from tests.factories import PASSWORD, person
from tests.support.server import RunningApp

pytestmark = pytest.mark.e2e


def test_softphone_account_shown_once_then_revoked(app_server: RunningApp, new_context: Any) -> None:
    page = new_context(locale="en").new_page()
    data = person()
    registered = page.request.post("/api/v1/subscribers", data=data)
    assert registered.status == 201, registered.text()
    login_subscriber(page, data["email"], PASSWORD)
    page.goto("/account")
    section = page.get_by_test_id("sip-section")
    section.get_by_test_id("sip-none").wait_for()

    section.get_by_test_id("sip-label").fill("Laptop")
    section.get_by_test_id("sip-submit").click()
    result = section.get_by_test_id("sip-result")
    result.wait_for()
    password = result.get_by_test_id("sip-new-password").inner_text()
    user = result.get_by_test_id("sip-new-user").inner_text()
    assert len(password) == 26
    assert result.get_by_test_id("sip-new-registrar").inner_text().endswith(":5060")
    assert "UDP" in result.get_by_test_id("sip-new-transport").inner_text()
    assert result.get_by_test_id("sip-new-realm").inner_text()
    assert "not be shown again" in result.get_by_test_id("sip-password-once").inner_text()
    row = section.locator(f"[data-testid=sip-row][data-user='{user}']")
    assert row.get_by_test_id("sip-row-label").inner_text() == "Laptop"
    assert row.get_by_test_id("sip-state").inner_text() == "Unregistered"

    # A reload: the account is listed, its password is nowhere on the page.
    page.reload()
    row.wait_for()
    assert section.get_by_test_id("sip-result").is_hidden()
    assert password not in page.content()

    # Revoke: asked first; "cancel" keeps it, "yes" removes it.
    row.get_by_test_id("sip-revoke").click()
    confirm = section.get_by_test_id("sip-confirm")
    assert "Laptop" in confirm.get_by_test_id("sip-confirm-text").inner_text()
    confirm.get_by_test_id("sip-confirm-no").click()
    assert confirm.is_hidden()
    assert row.count() == 1
    row.get_by_test_id("sip-revoke").click()
    confirm.get_by_test_id("sip-confirm-yes").click()
    section.get_by_test_id("sip-revoked").wait_for()
    section.get_by_test_id("sip-none").wait_for()
    assert row.count() == 0
    mine = page.evaluate("VP.api('GET', '/api/v1/me/sip-credentials')")
    assert mine["items"] == []


def test_console_shows_a_fresh_terminal_unregistered(app_server: RunningApp, new_context: Any) -> None:
    serial = f"SIP-{uuid.uuid4().hex[:8].upper()}"
    staff = new_context(locale="en").new_page()
    login_staff(staff, "support")
    staff.goto("/console/terminals")
    staff.get_by_test_id("unit-serial").fill(serial)
    staff.get_by_test_id("unit-model").fill("GXV3380")
    staff.get_by_test_id("unit-submit").click()
    row = staff.locator(f"[data-testid=unit-row][data-serial='{serial}']")
    row.wait_for()
    assert row.get_by_test_id("unit-sip-state").inner_text() == "Unregistered"
    assert row.get_by_test_id("unit-sip-none").inner_text() == "no SIP account yet"

"""Notification preferences in the browser (R-35): on /notifications a new subscriber sees the
defaults (email on; SMS on for overdue and service notices), turns SMS on for bills and email off for
announcements, saves, and finds them kept after a reload; at 375 px, in English, the table still fits."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import login_subscriber, person_data
from tests.e2e.test_identity_review import register_via_api

pytestmark = pytest.mark.e2e


def test_choose_notification_channels(new_context: Any, base_url: str) -> None:
    data = person_data(name="周通知")
    register_via_api(base_url, data)
    page = new_context().new_page()
    login_subscriber(page, data["email"], data["password"])
    page.goto("/notifications")
    assert page.get_by_test_id("pref-billing-email").is_checked()
    assert not page.get_by_test_id("pref-billing-sms").is_checked()
    assert page.get_by_test_id("pref-service-sms").is_checked()
    assert page.get_by_test_id("pref-overdue-sms").is_checked()
    assert data["email"] in page.get_by_test_id("prefs-addresses").inner_text()
    page.get_by_test_id("pref-billing-sms").check()
    page.get_by_test_id("pref-announcements-email").uncheck()
    page.get_by_test_id("prefs-save").click()
    page.get_by_test_id("prefs-saved").wait_for()
    page.reload()
    page.get_by_test_id("pref-billing-sms").wait_for()
    assert page.get_by_test_id("pref-billing-sms").is_checked()
    assert not page.get_by_test_id("pref-announcements-email").is_checked()
    assert page.get_by_test_id("pref-disputes-email").is_checked()

    small = new_context(locale="en", viewport={"width": 375, "height": 800}).new_page()
    login_subscriber(small, data["email"], data["password"])
    small.context.add_cookies([{"name": "vp_lang", "value": "en", "url": base_url}])
    small.goto("/notifications")
    small.get_by_test_id("pref-billing-sms").wait_for()
    assert "Bills and payments" in small.get_by_test_id("prefs-table").inner_text()
    assert "always sent" in small.get_by_test_id("prefs-always").inner_text()
    width = small.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width

"""The console without raw codes and JSON (issue 15), in Chromium: the audit log as sentences with its
filters, the typed policy editor with its agreement preview, the bill-run period from the server's
calendar, one subscriber history."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.e2e.conftest import login_staff


def test_the_audit_log_reads_as_sentences_and_filters(new_context: Any) -> None:
    page = new_context().new_page()
    login_staff(page, "admin")
    page.goto("/console/audit")
    page.locator("[data-testid=audit-table][aria-busy=false]").wait_for()
    table = page.get_by_test_id("audit-table")
    text = table.inner_text()
    assert "员工 admin" in text  # the demo administrator's own login, by username
    assert "#1" not in text and "{" not in text and "auth.login" not in text
    assert table.get_by_test_id("audit-sentence").first.inner_text().strip()

    page.get_by_test_id("audit-action").select_option("auth.login")
    page.get_by_test_id("audit-submit").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=audit-row]')].every(r => r.dataset.action === 'auth.login')"
    )
    assert "登录" in table.get_by_test_id("audit-sentence").first.inner_text()
    actor = page.get_by_test_id("audit-actor")
    assert actor.locator("option", has_text="admin").count() >= 1

    # Days after the operator's today: nothing; a reversed range: a clear error under the field.
    page.get_by_test_id("audit-from").fill("2099-01-02")
    page.get_by_test_id("audit-submit").click()
    page.locator("[data-testid=audit-table] tr.empty").wait_for()
    page.get_by_test_id("audit-to").fill("2099-01-01")
    page.get_by_test_id("audit-submit").click()
    error = page.locator("[data-error-for=date_to]")
    error.wait_for()
    page.wait_for_function("() => document.querySelector('[data-error-for=date_to]').textContent.length > 0")
    assert "结束日期" in error.inner_text()


def test_the_policy_editor_is_typed_and_previews_the_agreement(new_context: Any) -> None:
    page = new_context().new_page()
    login_staff(page, "admin")
    page.goto("/console/policy")
    page.get_by_test_id("policy-group-billing").wait_for()
    assert page.get_by_test_id("policy-group-billing").locator("legend").inner_text() == "计费与缴费"
    assert page.locator("#policy-credit_limit_action").evaluate("n => n.tagName") == "SELECT"
    assert page.locator("#policy-default_plan_code").evaluate("n => n.tagName") == "SELECT"
    assert page.locator("#policy-voicemail_deposit_rated").get_attribute("role") == "switch"
    assert page.get_by_test_id("policy-unit-warranty_years").inner_text() == "年"
    form_text = page.get_by_test_id("policy-form").inner_text()
    assert "003" not in form_text and "outgoing_barred" not in form_text
    assert "初始设置" in page.get_by_test_id("policy-history").inner_text()

    page.locator("#policy-late_fee_per_mille_per_day").fill("4")
    page.get_by_test_id("policy-preview-submit").click()
    preview = page.get_by_test_id("policy-preview")
    preview.wait_for()
    assert preview.get_by_test_id("preview-changed").first.inner_text() == "4"
    assert "千分之4支付违约金" in preview.get_by_test_id("preview-after").first.inner_text()
    # Nothing saved yet.
    assert page.evaluate("VP.api('GET', '/api/v1/console/policy')")["values"]["late_fee_per_mille_per_day"] == "3"


def test_bills_subscriber_pages(new_context: Any) -> None:
    page = new_context().new_page()
    login_staff(page, "admin")
    page.goto("/console/bills")
    today = date.fromisoformat(page.evaluate("VP.operator.today"))
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    page.get_by_test_id("bill-runs-table").wait_for()
    assert page.get_by_test_id("bill-run-period").input_value() == f"{year}-{month:02d}"

    page.goto("/console/subscribers")
    page.get_by_test_id("subscriber-open").first.click()
    page.locator("[data-testid=account-history] tbody tr").first.wait_for()
    assert page.locator("[data-testid=account-history]").count() == 1
    assert page.locator("[data-testid=account-events]").count() == 0
    history = page.get_by_test_id("account-history").inner_text()
    assert "{" not in history and "#" not in history

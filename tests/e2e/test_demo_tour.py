"""The README's short tour, step by step as written, on what `videophone demo` (`make run`) seeds: a new
subscriber registers, 张伟 — a customer for some months — finds his calls, orders, bills with a late fee,
an overdue bill to pay, payments, an open dispute, notifications and a terminal with a claim; staff find
the review queue, his overdue account, his dispute and the claim (issue 15, "a demo worth touring")."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import fill_person_form, login_staff, login_subscriber, person_data
from tests.support.server import DEMO_PASSWORD

TOUR_LOGIN, PEER_LOGIN = "zhangwei@example.com", "liuyang@example.com"


def test_the_readme_tour_works_on_the_seeded_demo(new_context: Any) -> None:
    page = new_context().new_page()

    # 1. Register.
    page.goto("/register")
    fill_person_form(page, person_data())
    page.get_by_test_id("register-submit").click()
    page.get_by_test_id("new-number").wait_for(state="visible")

    # 2. Log in as 张伟.
    login_subscriber(page, TOUR_LOGIN, DEMO_PASSWORD)
    page.wait_for_function("document.querySelector('[data-testid=my-number]').textContent.trim() !== ''")

    # 3. The reviewer's queue holds today's registrations (the demo's and the one of step 1).
    staff = new_context().new_page()
    login_staff(staff, "reviewer")
    staff.goto("/console/reviews")
    staff.locator('[data-testid="queue-row"]').first.wait_for()
    assert staff.locator('[data-testid="queue-row"]').count() >= 4

    # 4. 刘洋 is in his contacts; months of calls in the history, answered and missed.
    page.goto("/contacts")
    page.locator("[data-testid=contact-row]", has_text="刘洋").wait_for()
    page.goto("/history")
    page.locator("[data-testid=call-row]").first.wait_for()
    assert page.locator("[data-testid=call-row]").count() >= 10

    # 5. Orders (the plan, then caller ID) and bills with their lines; one carries a late fee.
    page.goto("/orders")
    page.locator("[data-testid=order-row]").first.wait_for()
    assert page.locator("[data-testid=order-row]").count() == 2
    page.goto("/bills")
    rows = page.locator("[data-testid=bill-row]")
    rows.first.wait_for()
    assert rows.count() >= 3
    late_fee = False
    for i in range(rows.count()):
        rows.nth(i).get_by_test_id("bill-open").click()
        detail = page.get_by_test_id("bill-detail")
        detail.locator("[data-testid=bill-line]").first.wait_for()
        late_fee = late_fee or detail.locator("[data-testid=bill-line][data-kind=late_fee]").count() > 0
        page.get_by_test_id("bill-close").click()
    assert late_fee

    # 6. A pay button on the unpaid bills (an overdue one among them), payments, the open dispute, notices.
    unpaid = page.locator("[data-testid=bill-row][data-paid=false]")
    assert unpaid.count() >= 1
    assert unpaid.first.get_by_test_id("bill-pay").is_enabled()
    assert page.locator("[data-testid=bill-row][data-paid=true]").count() >= 2
    page.goto("/payments")
    page.locator("[data-testid=payment-row]").first.wait_for()
    assert page.locator("[data-testid=payment-row]").count() >= 2
    page.goto("/disputes")
    page.locator("[data-testid=dispute-row][data-state=open]").wait_for()
    page.goto("/notifications")
    page.locator("[data-testid=notification][data-kind=dispute_opened]").wait_for()
    for kind in ("bill_issued", "payment_received", "payment_overdue", "announcement"):
        assert page.locator(f"[data-testid=notification][data-kind={kind}]").count() >= 1, kind
    page.goto("/announcements")
    page.locator("[data-testid=announcement][data-kind=maintenance]").wait_for()

    # Billing staff: his overdue account and his dispute.
    billing = new_context().new_page()
    login_staff(billing, "billing")
    billing.goto("/console/arrears")
    billing.locator("[data-testid=arrears-row]", has_text="张伟").first.wait_for()
    billing.goto("/console/disputes")
    billing.locator("[data-testid=dispute-row][data-state=open]", has_text="张伟").first.wait_for()

    # 7. His terminal with the warranty claim; support sees the claim.
    page.goto("/terminals")
    page.locator("[data-testid=terminal-row]").first.wait_for()
    page.locator("[data-testid=claim-row]").first.wait_for()
    support = new_context().new_page()
    login_staff(support, "support")
    support.goto("/console/warranty")
    support.locator("[data-testid=claim-row]", has_text="VP-DEMO-0001").first.wait_for()

    # The other history subscriber can log in too (the second window of step 4).
    peer = new_context().new_page()
    login_subscriber(peer, PEER_LOGIN, DEMO_PASSWORD)

"""Contacts, block list and harassment reports in the browser (R-12): a subscriber keeps an address
book, blocks a number and reports a harasser; support staff resolve the report in the console."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.conftest import login_staff, login_subscriber, person_data
from tests.e2e.test_identity_review import register_via_api

pytestmark = pytest.mark.e2e


def fresh_number() -> str:
    return "0755" + str(uuid.uuid4().int)[:8]


def test_address_book_block_list_and_report_handled_by_support(new_context: Any, base_url: str) -> None:
    data = person_data(name="周通讯")
    register_via_api(base_url, data)
    pest = register_via_api(base_url, person_data(name="吴骚扰"))
    friend_number = fresh_number()
    spam_number = fresh_number()

    page = new_context().new_page()
    login_subscriber(page, data["email"], data["password"])
    page.get_by_test_id("nav-contacts").click()
    page.wait_for_url("**/contacts")
    page.locator('[data-testid="contacts-table"][aria-busy="false"]').wait_for()

    # Add a contact; a bad number is explained next to the field.
    page.get_by_test_id("contact-name").fill("郑朋友")
    page.get_by_test_id("contact-number").fill("12")
    page.get_by_test_id("contact-submit").click()
    error = page.locator('#contact-form [data-error-for="number"]')
    error.wait_for()
    page.wait_for_function("() => document.querySelector('#contact-form [data-error-for=number]').textContent !== ''")
    page.get_by_test_id("contact-number").fill(friend_number[:4] + "-" + friend_number[4:])
    page.get_by_test_id("contact-note").fill("大学同学")
    page.get_by_test_id("contact-submit").click()
    row = page.locator(f'[data-testid="contact-row"][data-number="{friend_number}"]')
    row.wait_for()
    assert row.get_by_test_id("contact-call").get_attribute("href") == f"/phone?to={friend_number}"
    page.get_by_test_id("contact-name").fill("钱同事")
    page.get_by_test_id("contact-number").fill(fresh_number())
    page.get_by_test_id("contact-submit").click()
    page.locator('[data-testid="contact-row"]').nth(1).wait_for()

    # Search by note, then mark the contact as a favourite.
    page.get_by_test_id("contacts-q").fill("同学")
    page.get_by_test_id("contacts-search-submit").click()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=contact-row]').length === 1")
    assert "郑朋友" in page.get_by_test_id("contacts-table").inner_text()
    row.get_by_test_id("contact-favourite").click()
    page.locator(f'[data-testid="contact-row"][data-number="{friend_number}"][data-favourite="true"]').wait_for()

    # Block a number.
    page.get_by_test_id("block-number").fill(spam_number)
    page.get_by_test_id("block-reason").fill("推销电话")
    page.get_by_test_id("block-submit").click()
    page.locator(f'[data-testid="block-row"][data-number="{spam_number}"]').wait_for()

    # Report the harasser and block them at the same time.
    page.get_by_test_id("report-number").fill(pest["number"])
    page.get_by_test_id("report-description").fill("每天深夜多次呼叫并辱骂")
    page.get_by_test_id("report-block").check()
    page.get_by_test_id("report-submit").click()
    page.get_by_test_id("report-success").wait_for()
    page.locator(f'[data-testid="block-row"][data-number="{pest["number"]}"]').wait_for()
    mine = page.locator('[data-testid="my-report-row"]')
    mine.first.wait_for()
    assert mine.first.get_attribute("data-state") == "open"
    report_id = mine.first.get_attribute("data-id")

    # Support sees the report in the console and resolves it.
    support = new_context().new_page()
    login_staff(support, "support")
    support.goto("/console/reports")
    support.get_by_test_id("reports-number").fill(pest["number"])
    support.get_by_test_id("reports-submit").click()
    report_row = support.locator(f'[data-testid="report-row"][data-id="{report_id}"]')
    report_row.wait_for()
    assert report_row.get_by_test_id("report-reported-link").get_attribute("href") == (
        f"/console/subscribers/{pest['id']}"
    )
    report_row.get_by_test_id("report-open").click()
    detail = support.get_by_test_id("report-detail")
    detail.wait_for()
    assert "每天深夜多次呼叫并辱骂" in support.get_by_test_id("report-detail-description").inner_text()
    support.get_by_test_id("report-start").click()
    support.locator('[data-testid="report-detail-state"][data-state="in_progress"]').wait_for()
    support.get_by_test_id("report-resolve").click()  # without an outcome: explained, nothing changes
    support.locator('#report-handle-form [data-error-for="resolution"]:not(:empty)').wait_for()
    support.get_by_test_id("report-resolution").fill("已核实并警告被举报用户")
    support.get_by_test_id("report-resolve").click()
    support.locator('[data-testid="report-detail-state"][data-state="resolved"]').wait_for()
    assert support.get_by_test_id("report-start").is_hidden()
    assert support.get_by_test_id("report-resolve").is_hidden()
    support.locator(f'[data-testid="report-row"][data-id="{report_id}"][data-state="resolved"]').wait_for()

    # The subscriber sees the outcome.
    page.reload()
    done = page.locator(f'[data-testid="my-report-row"][data-id="{report_id}"][data-state="resolved"]')
    done.wait_for()
    assert "已核实并警告被举报用户" in done.get_by_test_id("my-report-resolution").inner_text()


def test_contacts_page_fits_a_small_phone(new_context: Any, base_url: str) -> None:
    data = person_data(name="林小屏")
    register_via_api(base_url, data)
    page = new_context(viewport={"width": 375, "height": 740}).new_page()
    login_subscriber(page, data["email"], data["password"])
    page.goto("/contacts")
    page.locator('[data-testid="contacts-table"][aria-busy="false"]').wait_for()
    page.get_by_test_id("contact-name").fill("小屏联系人")
    page.get_by_test_id("contact-number").fill(fresh_number())
    page.get_by_test_id("contact-submit").click()
    page.locator('[data-testid="contact-row"]').first.wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    assert page.get_by_test_id("report-submit").is_visible()

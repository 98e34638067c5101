"""Registration in the browser: field errors under their inputs, success, login, the masked account page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import fill_person_form, login_subscriber, person_data

pytestmark = pytest.mark.e2e


def test_bad_id_number_is_refused_then_corrected_registration_succeeds(new_context: Any) -> None:
    page = new_context().new_page()
    page.goto("/register")
    data = person_data()
    good_id = data["id_number"]
    # Wrong check character: the number has the right shape but is not a valid resident ID.
    wrong_check = "0" if good_id[-1] != "0" else "1"
    fill_person_form(page, {**data, "id_number": good_id[:-1] + wrong_check})
    page.get_by_test_id("register-submit").click()

    id_error = page.locator('[data-error-for="id_number"]')
    expect_text(id_error)
    assert page.get_by_test_id("form-alert").is_visible()
    assert page.locator('[name="id_number"]').get_attribute("aria-invalid") == "true"
    # Nothing the user typed is lost.
    assert page.locator('[name="email"]').input_value() == data["email"]
    assert page.locator('[name="password"]').input_value() == data["password"]
    assert page.get_by_test_id("accept-agreement").is_checked()

    page.locator('[name="id_number"]').fill(good_id)
    page.get_by_test_id("register-submit").click()
    number_node = page.get_by_test_id("new-number")
    number_node.wait_for(state="visible")
    number = number_node.inner_text().strip()
    assert re.fullmatch(r"\d{11}", number)

    page.get_by_test_id("go-login").click()
    page.wait_for_url("**/login")
    login_subscriber(page, data["email"], data["password"])

    my_number = page.get_by_test_id("my-number")
    page.wait_for_function("document.querySelector('[data-testid=my-number]').textContent.trim() !== ''")
    assert my_number.inner_text().strip() == number
    masked = page.get_by_test_id("my-id-number").inner_text().strip()
    assert re.fullmatch(r"\d{6}\*+\w{4}", masked), masked
    assert masked != good_id
    assert good_id not in page.content()


def test_login_with_number_works_and_rejects_wrong_password(new_context: Any) -> None:
    page = new_context().new_page()
    page.goto("/login")
    page.get_by_test_id("login-login").fill("liming@example.com")
    page.get_by_test_id("login-password").fill("not-the-password")
    page.get_by_test_id("login-submit").click()
    alert = page.get_by_test_id("form-alert")
    alert.wait_for(state="visible")
    assert alert.inner_text().strip()
    assert page.get_by_test_id("login-login").input_value() == "liming@example.com"


def test_english_labels_and_error_messages(new_context: Any) -> None:
    page = new_context().new_page()
    page.goto("/register")
    page.get_by_test_id("lang-en").click()
    page.wait_for_url("**/register")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Register for the video telephone service"
    assert page.locator('label[for="reg-email"]').inner_text().startswith("Email")

    # The agreement's version is a word apart from its link (issue 15: "agreement(version 1)").
    seen = page.locator('label:has(a[href="/agreement"])').evaluate(
        "l => { const c = l.cloneNode(true); c.querySelectorAll('.visually-hidden').forEach((h) => h.remove());"
        " return c.textContent.replace(/\\s+/g, ' ').trim(); }"
    )
    assert re.search(r"agreement \(version \d+\)$", seen), seen

    page.get_by_test_id("register-submit").click()
    name_error = page.locator('[data-error-for="name"]')
    expect_text(name_error)
    assert name_error.inner_text() == "This field is required."
    # Every empty required field says so — not a format error (issue 15).
    for field in ("postal_code", "contact_phone", "email", "password", "birth_date", "id_number"):
        assert page.locator(f'[data-error-for="{field}"]').inner_text() == "This field is required.", field
    assert "Some information is not valid" in page.get_by_test_id("form-alert").inner_text()
    assert re.search(r"service agreement", page.locator('[data-error-for="accept_agreement"]').inner_text())

    page.get_by_test_id("lang-zh").click()
    page.wait_for_url("**/register")
    assert page.get_by_role("heading", level=1).inner_text() == "注册可视电话业务"


def test_organization_switch_shows_organization_fields(new_context: Any) -> None:
    page = new_context().new_page()
    page.goto("/register")
    assert page.locator('[name="credit_code"]').is_hidden()
    page.get_by_test_id("kind-organization").check()
    assert page.locator('[name="credit_code"]').is_visible()
    assert page.locator('[name="legal_representative"]').is_visible()
    assert page.locator('[name="id_number"]').is_hidden()
    page.get_by_test_id("register-submit").click()
    expect_text(page.locator('[data-error-for="credit_code"]'))
    assert page.locator('[data-error-for="id_number"]').inner_text() == ""


def test_register_page_is_usable_on_a_phone(new_context: Any) -> None:
    page = new_context(viewport={"width": 375, "height": 740}).new_page()
    page.goto("/register")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    box = page.locator('[name="email"]').bounding_box()
    assert box is not None and box["width"] > 250


def expect_text(locator: Any, timeout: float = 10_000) -> None:
    """Wait until an element shows some text."""
    locator.wait_for(state="visible", timeout=timeout)
    locator.page.wait_for_function("el => el.textContent.trim() !== ''", arg=locator.element_handle(), timeout=timeout)

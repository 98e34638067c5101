"""Forgotten password in the browser: the emailed link (demo mode writes mails to var/mail) sets a new one."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import RunningApp, login_subscriber, person_data

pytestmark = pytest.mark.e2e


def latest_mail_to(mail_dir: Path, address: str) -> email.message.EmailMessage:
    for path in sorted(mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == address:
            return message  # type: ignore[return-value]
    raise AssertionError(f"no mail to {address} in {mail_dir}")


def test_forgotten_password_is_reset_through_the_emailed_link(new_context: Any, app_server: RunningApp) -> None:
    context = new_context()
    data = person_data()
    created = context.request.post(
        "/api/v1/subscribers",
        data={"kind": "person", "id_type": "resident_id", "accept_agreement": True, **data},
    )
    assert created.status == 201, created.text()
    page = context.new_page()
    page.goto("/login")
    page.get_by_test_id("forgot-link").click()
    page.wait_for_url("**/forgot-password")
    page.get_by_test_id("forgot-login").fill(data["email"])
    page.get_by_test_id("forgot-submit").click()
    page.get_by_test_id("forgot-sent").wait_for(state="visible")

    mail = latest_mail_to(app_server.workdir / "var" / "mail", data["email"])
    body = mail.get_content()
    link = re.search(r"http://\S+/reset-password\?token=\S+", body)
    assert link, body
    page.goto(link.group(0))
    page.get_by_test_id("reset-new-password").fill("short")
    page.get_by_test_id("reset-submit").click()
    expect(page.locator('[data-error-for="new_password"]')).to_have_text(re.compile(r"\S"))
    page.get_by_test_id("reset-new-password").fill("Reset-Passw0rd-2026")
    page.get_by_test_id("reset-submit").click()
    page.get_by_test_id("reset-done").wait_for(state="visible")

    login_subscriber(page, data["email"], "Reset-Passw0rd-2026")
    page.wait_for_function("document.querySelector('[data-testid=my-number]').textContent.trim() !== ''")

"""Identity review across two browsers: a reviewer asks for documents, the subscriber uploads one,
the reviewer verifies, the subscriber sees the result."""

from __future__ import annotations

import json
import struct
import urllib.request
import zlib
from typing import Any

import pytest

from tests.e2e.conftest import login_staff, login_subscriber, person_data

pytestmark = pytest.mark.e2e


def one_pixel_png() -> bytes:
    """A valid 1x1 RGB PNG, built by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x1e\x64\xb4")  # filter byte + one RGB pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def register_via_api(base_url: str, data: dict[str, str]) -> dict[str, Any]:
    agreement = json.loads(urllib.request.urlopen(base_url + "/api/v1/agreement").read())
    body = {
        "kind": "person",
        "id_type": "resident_id",
        "language": "zh-CN",
        "accept_agreement": True,
        "agreement_version": agreement["version"],
        **data,
    }
    request = urllib.request.Request(
        base_url + "/api/v1/subscribers",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 201
        return dict(json.loads(response.read()))


def wait_state(page: Any, testid: str, state: str) -> None:
    page.locator(f'[data-testid="{testid}"][data-state="{state}"]').wait_for(state="visible")


def queue_row(page: Any, number: str) -> Any:
    return page.locator(f'[data-testid="queue-row"][data-number="{number}"]')


def test_reviewer_requests_documents_subscriber_uploads_reviewer_verifies(new_context: Any, base_url: str) -> None:
    data = person_data(name="钱补件")
    created = register_via_api(base_url, data)
    number = created["number"]
    reason = "请上传身份证正反面照片 / please upload both sides of your ID card"

    # The reviewer finds the new registration in the queue and asks for documents.
    reviewer = new_context().new_page()
    login_staff(reviewer, "reviewer")
    reviewer.get_by_test_id("nav-reviews").click()  # staff land on the dashboard
    row = queue_row(reviewer, number)
    row.wait_for()
    assert row.get_by_test_id("queue-documents").inner_text().strip() == "0"
    row.get_by_test_id("queue-open").click()
    reviewer.wait_for_url(f"**/console/subscribers/{created['id']}")
    wait_state(reviewer, "subscriber-review-state", "pending")
    reviewer.get_by_test_id("review-reason").fill(reason)
    reviewer.get_by_test_id("review-request-documents").click()
    wait_state(reviewer, "subscriber-review-state", "documents_requested")
    assert reason in reviewer.get_by_test_id("review-decisions").inner_text()

    # The subscriber, in their own browser, sees the reason and uploads a picture.
    subscriber = new_context().new_page()
    login_subscriber(subscriber, data["email"], data["password"])
    wait_state(subscriber, "review-state", "documents_requested")
    assert subscriber.get_by_test_id("review-reason").inner_text().strip() == reason
    upload = subscriber.get_by_test_id("upload-form")
    assert upload.is_visible()
    subscriber.get_by_test_id("upload-file").set_input_files(
        {"name": "id-card.png", "mimeType": "image/png", "buffer": one_pixel_png()}
    )
    subscriber.get_by_test_id("upload-submit").click()
    subscriber.locator('[data-testid="documents-list"] [data-testid="document-row"]').first.wait_for()
    assert "id-card.png" in subscriber.get_by_test_id("documents-list").inner_text()

    # Back in the queue with one document; the reviewer opens it and verifies.
    reviewer.goto("/console/reviews")
    row = queue_row(reviewer, number)
    row.wait_for()
    assert row.get_by_test_id("queue-documents").inner_text().strip() == "1"
    row.get_by_test_id("queue-open").click()
    link = reviewer.locator('[data-testid="subscriber-documents"] [data-testid="document-link"]')
    link.wait_for()
    assert link.get_attribute("target") == "_blank"
    with reviewer.context.expect_page() as opened:
        link.click()
    document_page = opened.value
    document_page.wait_for_load_state()
    assert document_page.url.endswith(link.get_attribute("href") or "-")
    document_page.close()

    reviewer.get_by_test_id("review-verify").click()
    wait_state(reviewer, "subscriber-review-state", "verified")

    subscriber.reload()
    wait_state(subscriber, "review-state", "verified")
    assert subscriber.get_by_test_id("upload-form").is_hidden()


def test_reviewer_reveals_a_masked_field_with_a_reason(new_context: Any, base_url: str) -> None:
    data = person_data(name="孙查看")
    created = register_via_api(base_url, data)
    page = new_context().new_page()
    login_staff(page, "reviewer")
    # A reviewer has no audit or staff pages.
    page.get_by_test_id("staff-name").wait_for()
    assert page.get_by_test_id("nav-reviews").is_visible()
    assert page.get_by_test_id("nav-audit").is_hidden()
    assert page.get_by_test_id("nav-staff").is_hidden()

    page.goto(f"/console/subscribers/{created['id']}")
    value = page.get_by_test_id("value-id_number")
    page.wait_for_function("document.querySelector('[data-testid=value-id_number]').textContent.includes('*')")
    page.get_by_test_id("reveal-id_number").click()
    page.get_by_test_id("reveal-submit-id_number").click()
    page.locator(
        '[data-testid="reveal-form-id_number"] [data-error-for="reason"], '
        '[data-testid="reveal-form-id_number"] [data-form-alert]'
    ).first.wait_for()
    page.get_by_test_id("reveal-reason-id_number").fill("客户来电核实身份")
    page.get_by_test_id("reveal-submit-id_number").click()
    page.wait_for_function(
        "id => document.querySelector('[data-testid=value-id_number]').textContent === id", arg=data["id_number"]
    )
    assert value.inner_text() == data["id_number"]

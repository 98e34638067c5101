"""Policy versions, identity review and documents on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.factories import person
from tests.support.files import PNG
from videophone.adapters.clock import FakeClock
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.identity.services.subscribers import RequestInfo
from videophone.kernel.errors import InvalidState, PermissionDenied, ValidationFailed


async def staff(c: Container, username: str, role: str) -> Actor:
    view = await c.staff.create(Actor.system(), username, username, "Staff-Passw0rd!", [role])
    return Actor("staff", view.id, "10.0.0.2")


async def test_policy_changes_are_versioned_with_who_and_what(container: Container) -> None:
    admin = await staff(container, "admin", "administrator")
    version, policy = await container.policy.update(admin, {"warranty_years": 3}, reason="新合同", expected_version=1)
    assert (version, policy.warranty_years) == (2, 3)
    history = await container.policy.history()
    assert [(h.version, h.changed_by, h.reason) for h in history] == [(2, admin.id, "新合同"), (1, None, "initial")]
    _, records = await container.audit.search(action="policy.update")
    assert records[0].details["changes"] == {"warranty_years": {"before": 1, "after": 3}}
    # A stale form loses nothing silently:
    with pytest.raises(ValidationFailed) as err:
        await container.policy.update(admin, {"warranty_years": 4}, reason="x", expected_version=1)
    assert err.value.errors[0].code == "policy_changed_meanwhile"
    # … and bad values store nothing:
    with pytest.raises(ValidationFailed):
        await container.policy.update(admin, {"warranty_years": 99}, reason="x")
    assert (await container.policy.get())[0] == 2


async def test_agreement_text_follows_the_policy(container: Container) -> None:
    admin = await staff(container, "admin", "administrator")
    await container.policy.update(admin, {"warranty_years": 3, "late_fee_per_mille_per_day": "0.5"}, reason="r")
    text = (await container.agreement.current()).plain_text()
    assert "3年" in text.replace(" ", "") or "3 年" in text
    assert "千分之0.5" in text.replace(" ", "")


async def test_subscriber_agreement_keeps_the_policy_they_accepted(container: Container) -> None:
    admin = await staff(container, "admin", "administrator")
    view = await container.subscribers.register(person(), RequestInfo())
    await container.policy.update(admin, {"warranty_years": 5}, reason="r")
    details = await container.subscribers.own_agreement_details(view.id)
    doc = await container.agreement.for_subscriber(view.id, details["address"], details["credit_code"])
    flat = doc.plain_text().replace(" ", "")
    assert "保修期限为1年" in flat or "1年" in flat
    assert view.name in flat
    assert "5年" not in flat


async def test_review_with_requested_documents(container: Container, clock: FakeClock) -> None:
    reviewer = await staff(container, "rev", "reviewer")
    view = await container.subscribers.register(person(), RequestInfo())
    me = Actor("subscriber", view.id)
    total, items = await container.review.queue()
    assert (total, items[0].subscriber_id) == (1, view.id)
    with pytest.raises(PermissionDenied):
        await container.review.upload(me, view.id, "id.png", "image/png", PNG)  # nothing requested yet
    with pytest.raises(ValidationFailed):
        await container.review.decide(reviewer, view.id, "request_documents", "")
    assert await container.review.decide(reviewer, view.id, "request_documents", "证件号码与姓名不符") == (
        "documents_requested"
    )
    assert (await container.review.queue())[0] == 0  # waiting for the subscriber
    account = await container.subscribers.account(view.id)
    assert account.review_reason == "证件号码与姓名不符"
    assert "place_calls" not in account.capabilities
    with pytest.raises(InvalidState):
        await container.review.decide(reviewer, view.id, "verify", "")
    with pytest.raises(ValidationFailed) as err:
        await container.review.upload(me, view.id, "id.gif", "image/gif", b"GIF89a....")
    assert err.value.errors[0].code == "upload_type_not_allowed"
    with pytest.raises(ValidationFailed) as err:
        await container.review.upload(me, view.id, "id.png", "application/pdf", PNG)
    assert err.value.errors[0].code == "upload_type_mismatch"
    info = await container.review.upload(me, view.id, "../../身份证.png", "image/png", PNG)
    assert (info.filename, info.content_type, info.size) == ("身份证.png", "image/png", len(PNG))
    total, items = await container.review.queue()
    assert (total, items[0].documents) == (1, 1)
    _doc, content = await container.review.document_content(reviewer, view.id, info.id)
    assert content == PNG
    assert await container.review.decide(reviewer, view.id, "verify", "") == "verified"
    account = await container.subscribers.account(view.id)
    assert (account.review_state, account.review_reason) == ("verified", "")
    decisions = await container.review.decisions(view.id)
    assert [d.action for d in decisions] == ["verify", "request_documents"]
    _, records = await container.audit.search(subject_type="subscriber", subject_id=str(view.id))
    assert {r.action for r in records} >= {
        "review.request_documents",
        "review.document_upload",
        "review.document_view",
        "review.verify",
    }


async def test_oversized_upload_is_refused(container: Container) -> None:
    reviewer = await staff(container, "rev", "reviewer")
    admin = await staff(container, "adm", "administrator")
    await container.policy.update(admin, {"document_max_bytes": 100_000}, reason="r")
    view = await container.subscribers.register(person(), RequestInfo())
    await container.review.decide(reviewer, view.id, "request_documents", "请上传身份证复印件")
    with pytest.raises(ValidationFailed) as err:
        await container.review.upload(
            Actor("subscriber", view.id), view.id, "big.pdf", "application/pdf", b"%PDF-" + b"0" * 100_000
        )
    assert err.value.errors[0].code == "upload_too_large"
    assert await container.review.documents(view.id) == []

"""Terminals and warranty (R-40, R-41) on SQLite and PostgreSQL: inventory, assignment with the warranty
end, terminal tokens on the provisioning endpoint, claims within and outside the warranty, "opened by
others", repair / replacement / denial, the audit trail and the notifications."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.integration.test_billing import subscriber
from tests.support.files import PNG
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import AuditRecord, Notification
from videophone.adapters.db.models_terminals import Terminal, WarrantyPhoto
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.identity.services.subscribers import AccountView
from videophone.kernel.errors import Conflict, InvalidState, NotAuthenticated, NotFound, ValidationFailed

STAFF = Actor("staff", None, "10.0.0.9")
TODAY = date(2026, 11, 1)  # FakeClock's start, in Shanghai


async def installed(c: Container, serial: str = "VP-0001", *, on: date | None = None) -> tuple[AccountView, int, str]:
    """A subscriber with a unit installed on ``on`` (default today): (subscriber, terminal id, token)."""
    sub = await subscriber(c)
    unit = await c.terminals.add(STAFF, serial, "VP-100 Desk")
    issued = await c.terminals.assign(STAFF, unit.id, sub.number, on)
    return sub, unit.id, issued.token


async def claim(
    c: Container, sub: AccountView, terminal_id: int, text: str = "The screen stays black after start."
) -> int:
    view = await c.terminals.file_claim(STAFF, sub.id, terminal_id, text, [("front.png", "image/png", PNG)])
    return view.id


async def audit_actions(c: Container) -> list[str]:
    async with c.deps.uow() as uow:
        return list(await uow.session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)))


async def notice_kinds(c: Container, subscriber_id: int) -> list[str]:
    async with c.deps.uow() as uow:
        return list(
            await uow.session.scalars(
                select(Notification.kind).where(Notification.subscriber_id == subscriber_id).order_by(Notification.id)
            )
        )


async def test_inventory_and_assignment_set_the_warranty_end(container: Container) -> None:
    c = container
    unit = await c.terminals.add(STAFF, "vp 0001", "VP-100 Desk")
    assert (unit.serial, unit.state, unit.owner, unit.warranty_end) == ("VP0001", "in_stock", "operator", None)
    with pytest.raises(Conflict):
        await c.terminals.add(STAFF, "VP0001", "Other")
    sub = await subscriber(c)
    with pytest.raises(ValidationFailed):
        await c.terminals.assign(STAFF, unit.id, "99999999", None)
    with pytest.raises(ValidationFailed):
        await c.terminals.assign(STAFF, unit.id, sub.number, TODAY + timedelta(days=1))
    issued = await c.terminals.assign(STAFF, unit.id, sub.number, date(2024, 2, 29))
    t = issued.terminal
    assert (t.state, t.subscriber_number, t.installed_on) == ("assigned", sub.number, date(2024, 2, 29))
    assert t.warranty_end == date(2025, 2, 28)  # one year (policy default), Feb 29 → Feb 28
    assert not t.in_warranty and t.has_token and len(issued.token) > 30
    with pytest.raises(InvalidState):
        await c.terminals.assign(STAFF, unit.id, sub.number, None)  # already assigned
    corrected = await c.terminals.set_installation(STAFF, unit.id, date(2026, 6, 1))
    assert corrected.warranty_end == date(2027, 6, 1) and corrected.in_warranty
    mine, _ = await c.terminals.mine(sub.id)
    assert [m.serial for m in mine] == ["VP0001"]
    total, items = await c.terminals.inventory(query=sub.number)
    assert total == 1 and items[0].id == unit.id
    assert {"terminal.add", "terminal.assign", "terminal.installation_date"} <= set(await audit_actions(c))
    assert "terminal_assigned" in await notice_kinds(c, sub.id)


async def test_the_terminal_token_authenticates_provisioning_and_can_be_revoked(container: Container) -> None:
    c = container
    sub, terminal_id, token = await installed(c)
    info = await c.terminals.provisioning(token)
    assert (info.serial, info.number, info.release, info.upgrade) == ("VP-0001", sub.number, None, False)
    await c.releases.publish(STAFF, "terminal", "2.1.0", "Better echo cancelling", True)
    info = await c.terminals.provisioning(token, "2.0.9")
    assert info.release is not None and info.release.version == "2.1.0" and info.upgrade and info.mandatory
    assert not (await c.terminals.provisioning(token, "2.1.0")).upgrade
    async with c.deps.uow() as uow:
        row = await uow.session.get(Terminal, terminal_id)
        assert row is not None and row.reported_version == "2.1.0" and row.token_hash != token  # stored hashed
    with pytest.raises(NotAuthenticated):
        await c.terminals.provisioning("not-a-token")
    reissued = await c.terminals.reissue_token(STAFF, terminal_id)
    with pytest.raises(NotAuthenticated):
        await c.terminals.provisioning(token)  # the old one stopped working
    assert (await c.terminals.provisioning(reissued.token)).serial == "VP-0001"
    await c.terminals.revoke_token(STAFF, terminal_id)
    with pytest.raises(NotAuthenticated):
        await c.terminals.provisioning(reissued.token)
    assert {"terminal.token_issue", "terminal.token_revoke"} <= set(await audit_actions(c))


async def test_a_claim_within_the_warranty_is_accepted_with_its_photos(container: Container) -> None:
    c = container
    sub, terminal_id, _ = await installed(c)
    claim_id = await claim(c, sub, terminal_id)
    _, claims = await c.terminals.mine(sub.id)
    assert [(x.id, x.state, x.warranty_end, len(x.photos)) for x in claims] == [
        (claim_id, "submitted", date(2027, 11, 1), 1)
    ]
    content_type, content = await c.terminals.photo(claim_id, claims[0].photos[0].id, sub.id)
    assert (content_type, content) == ("image/png", PNG)
    async with c.deps.uow() as uow:
        stored = await uow.session.scalar(select(WarrantyPhoto.content_enc))
        assert stored is not None and PNG not in stored  # sealed at rest
    other = await subscriber(c)
    with pytest.raises(NotFound):
        await c.terminals.photo(claim_id, claims[0].photos[0].id, other.id)
    with pytest.raises(NotFound):
        await claim(c, other, terminal_id)  # not their terminal
    with pytest.raises(InvalidState) as pending:
        await claim(c, sub, terminal_id)
    assert pending.value.code == "warranty_claim_pending"
    with pytest.raises(ValidationFailed):
        await c.terminals.file_claim(STAFF, sub.id, terminal_id, "The screen is black.", [])
    assert "warranty_claim_filed" in await notice_kinds(c, sub.id)
    assert "warranty.claim" in await audit_actions(c)


async def test_a_claim_after_the_warranty_is_refused_with_the_date(container: Container, clock: FakeClock) -> None:
    c = container
    sub, terminal_id, _ = await installed(c, on=date(2025, 10, 31))  # warranty ends 2026-10-31
    with pytest.raises(InvalidState) as refused:
        await claim(c, sub, terminal_id)
    assert refused.value.code == "warranty_expired" and refused.value.params == {"date": "2026-10-31"}
    _, claims = await c.terminals.mine(sub.id)
    assert claims == []  # nothing stored
    # On the last day (Shanghai calendar) it is still accepted.
    clock.set(clock.now() - timedelta(days=1))
    assert await claim(c, sub, terminal_id) > 0


async def test_opened_by_others_voids_the_warranty_at_once(container: Container) -> None:
    c = container
    sub, terminal_id, _ = await installed(c)
    claim_id = await claim(c, sub, terminal_id)
    view = await c.terminals.mark_opened(STAFF, terminal_id, "Seal broken, screws replaced")
    assert view.voided_on == TODAY and not view.in_warranty
    with pytest.raises(InvalidState):
        await c.terminals.mark_opened(STAFF, terminal_id, "again")
    # The open claim can no longer be repaired or replaced; it is denied for the excluded cause.
    with pytest.raises(InvalidState) as voided:
        await c.terminals.decide(STAFF, claim_id, "repair", "defect", "")
    assert voided.value.code == "warranty_voided"
    decided = await c.terminals.decide(STAFF, claim_id, "deny", "opened_sealed_unit", "The seal was broken.")
    assert decided.claim.state == "denied"
    with pytest.raises(InvalidState) as refused:
        await claim(c, sub, terminal_id)
    assert refused.value.code == "warranty_voided" and refused.value.params == {"date": TODAY.isoformat()}
    assert "terminal_warranty_voided" in await notice_kinds(c, sub.id)


async def test_replacement_keeps_the_warranty_end_and_returns_the_old_unit_to_stock(
    container: Container, clock: FakeClock
) -> None:
    c = container
    sub, old_id, old_token = await installed(c, on=date(2026, 5, 20))
    spare = await c.terminals.add(STAFF, "VP-0002", "VP-100 Desk")
    clock.advance(timedelta(days=30))
    claim_id = await claim(c, sub, old_id)
    with pytest.raises(ValidationFailed):
        await c.terminals.decide(STAFF, claim_id, "replace", "defect", "", "VP-0001")  # not in stock
    with pytest.raises(ValidationFailed):
        await c.terminals.decide(STAFF, claim_id, "replace", "defect", "", "")
    decided = await c.terminals.decide(STAFF, claim_id, "replace", "shipping_damage", "New unit sent.", "vp-0002")
    assert decided.claim.state == "replaced" and decided.claim.replacement_serial == "VP-0002"
    assert decided.replacement_token
    mine, claims = await c.terminals.mine(sub.id)
    assert [(m.serial, m.warranty_end, m.replaces_serial) for m in mine] == [("VP-0002", date(2027, 5, 20), "VP-0001")]
    assert claims[0].cause == "shipping_damage"
    _, stock = await c.terminals.inventory(state="returned")
    assert [(u.id, u.owner, u.subscriber_id, u.has_token) for u in stock] == [(old_id, "operator", None, False)]
    with pytest.raises(NotAuthenticated):
        await c.terminals.provisioning(old_token)
    assert (await c.terminals.provisioning(decided.replacement_token or "")).serial == "VP-0002"
    with pytest.raises(InvalidState):
        await c.terminals.decide(STAFF, claim_id, "repair", "defect", "")  # decided once
    with pytest.raises(InvalidState):
        await c.terminals.set_installation(STAFF, spare.id, date(2026, 11, 1))  # a replacement keeps the end
    assert "warranty.replace" in await audit_actions(c)
    assert "warranty_claim_replaced" in await notice_kinds(c, sub.id)


async def test_repair_keeps_the_end_and_denial_needs_an_excluded_cause_with_reason(container: Container) -> None:
    c = container
    sub, terminal_id, _ = await installed(c)
    first = await claim(c, sub, terminal_id)
    repaired = await c.terminals.decide(STAFF, first, "repair", "defect", "Camera module swapped.")
    assert repaired.claim.state == "repaired" and repaired.claim.warranty_end == date(2027, 11, 1)
    mine, _ = await c.terminals.mine(sub.id)
    assert mine[0].warranty_end == date(2027, 11, 1) and mine[0].state == "assigned"
    second = await claim(c, sub, terminal_id, "Dropped it, the case cracked.")
    with pytest.raises(ValidationFailed):
        await c.terminals.decide(STAFF, second, "deny", "shipping_damage", "Damaged in the box")  # covered
    with pytest.raises(ValidationFailed):
        await c.terminals.decide(STAFF, second, "deny", "accident", "")  # no reason
    denied = await c.terminals.decide(STAFF, second, "deny", "accident", "Impact damage from a fall.")
    assert (denied.claim.state, denied.claim.cause, denied.claim.note) == (
        "denied",
        "accident",
        "Impact damage from a fall.",
    )
    total, open_count, items = await c.terminals.queue()
    assert (total, open_count) == (2, 0) and {i.id for i in items} == {first, second}
    kinds = await notice_kinds(c, sub.id)
    assert {"warranty_claim_repaired", "warranty_claim_denied"} <= set(kinds)
    assert {"warranty.repair", "warranty.deny"} <= set(await audit_actions(c))

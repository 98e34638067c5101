"""Video voicemail (R-18) on SQLite and PostgreSQL, with the recordings in the local blob store (and, in
``test_voicemail_s3``, in a real SeaweedFS S3 server): deposits from ``open_deposit``, leaving,
playing, reading and deleting messages, the caps, retention with the clock, the account's end, the
console's clear, and what a message costs when the policy rates it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.integration.test_orders import subscriber
from tests.support.voicemail import diverted_call, parties, set_policy
from tests.support.webm import webm
from videophone.adapters.blobs import OVERHEAD
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import AuditRecord, CallCharge, CallRecord, Notification, Subscriber
from videophone.adapters.db.models_voicemail import VoicemailBox, VoicemailDeposit, VoicemailMessage
from videophone.bootstrap import Container
from videophone.calling.domain import voicemail as rules
from videophone.common.deps import Actor
from videophone.kernel.errors import Conflict, InvalidState, NotFound, ValidationFailed

TEN_SECONDS = webm(10_000, frame_bytes=400)


def blob_dir(tmp_path: Path) -> Path:
    return tmp_path / "blobs"  # the container fixture's data dir is tmp_path


async def count(c: Container, model: type, *where: object) -> int:
    async with c.deps.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


async def test_a_deposit_needs_the_feature_and_room_and_stores_only_a_hash(container: Container) -> None:
    c = container
    caller, callee = await parties(c, voicemail=False)
    _, none = await diverted_call(c, caller, callee)
    assert none is None  # no voicemail feature: nothing to divert to

    caller, callee = await parties(c)
    call_id, deposit = await diverted_call(c, caller, callee)
    assert deposit is not None and deposit.max_seconds == 60 and deposit.greeting_url is None
    assert len(deposit.token) >= 40
    async with c.deps.uow() as uow:
        row = (await uow.session.scalars(select(VoicemailDeposit).where(VoicemailDeposit.call_id == call_id))).one()
    assert row.token_hash == rules.token_hash(deposit.token) and deposit.token not in row.token_hash
    assert (row.caller_id, row.callee_id, row.used_at) == (caller.id, callee.id, None)
    assert row.expires_at - c.deps.clock.now() == timedelta(seconds=60) + rules.DEPOSIT_GRACE

    await set_policy(c, voicemail_max_messages=1)
    await c.voicemail.leave(caller.id, deposit.token, TEN_SECONDS)
    _, full = await diverted_call(c, caller, callee)
    assert full is None  # the mailbox holds as many messages as the policy allows


async def test_a_message_is_left_once_encrypted_notified_played_read_and_deleted(
    container: Container, tmp_path: Path
) -> None:
    c = container
    caller, callee = await parties(c)
    call_id, deposit = await diverted_call(c, caller, callee)
    assert deposit is not None

    left = await c.voicemail.leave(caller.id, deposit.token, TEN_SECONDS)
    assert (left.duration_seconds, left.size_bytes) == (10, len(TEN_SECONDS))
    # A token works once.
    with pytest.raises(Conflict) as again:
        await c.voicemail.leave(caller.id, deposit.token, TEN_SECONDS)
    assert again.value.code == "voicemail_deposit_used"

    # Stored encrypted at rest, under the callee's folder.
    stored = (blob_dir(tmp_path) / "voicemail" / str(callee.id) / left.id).read_bytes()
    assert (
        len(stored) == len(TEN_SECONDS) + OVERHEAD
        and TEN_SECONDS[:64] not in stored
        and not stored.startswith(b"\x1a\x45")
    )

    box = await c.voicemail.mailbox(callee.id)
    assert (box.total, box.unread, box.message_count, box.used_bytes, box.subscribed) == (
        1,
        1,
        1,
        len(TEN_SECONDS),
        True,
    )
    item = box.items[0]
    assert (item.id, item.caller_number, item.duration_seconds, item.read) == (left.id, caller.number, 10, False)
    assert item.expires_at - item.left_at == timedelta(days=30)
    assert await c.voicemail.unread(callee.id) == 1

    # The call record has its own outcome; leaving a message is free by default.
    async with c.deps.uow() as uow:
        record = await uow.session.get(CallRecord, call_id)
        notes = list(await uow.session.scalars(select(Notification).where(Notification.subscriber_id == callee.id)))
    assert record is not None and (record.outcome, record.billable_seconds) == ("voicemail_left", 0)
    assert [(n.kind, n.params["caller_en"], n.params["seconds"]) for n in notes] == [
        ("voicemail_left", caller.number, 10)
    ]
    history = await c.calls.history(caller.id, direction="all", since=None, until=None, offset=0, limit=10)
    assert [i.outcome for i in history[1]] == ["voicemail_left"]

    # Only the owner plays it.
    played = await c.voicemail.play(callee.id, left.id)
    assert (played.data, played.content_type) == (TEN_SECONDS, "video/webm")
    for who in (caller.id, callee.id + 1000):
        with pytest.raises(NotFound):
            await c.voicemail.play(who, left.id)
    with pytest.raises(NotFound):
        await c.voicemail.delete(caller.id, left.id)

    read = await c.voicemail.mark_read(callee.id, left.id)
    assert read.read and await c.voicemail.unread(callee.id) == 0

    await c.voicemail.delete(callee.id, left.id)
    assert not (blob_dir(tmp_path) / "voicemail" / str(callee.id) / left.id).exists()
    assert (await c.voicemail.mailbox(callee.id)).total == 0
    with pytest.raises(NotFound):
        await c.voicemail.play(callee.id, left.id)


async def test_what_is_not_an_acceptable_recording_is_refused_and_the_token_kept(
    container: Container, tmp_path: Path, clock: FakeClock
) -> None:
    c = container
    caller, callee = await parties(c)
    stranger, _ = await subscriber(c)
    _, deposit = await diverted_call(c, caller, callee)
    assert deposit is not None
    await set_policy(c, voicemail_max_bytes=1_000_000)

    cases = [
        (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100, "voicemail_not_webm"),
        (b"<html>not a video</html>", "voicemail_not_webm"),
        (webm(5000, video=False), "voicemail_no_video"),
        (webm(70_000, frame_bytes=1), "voicemail_too_long"),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 1_000_000, "voicemail_too_large"),
        (b"", "voicemail_empty"),
    ]
    for data, code in cases:
        with pytest.raises(ValidationFailed) as err:
            await c.voicemail.leave(caller.id, deposit.token, data)
        assert code in [e.code for e in err.value.errors], (code, err.value.errors)
    # Someone else's token, or none at all, is simply unknown.
    for who, token in ((stranger.id, deposit.token), (caller.id, "x" * 43), (caller.id, "short")):
        with pytest.raises(NotFound):
            await c.voicemail.leave(who, token, TEN_SECONDS)
    assert await count(c, VoicemailMessage) == 0
    assert not (blob_dir(tmp_path) / "voicemail" / str(callee.id)).exists() or not any(
        (blob_dir(tmp_path) / "voicemail" / str(callee.id)).iterdir()
    )

    # The refusals did not use the token; it still works until it expires.
    await c.voicemail.leave(caller.id, deposit.token, TEN_SECONDS)
    _, late = await diverted_call(c, caller, callee)
    assert late is not None
    clock.advance(timedelta(seconds=60) + rules.DEPOSIT_GRACE)
    with pytest.raises(Conflict) as err2:
        await c.voicemail.leave(caller.id, late.token, TEN_SECONDS)
    assert err2.value.code == "voicemail_deposit_expired"


async def test_the_storage_cap_is_checked_when_the_message_arrives(container: Container, tmp_path: Path) -> None:
    c = container
    caller, callee = await parties(c)
    await set_policy(c, voicemail_quota_bytes=1_000_000, voicemail_max_bytes=1_000_000)
    big = webm(10_000, frame_bytes=6000)  # ~600 kB
    assert 500_000 < len(big) < 1_000_000
    _, first = await diverted_call(c, caller, callee)
    _, second = await diverted_call(c, caller, callee)
    assert first is not None and second is not None  # both issued while the mailbox was empty
    await c.voicemail.leave(caller.id, first.token, big)
    with pytest.raises(Conflict) as err:
        await c.voicemail.leave(caller.id, second.token, big)
    assert err.value.code == "voicemail_mailbox_full"
    assert await count(c, VoicemailMessage) == 1
    assert len(list((blob_dir(tmp_path) / "voicemail" / str(callee.id)).iterdir())) == 1  # no orphan recording
    _, third = await diverted_call(c, caller, callee)
    assert third is not None  # 600 kB of 1 MB used: room for a smaller message


async def test_messages_expire_after_the_retention_period(
    container: Container, clock: FakeClock, tmp_path: Path
) -> None:
    c = container
    caller, callee = await parties(c)
    _, d1 = await diverted_call(c, caller, callee)
    assert d1 is not None
    old = await c.voicemail.leave(caller.id, d1.token, TEN_SECONDS)
    clock.advance(timedelta(days=10))
    _, d2 = await diverted_call(c, caller, callee)
    assert d2 is not None
    new = await c.voicemail.leave(caller.id, d2.token, TEN_SECONDS)
    folder = blob_dir(tmp_path) / "voicemail" / str(callee.id)

    clock.advance(timedelta(days=20) - timedelta(seconds=1))
    first = await c.voicemail_admin.expire_due()
    assert (first["expired"], first["deposits_forgotten"]) == (0, 2)  # both deposits expired days ago
    clock.advance(timedelta(seconds=1))  # 30 days after the first
    assert (await c.voicemail_admin.expire_due())["expired"] == 1
    assert [m.id for m in (await c.voicemail.mailbox(callee.id)).items] == [new.id]
    assert not (folder / old.id).exists() and (folder / new.id).exists()

    clock.advance(timedelta(days=10))
    assert (await c.voicemail_admin.expire_due())["expired"] == 1
    assert (await c.voicemail.mailbox(callee.id)).total == 0 and not (folder / new.id).exists()
    assert await count(c, VoicemailDeposit) == 0
    assert (await c.voicemail_admin.expire_due()) == {"expired": 0, "closed_mailboxes": 0, "deposits_forgotten": 0}


async def test_the_greeting(container: Container) -> None:
    c = container
    caller, callee = await parties(c)
    loner, _ = await subscriber(c)
    with pytest.raises(InvalidState):
        await c.voicemail.set_greeting(loner.id, webm(3000))  # only while subscribed
    greeting = webm(3000)
    box = await c.voicemail.set_greeting(callee.id, greeting)
    assert (box.greeting, box.greeting_seconds) == (True, 3)
    _, deposit = await diverted_call(c, caller, callee)
    assert deposit is not None and deposit.greeting_url == f"/api/v1/voicemail/deposits/{deposit.token}/greeting"
    assert (await c.voicemail.greeting_for_deposit(caller.id, deposit.token)).data == greeting
    with pytest.raises(NotFound):
        await c.voicemail.greeting_for_deposit(loner.id, deposit.token)
    with pytest.raises(ValidationFailed):
        await c.voicemail.set_greeting(callee.id, b"GIF89a")
    await c.voicemail.leave(caller.id, deposit.token, TEN_SECONDS)
    with pytest.raises(Conflict):  # the token is used: the greeting is no longer served with it
        await c.voicemail.greeting_for_deposit(caller.id, deposit.token)
    assert (await c.voicemail.delete_greeting(callee.id)).greeting is False
    with pytest.raises(NotFound):
        await c.voicemail.greeting(callee.id)


async def test_the_mailbox_goes_with_the_account(container: Container, tmp_path: Path) -> None:
    c = container
    caller, callee = await parties(c)
    _, deposit = await diverted_call(c, caller, callee)
    assert deposit is not None
    await c.voicemail.leave(caller.id, deposit.token, TEN_SECONDS)
    await c.voicemail.set_greeting(callee.id, webm(2000))
    folder = blob_dir(tmp_path) / "voicemail" / str(callee.id)
    assert len(list(folder.iterdir())) == 2

    await c.termination.operator_terminate(Actor("staff", None, "10.0.0.3"), callee.id, reason="breach", note="测试")
    assert not folder.exists()
    assert await count(c, VoicemailMessage, VoicemailMessage.callee_id == callee.id) == 0
    assert await count(c, VoicemailBox, VoicemailBox.subscriber_id == callee.id) == 0

    # The retention job catches a terminated account whose mailbox survived (the reaction failed).
    caller2, callee2 = await parties(c)
    _, d2 = await diverted_call(c, caller2, callee2)
    assert d2 is not None
    await c.voicemail.leave(caller2.id, d2.token, TEN_SECONDS)
    async with c.deps.uow() as uow:
        sub = await uow.session.get(Subscriber, callee2.id)
        assert sub is not None
        sub.service_state = "terminated"
        await uow.commit()
    assert (await c.voicemail_admin.expire_due())["closed_mailboxes"] == 1
    assert await count(c, VoicemailMessage) == 0


async def test_support_clears_a_mailbox_with_a_reason_audited(container: Container, tmp_path: Path) -> None:
    c = container
    caller, callee = await parties(c)
    for _ in range(2):
        _, deposit = await diverted_call(c, caller, callee)
        assert deposit is not None
        await c.voicemail.leave(caller.id, deposit.token, TEN_SECONDS)
    staff = Actor("staff", 7, "10.0.0.9")
    with pytest.raises(ValidationFailed) as err:
        await c.voicemail_admin.clear(staff, callee.id, reason="  ")
    assert [(e.field, e.code) for e in err.value.errors] == [("reason", "required")]
    with pytest.raises(NotFound):
        await c.voicemail_admin.clear(staff, 10**9, reason="法院协助执行通知书")
    assert (await c.voicemail_admin.summary(callee.id)).messages == 2

    view = await c.voicemail_admin.clear(staff, callee.id, reason="法院协助执行通知书", reference="(2026)京0108执123号")
    assert (view.messages, view.used_bytes, view.subscribed) == (0, 0, True)
    assert not any((blob_dir(tmp_path) / "voicemail" / str(callee.id)).iterdir())
    async with c.deps.uow() as uow:
        audit = (await uow.session.scalars(select(AuditRecord).where(AuditRecord.action == "voicemail.clear"))).one()
    assert (audit.actor_id, audit.subject_id) == (7, str(callee.id))
    assert audit.details["reason"] == "法院协助执行通知书" and audit.details["messages"] == 2


@pytest.mark.parametrize("rated", [0, 1])
async def test_a_message_costs_the_caller_only_when_the_policy_says_so(container: Container, rated: int) -> None:
    c = container
    caller, callee = await parties(c)
    if rated:  # free is the default
        await set_policy(c, voicemail_deposit_rated=rated)
    call_id, deposit = await diverted_call(c, caller, callee)
    assert deposit is not None
    await c.voicemail.leave(caller.id, deposit.token, webm(12_300))
    async with c.deps.uow() as uow:
        record = await uow.session.get(CallRecord, call_id)
        charge = await uow.session.get(CallCharge, call_id)
    assert record is not None and record.outcome == "voicemail_left"
    if not rated:
        assert record.billable_seconds == 0 and charge is None
        return
    assert record.billable_seconds == 13  # 12.3 s, rounded up
    assert charge is not None and charge.subscriber_id == caller.id and charge.rated_seconds >= 13

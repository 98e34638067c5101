"""Video voicemail (R-18, 篇2 §6.3): leaving a message with a deposit token, the mailbox (list, unread
count, playback, mark read, delete) and the greeting.  Rules in ``domain.voicemail`` and
``domain.webm``; rows in ``store.voicemail``; recordings in the blob store (``deps.blobs``: encrypted at
rest, local directory or S3) under ``voicemail/<callee id>/<message id>``.  Retention, the account's
end and the console are ``services.voicemail_admin``.

**Rows and blobs.** A message's recording is stored first, then its row is written in one transaction
with everything that goes with it (the deposit used, the storage cap checked under the mailbox's lock,
the call record's outcome, the callee's notification).  If that transaction fails, the recording is
deleted again; so a row always has its recording.  Deleting goes the other way: the recording first,
then the row, so that a failure leaves a row to try again with (deleting a missing blob is no error).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy.exc import IntegrityError

from videophone.adapters.blobs import BlobCorrupt, BlobNotFound, BlobStore, BlobStoreError
from videophone.adapters.db.models_voicemail import VoicemailDeposit, VoicemailMessage
from videophone.adapters.db.uow import UnitOfWork
from videophone.calling.domain import voicemail as rules
from videophone.calling.domain import webm
from videophone.calling.domain.features import Feature
from videophone.calling.services import entitlements
from videophone.calling.services.voicemail_deposits import limits_of
from videophone.calling.store import voicemail as store
from videophone.common import policy as policy_service
from videophone.common.deps import Deps
from videophone.kernel.errors import (
    Conflict,
    FieldError,
    InvalidState,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
)
from videophone.kernel.events import CallsEnded
from videophone.notices.public import notifications

log = structlog.get_logger(__name__)

MAX_PAGE = 100
INSPECT_INLINE = 512 * 1024  # larger recordings are read in a worker thread


@dataclass(frozen=True)
class MessageView:
    id: str
    caller_number: str  # "" when the call withheld it (caller ID, R-16)
    caller_name: str
    duration_seconds: int
    size_bytes: int
    left_at: datetime
    read: bool
    expires_at: datetime


@dataclass(frozen=True)
class MailboxView:
    total: int
    items: list[MessageView]
    unread: int
    message_count: int
    used_bytes: int
    quota_bytes: int
    max_messages: int
    max_seconds: int
    retention_days: int
    subscribed: bool  # has the voicemail feature now (calls are diverted to this mailbox)
    greeting: bool  # a greeting of their own (else the default)
    greeting_seconds: int


@dataclass(frozen=True)
class MessageLeft:
    id: str
    duration_seconds: int
    size_bytes: int


@dataclass(frozen=True)
class Recording:
    data: bytes
    content_type: str


def _view(row: store.MessageRow) -> MessageView:
    return MessageView(
        row.id,
        row.caller_number,
        row.caller_name,
        rules.seconds_of(row.duration_ms),
        row.size_bytes,
        row.left_at,
        row.read_at is not None,
        row.expires_at,
    )


async def read_recording(data: bytes) -> webm.WebmInfo:
    """What ``data`` is, by its bytes (:class:`ValidationFailed` unless a WebM with video)."""
    try:
        if len(data) > INSPECT_INLINE:
            return await asyncio.to_thread(webm.inspect, data)
        return webm.inspect(data)
    except webm.NotWebm as exc:
        raise ValidationFailed([FieldError("video", exc.code)]) from None


async def fetch(blobs: BlobStore, key: str, missing: str) -> bytes:
    try:
        return await blobs.get(key)
    except BlobNotFound:
        raise NotFound(missing) from None
    except BlobCorrupt:
        log.error("a voicemail recording does not decrypt", key=key)
        raise NotFound(missing) from None
    except BlobStoreError as exc:
        raise ServiceUnavailable("voicemail_storage_unavailable") from exc


async def remove(blobs: BlobStore, key: str) -> None:
    try:
        await blobs.delete(key)
    except BlobStoreError as exc:
        raise ServiceUnavailable("voicemail_storage_unavailable") from exc


class VoicemailService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    @property
    def blobs(self) -> BlobStore:
        return self.deps.blobs

    # -- leaving a message (the caller) -----------------------------------------------------------------
    async def _usable_deposit(self, uow: UnitOfWork, caller_id: int, token: str, now: datetime) -> VoicemailDeposit:
        """The caller's deposit for ``token`` if it may still be used; a token of someone else is as
        unknown as no token at all."""
        dep = await store.deposit(uow.session, rules.token_hash(token)) if 16 <= len(token) <= 128 else None
        if dep is None or dep.caller_id != caller_id:
            raise NotFound("voicemail_deposit_not_found")
        if dep.used_at is not None:
            raise Conflict("voicemail_deposit_used")
        if not rules.deposit_usable(dep.expires_at, dep.used_at, now):
            raise Conflict("voicemail_deposit_expired")
        return dep

    async def leave(self, caller_id: int, token: str, data: bytes) -> MessageLeft:
        """Leave the recording ``data`` in the mailbox ``token`` opens (once).  The content must be a
        WebM with video within the policy's length and size, and fit in the mailbox."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            dep = await self._usable_deposit(uow, caller_id, token, now)
            _, pol = await policy_service.current(uow)
        limits = limits_of(pol)
        if not data or len(data) > limits.max_bytes:
            raise ValidationFailed(rules.message_errors(len(data), 0, dep.max_seconds, limits.max_bytes))
        info = await read_recording(data)
        errors = rules.message_errors(len(data), info.duration_ms, dep.max_seconds, limits.max_bytes)
        if errors:
            raise ValidationFailed(errors)
        message_id = secrets.token_hex(16)
        key = rules.message_key(dep.callee_id, message_id)
        try:
            await self.blobs.put(key, data, rules.CONTENT_TYPE)
        except BlobStoreError as exc:
            raise ServiceUnavailable("voicemail_storage_unavailable") from exc
        try:
            seconds = await self._record(dep, rules.token_hash(token), caller_id, message_id, len(data), info, now)
        except BaseException:
            with contextlib.suppress(Exception):
                await self.blobs.delete(key)
            raise
        return MessageLeft(message_id, seconds, len(data))

    async def _record(
        self,
        dep: VoicemailDeposit,
        token_hash: str,
        caller_id: int,
        message_id: str,
        size: int,
        info: webm.WebmInfo,
        now: datetime,
    ) -> int:
        """The message's row and what goes with it, in one transaction (see the module doc)."""
        async with self.deps.uow() as uow:
            s = uow.session
            if not await store.use_deposit(s, token_hash, caller_id, now):
                raise Conflict("voicemail_deposit_used")
            await store.lock_box(s, dep.callee_id)
            _, pol = await policy_service.current(uow)
            limits = limits_of(pol)
            if not rules.fits(await store.usage_of(s, dep.callee_id), size, limits):
                raise Conflict("voicemail_mailbox_full")
            s.add(
                VoicemailMessage(
                    id=message_id,
                    callee_id=dep.callee_id,
                    caller_id=caller_id,
                    call_id=dep.call_id,
                    duration_ms=info.duration_ms,
                    size_bytes=size,
                    content_type=rules.CONTENT_TYPE,
                    left_at=now,
                    read_at=None,
                    expires_at=rules.expires_at(now, limits.retention_days),
                )
            )
            try:
                await s.flush()
            except IntegrityError:
                raise Conflict("voicemail_deposit_used") from None  # a message for this call exists
            billable = rules.billable_seconds(info.duration_ms, limits)
            await store.record_message_left(s, dep.call_id, caller_id, dep.callee_id, billable)
            caller = await store.caller_number_of_call(s, dep.call_id)
            seconds = rules.seconds_of(info.duration_ms)
            await notifications.notify(
                uow,
                now,
                dep.callee_id,
                "voicemail_left",
                {
                    "caller_zh": caller or "号码未显示",
                    "caller_en": caller or "Number withheld",
                    "seconds": seconds,
                    "time": now.astimezone(self.deps.operator_tz).strftime("%Y-%m-%d %H:%M"),
                },
            )
            if billable:
                await uow.publish(CallsEnded((dep.call_id,)))  # rated (and the credit limit) once committed
            try:
                await uow.commit()
            except IntegrityError:
                raise Conflict("voicemail_deposit_used") from None  # a message for this call exists
        return seconds

    async def greeting_for_deposit(self, caller_id: int, token: str) -> Recording:
        """The callee's own greeting, for the caller holding a usable deposit into their mailbox."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            dep = await self._usable_deposit(uow, caller_id, token, now)
            box = await store.box_of(uow.session, dep.callee_id)
        if box is None or not box.greeting_content_type:
            raise NotFound("voicemail_greeting_not_found")
        data = await fetch(self.blobs, rules.greeting_key(dep.callee_id), "voicemail_greeting_not_found")
        return Recording(data, box.greeting_content_type)

    # -- the mailbox (its owner) -------------------------------------------------------------------------
    async def mailbox(self, subscriber_id: int, *, offset: int = 0, limit: int = 50) -> MailboxView:
        limit = max(1, min(MAX_PAGE, limit))
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            s = uow.session
            total, rows = await store.messages_of(s, subscriber_id, offset=max(0, offset), limit=limit)
            usage = await store.usage_of(s, subscriber_id)
            unread = await store.unread_count(s, subscriber_id)
            box = await store.box_of(s, subscriber_id)
            subscribed = await entitlements.has(uow, self.deps, subscriber_id, Feature.VOICEMAIL, now)
            _, pol = await policy_service.current(uow)
        return MailboxView(
            total=total,
            items=[_view(r) for r in rows],
            unread=unread,
            message_count=usage.messages,
            used_bytes=usage.bytes,
            quota_bytes=pol.voicemail_quota_bytes,
            max_messages=pol.voicemail_max_messages,
            max_seconds=pol.voicemail_max_seconds,
            retention_days=pol.voicemail_retention_days,
            subscribed=subscribed,
            greeting=box is not None and bool(box.greeting_content_type),
            greeting_seconds=box.greeting_seconds if box is not None else 0,
        )

    async def unread(self, subscriber_id: int) -> int:
        async with self.deps.uow() as uow:
            return await store.unread_count(uow.session, subscriber_id)

    async def _own(self, uow: UnitOfWork, subscriber_id: int, message_id: str) -> store.MessageRow:
        row = await store.message_of(uow.session, subscriber_id, message_id) if len(message_id) == 32 else None
        if row is None:
            raise NotFound("voicemail_message_not_found")
        return row

    async def play(self, subscriber_id: int, message_id: str) -> Recording:
        """A message's recording — only for the mailbox's owner (anyone else: not found)."""
        async with self.deps.uow() as uow:
            row = await self._own(uow, subscriber_id, message_id)
        data = await fetch(self.blobs, rules.message_key(subscriber_id, row.id), "voicemail_message_not_found")
        return Recording(data, row.content_type)

    async def mark_read(self, subscriber_id: int, message_id: str) -> MessageView:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            await self._own(uow, subscriber_id, message_id)
            await store.mark_read(uow.session, subscriber_id, message_id, now)
            row = await self._own(uow, subscriber_id, message_id)
            await uow.commit()
        return _view(row)

    async def delete(self, subscriber_id: int, message_id: str) -> None:
        async with self.deps.uow() as uow:
            row = await self._own(uow, subscriber_id, message_id)
        await remove(self.blobs, rules.message_key(subscriber_id, row.id))
        async with self.deps.uow() as uow:
            await store.delete_messages(uow.session, subscriber_id, [row.id])
            await uow.commit()

    # -- the greeting --------------------------------------------------------------------------------------
    async def set_greeting(self, subscriber_id: int, data: bytes) -> MailboxView:
        """Record (or replace) the subscriber's own greeting: a WebM with video, within the policy's
        message length and size, while they have the voicemail feature."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            if not await entitlements.has(uow, self.deps, subscriber_id, Feature.VOICEMAIL, now):
                raise InvalidState("voicemail_not_subscribed")
            _, pol = await policy_service.current(uow)
        limits = limits_of(pol)
        if not data or len(data) > limits.max_bytes:
            raise ValidationFailed(rules.message_errors(len(data), 0, limits.max_seconds, limits.max_bytes))
        info = await read_recording(data)
        errors = rules.message_errors(len(data), info.duration_ms, limits.max_seconds, limits.max_bytes)
        if errors:
            raise ValidationFailed(errors)
        try:
            await self.blobs.put(rules.greeting_key(subscriber_id), data, rules.CONTENT_TYPE)
        except BlobStoreError as exc:
            raise ServiceUnavailable("voicemail_storage_unavailable") from exc
        async with self.deps.uow() as uow:
            box = await store.lock_box(uow.session, subscriber_id)
            box.greeting_content_type = rules.CONTENT_TYPE
            box.greeting_bytes = len(data)
            box.greeting_seconds = rules.seconds_of(info.duration_ms)
            box.greeting_updated_at = now
            await uow.commit()
        return await self.mailbox(subscriber_id)

    async def greeting(self, subscriber_id: int) -> Recording:
        async with self.deps.uow() as uow:
            box = await store.box_of(uow.session, subscriber_id)
        if box is None or not box.greeting_content_type:
            raise NotFound("voicemail_greeting_not_found")
        data = await fetch(self.blobs, rules.greeting_key(subscriber_id), "voicemail_greeting_not_found")
        return Recording(data, box.greeting_content_type)

    async def delete_greeting(self, subscriber_id: int) -> MailboxView:
        """Back to the default greeting."""
        await remove(self.blobs, rules.greeting_key(subscriber_id))
        async with self.deps.uow() as uow:
            box = await store.lock_box(uow.session, subscriber_id)
            box.greeting_content_type, box.greeting_bytes, box.greeting_seconds = "", 0, 0
            box.greeting_updated_at = self.deps.clock.now()
            await uow.commit()
        return await self.mailbox(subscriber_id)

"""Video voicemail beyond its owner's hands (R-18): retention (the ``voicemail-retention`` job), the end
of the account (every message and the greeting go with it), and the console (a subscriber's mailbox
usage; clearing it on a legal request, with a reason, audited).

Recordings are deleted before their rows (``services.voicemail``): a failure leaves the row, and the
next run deletes both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import structlog

from videophone.adapters.blobs import BlobStore, BlobStoreError
from videophone.adapters.db.models import Subscriber
from videophone.calling.domain import voicemail as rules
from videophone.calling.domain.features import Feature
from videophone.calling.services import entitlements
from videophone.calling.store import voicemail as store
from videophone.common import audit
from videophone.common import policy as policy_service
from videophone.common.deps import Actor, Deps
from videophone.kernel.errors import FieldError, NotFound, ServiceUnavailable, ValidationFailed
from videophone.kernel.events import SubscriberTerminated
from videophone.kernel.text import has_control_characters

log = structlog.get_logger(__name__)

BATCH = 500  # expired messages deleted per round of the job
DEPOSIT_KEPT_DAYS = 1  # expired deposits are forgotten a day later
MAX_REASON = 500
MAX_REFERENCE = 100


@dataclass(frozen=True)
class StaffMailboxView:
    subscriber_id: int
    subscribed: bool
    messages: int
    unread: int
    used_bytes: int
    quota_bytes: int
    greeting: bool


class VoicemailAdminService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    @property
    def blobs(self) -> BlobStore:
        return self.deps.blobs

    # -- retention ------------------------------------------------------------------------------------------
    async def expire_due(self) -> dict[str, int]:
        """Delete the messages whose retention is over (recordings and rows), the mailboxes of accounts
        that were terminated (if the reaction to the termination failed), and old deposits."""
        now = self.deps.clock.now()
        deleted = 0
        while True:
            async with self.deps.uow() as uow:
                due = await store.expired_messages(uow.session, now, limit=BATCH)
            if not due:
                break
            for message_id, callee_id in due:
                await self.blobs.delete(rules.message_key(callee_id, message_id))
            async with self.deps.uow() as uow:
                by_callee: dict[int, list[str]] = {}
                for message_id, callee_id in due:
                    by_callee.setdefault(callee_id, []).append(message_id)
                for callee_id, ids in by_callee.items():
                    deleted += await store.delete_messages(uow.session, callee_id, ids)
                await uow.commit()
            if len(due) < BATCH:
                break
        closed = 0
        async with self.deps.uow() as uow:
            closed_ids = await store.closed_mailboxes(uow.session, limit=BATCH)
        for subscriber_id in closed_ids:
            await self.forget_mailbox(subscriber_id)
            closed += 1
        async with self.deps.uow() as uow:
            forgotten = await store.forget_deposits(uow.session, now - timedelta(days=DEPOSIT_KEPT_DAYS))
            await uow.commit()
        return {"expired": deleted, "closed_mailboxes": closed, "deposits_forgotten": forgotten}

    # -- the end of the account ----------------------------------------------------------------------------
    async def forget_mailbox(self, subscriber_id: int) -> int:
        """Delete everything of ``subscriber_id``'s mailbox: recordings, greeting, rows.  Returns how
        many messages there were."""
        await self.blobs.delete_prefix(rules.mailbox_prefix(subscriber_id))
        async with self.deps.uow() as uow:
            s = uow.session
            await store.lock_box(s, subscriber_id)
            ids = await store.message_ids_of(s, subscriber_id)
            count = await store.delete_messages(s, subscriber_id, ids)
            await store.forget_deposits_of(s, subscriber_id)
            await store.forget_box(s, subscriber_id)
            await uow.commit()
        return count

    async def on_subscriber_terminated(self, event: SubscriberTerminated) -> None:
        """The account ended (R-32): its mailbox goes with it at once (the retention job catches up if
        this fails)."""
        count = await self.forget_mailbox(event.subscriber_id)
        log.info("mailbox deleted with the account", subscriber_id=event.subscriber_id, messages=count)

    # -- the console -----------------------------------------------------------------------------------------
    async def summary(self, subscriber_id: int) -> StaffMailboxView:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            s = uow.session
            if await s.get(Subscriber, subscriber_id) is None:
                raise NotFound("subscriber_not_found")
            usage = await store.usage_of(s, subscriber_id)
            unread = await store.unread_count(s, subscriber_id)
            box = await store.box_of(s, subscriber_id)
            subscribed = await entitlements.has(uow, self.deps, subscriber_id, Feature.VOICEMAIL, now)
            _, pol = await policy_service.current(uow)
        return StaffMailboxView(
            subscriber_id,
            subscribed,
            usage.messages,
            unread,
            usage.bytes,
            pol.voicemail_quota_bytes,
            box is not None and bool(box.greeting_content_type),
        )

    async def clear(self, actor: Actor, subscriber_id: int, *, reason: str, reference: str = "") -> StaffMailboxView:
        """Delete every message and the greeting of a subscriber's mailbox on a legal request; the reason
        (and the request's reference) are audited."""
        reason, reference = reason.strip(), reference.strip()
        errors: list[FieldError] = []
        if not reason:
            errors.append(FieldError("reason", "required"))
        elif len(reason) > MAX_REASON or has_control_characters(reason):
            errors.append(FieldError("reason", "too_long", {"max": MAX_REASON}))
        if len(reference) > MAX_REFERENCE or has_control_characters(reference):
            errors.append(FieldError("reference", "too_long", {"max": MAX_REFERENCE}))
        if errors:
            raise ValidationFailed(errors)
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            s = uow.session
            if await s.get(Subscriber, subscriber_id) is None:
                raise NotFound("subscriber_not_found")
            box = await store.lock_box(s, subscriber_id)  # deposits into this mailbox wait
            usage = await store.usage_of(s, subscriber_id)
            ids = await store.message_ids_of(s, subscriber_id)
            keys = [rules.message_key(subscriber_id, i) for i in ids]
            if box.greeting_content_type:
                keys.append(rules.greeting_key(subscriber_id))
            try:
                for key in keys:
                    await self.blobs.delete(key)
            except BlobStoreError as exc:
                raise ServiceUnavailable("voicemail_storage_unavailable") from exc
            await store.delete_messages(s, subscriber_id, ids)
            box.greeting_content_type, box.greeting_bytes, box.greeting_seconds = "", 0, 0
            box.greeting_updated_at = now
            audit.record(
                uow,
                now,
                actor,
                "voicemail.clear",
                "subscriber",
                subscriber_id,
                {"reason": reason, "reference": reference, "messages": usage.messages, "bytes": usage.bytes},
            )
            await uow.commit()
        return await self.summary(subscriber_id)

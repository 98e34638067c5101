"""Identity review (R-03): the reviewers' queue, decisions, requested documents."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from videophone.adapters import uploads
from videophone.adapters.db.models import IdentityDocument, ReviewDecision, Subscriber
from videophone.adapters.db.uow import UnitOfWork
from videophone.common import audit, policy
from videophone.common.deps import Actor, Deps
from videophone.identity.domain import kyc
from videophone.identity.domain.documents import check_upload
from videophone.identity.store import documents as document_store
from videophone.identity.store import review as store
from videophone.kernel.errors import FieldError, NotFound, PermissionDenied, ValidationFailed


@dataclass(frozen=True)
class QueueItem:
    subscriber_id: int
    number: str
    kind: str
    name: str
    id_type: str
    id_number: str
    review_state: str
    registered_at: datetime
    documents: int


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime


class ReviewService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def queue(self, *, offset: int = 0, limit: int = 50) -> tuple[int, list[QueueItem]]:
        """Pending registrations, and requested documents that have arrived — oldest first."""
        async with self.deps.uow() as uow:
            total, rows = await store.review_queue(uow.session, offset, min(limit, 200))
            items = [
                QueueItem(
                    s.id,
                    s.number,
                    s.kind,
                    s.name,
                    s.id_type,
                    s.id_number_masked,
                    s.review_state,
                    s.created_at,
                    n,
                )
                for s, n in rows
            ]
            return total, items

    async def decide(self, actor: Actor, subscriber_id: int, action: str, reason: str) -> str:
        try:
            what = kyc.ReviewAction(action)
        except ValueError:
            raise ValidationFailed([FieldError("action", "review_action_unknown")]) from None
        if kyc.requires_reason(what) and len(reason.strip()) < 4:
            raise ValidationFailed([FieldError("reason", "review_reason_required")])
        async with self.deps.uow() as uow:
            sub = await uow.session.get(Subscriber, subscriber_id, with_for_update=True)
            if sub is None:
                raise NotFound("subscriber_not_found")
            before = kyc.ReviewState(sub.review_state)
            uploaded = await self._has_new_document(uow, sub)
            after = kyc.review(before, what, documents_uploaded=uploaded)
            now = self.deps.clock.now()
            sub.review_state = after.value
            sub.review_reason = reason.strip() if what is not kyc.ReviewAction.VERIFY else ""
            if what is kyc.ReviewAction.REQUEST_DOCUMENTS:
                sub.documents_requested_at = now
            sub.updated_at = now
            assert actor.id is not None
            uow.session.add(
                ReviewDecision(
                    subscriber_id=sub.id,
                    action=what.value,
                    from_state=before.value,
                    to_state=after.value,
                    reason=reason.strip(),
                    staff_id=actor.id,
                    at=now,
                )
            )
            audit.record(
                uow,
                now,
                actor,
                f"review.{what.value}",
                "subscriber",
                sub.id,
                {"from": before.value, "to": after.value, "reason": reason.strip()},
            )
            await uow.commit()
            return after.value

    async def _has_new_document(self, uow: UnitOfWork, sub: Subscriber) -> bool:
        return await document_store.has_document_since(uow.session, sub.id, sub.documents_requested_at)

    async def upload(
        self, actor: Actor, subscriber_id: int, filename: str, declared_type: str, content: bytes
    ) -> DocumentInfo:
        """The subscriber sends the requested ID copy / business licence (image or PDF)."""
        async with self.deps.uow() as uow:
            sub = await uow.session.get(Subscriber, subscriber_id)
            if sub is None:
                raise NotFound("subscriber_not_found")
            if not kyc.can(kyc.ReviewState(sub.review_state), kyc.Capability.UPLOAD_DOCUMENTS):
                raise PermissionDenied("documents_not_requested")
            _, pol = await policy.current(uow)
            content_type = check_upload(filename, declared_type, content, pol)
            await uploads.check_content_async(content, content_type, field="file")
            now = self.deps.clock.now()
            safe_name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip() or "document"
            doc = IdentityDocument(
                subscriber_id=sub.id,
                filename=safe_name[:200],
                content_type=content_type,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                content_enc=self.deps.cipher.seal(content, context="identity_documents"),
                uploaded_at=now,
            )
            uow.session.add(doc)
            await uow.session.flush()
            audit.record(
                uow,
                now,
                actor,
                "review.document_upload",
                "subscriber",
                sub.id,
                {"document_id": doc.id, "content_type": content_type, "size": len(content)},
            )
            await uow.commit()
            return DocumentInfo(doc.id, doc.filename, doc.content_type, doc.size, doc.uploaded_at)

    async def documents(self, subscriber_id: int) -> list[DocumentInfo]:
        async with self.deps.uow() as uow:
            rows = await document_store.documents_in_upload_order(uow.session, subscriber_id)
            return [DocumentInfo(d.id, d.filename, d.content_type, d.size, d.uploaded_at) for d in rows]

    async def document_content(self, actor: Actor, subscriber_id: int, document_id: int) -> tuple[DocumentInfo, bytes]:
        """The decrypted file; a staff read is audited like any other reveal."""
        async with self.deps.uow() as uow:
            doc = await uow.session.get(IdentityDocument, document_id)
            if doc is None or doc.subscriber_id != subscriber_id:
                raise NotFound("document_not_found")
            content = self.deps.cipher.open(doc.content_enc, context="identity_documents")
            if actor.type == "staff":
                audit.record(
                    uow,
                    self.deps.clock.now(),
                    actor,
                    "review.document_view",
                    "subscriber",
                    subscriber_id,
                    {"document_id": document_id},
                )
                await uow.commit()
            return DocumentInfo(doc.id, doc.filename, doc.content_type, doc.size, doc.uploaded_at), content

    async def decisions(self, subscriber_id: int) -> list[ReviewDecision]:
        async with self.deps.uow() as uow:
            return list(await store.decisions_newest_first(uow.session, subscriber_id))

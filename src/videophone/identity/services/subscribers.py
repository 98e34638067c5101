"""Subscribers: registration (R-01/R-02/R-06), the account, personal data (R-04)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from videophone.adapters.db.models import AgreementAcceptance, PhoneNumber, Subscriber
from videophone.adapters.db.uow import UnitOfWork
from videophone.billing.public import orders
from videophone.calling.public import capabilities
from videophone.common import audit, policy
from videophone.common.deps import Actor, Deps
from videophone.identity.domain import kyc, masking
from videophone.identity.domain.identity_numbers import normalize_id_number
from videophone.identity.domain.subscriber import (
    ContactDetails,
    SubscriberKind,
    validate_contact_details,
    validate_registration,
)
from videophone.identity.services import agreement_versions, numbers
from videophone.identity.store import agreements as agreement_store
from videophone.identity.store import audit_records as audit_store
from videophone.identity.store import documents as document_store
from videophone.identity.store import numbers as number_store
from videophone.identity.store import review as review_store
from videophone.identity.store import sessions as session_store
from videophone.identity.store import subscribers as store
from videophone.kernel.errors import FieldError, NotFound, PermissionDenied, ValidationFailed

REVEALABLE = ("id_number", "birth_date", "address", "employer")


@dataclass(frozen=True)
class RequestInfo:
    ip: str = ""
    user_agent: str = ""
    channel: str = "web"


@dataclass(frozen=True)
class AccountView:
    """A subscriber as shown on any page or response: personal data masked."""

    id: int
    number: str
    kind: str
    name: str
    email: str
    contact_phone: str
    postal_code: str
    legal_representative: str
    id_type: str
    id_number: str
    birth_date: str
    address: str
    employer: str
    review_state: str
    review_reason: str
    service_state: str
    language: str
    created_at: datetime
    capabilities: list[str]  # what the account may do now (domain.capabilities)
    capability_reasons: dict[str, str]  # why not, for each capability it may not use now
    agreement_version: int | None
    agreement_accepted_at: datetime | None
    second_number: str | None = None  # 第二号码, in the account's own view


class SubscriberService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    # -- personal data -------------------------------------------------------------------------------
    def _enc(self, column: str, value: str) -> str:
        return self.deps.cipher.encrypt(value, context=f"subscribers.{column}")

    def _dec(self, column: str, value: str | None) -> str:
        return "" if value is None else self.deps.cipher.decrypt(value, context=f"subscribers.{column}")

    def personal_data(self, sub: Subscriber) -> dict[str, str]:
        """Decrypted personal data — for the subscriber's own export and audited staff reveals only."""
        return {
            "id_number": self._dec("id_number", sub.id_number_enc),
            "birth_date": self._dec("birth_date", sub.birth_date_enc),
            "address": self._dec("address", sub.address_enc),
            "employer": self._dec("employer", sub.employer_enc),
        }

    async def _view(self, uow: UnitOfWork, sub: Subscriber, *, credit: bool = True) -> AccountView:
        """``credit=False`` (lists of many accounts): capabilities without the credit-limit standing,
        which costs a month's rating per limited account — the account's own view always reads it."""
        data = self.personal_data(sub)
        acceptance = await agreement_store.last_recorded_acceptance(uow.session, sub.id)
        can = await capabilities.of_subscriber(
            uow, self.deps.clock.now(), self.deps.operator_tz, sub, read_credit=credit
        )
        return AccountView(
            id=sub.id,
            number=sub.number,
            kind=sub.kind,
            name=sub.name,
            email=sub.email,
            contact_phone=sub.contact_phone,
            postal_code=sub.postal_code,
            legal_representative=sub.legal_representative,
            id_type=sub.id_type,
            id_number=sub.id_number_masked,
            birth_date=masking.mask_birth_date(data["birth_date"]) if data["birth_date"] else "",
            address=masking.mask_text(data["address"]),
            employer=masking.mask_text(data["employer"]),
            review_state=sub.review_state,
            review_reason=sub.review_reason,
            service_state=sub.service_state,
            language=sub.language,
            created_at=sub.created_at,
            capabilities=can.allowed,
            capability_reasons=can.reasons,
            agreement_version=acceptance.agreement_version if acceptance else None,
            agreement_accepted_at=acceptance.accepted_at if acceptance else None,
        )

    # -- registration --------------------------------------------------------------------------------
    async def register(self, raw: Mapping[str, Any], request: RequestInfo) -> AccountView:
        """Validate, take a number, store encrypted, record acceptance of the current agreement."""
        now = self.deps.clock.now()
        reg = validate_registration(
            raw, today=now.astimezone(self.deps.operator_tz).date(), estimate=self.deps.password_strength
        )
        password_hash = await self.deps.hasher.hash_async(reg.password)
        async with self.deps.uow() as uow:
            taken = await store.subscriber_id_with_email(uow.session, reg.email)
            if taken is not None:
                raise ValidationFailed([FieldError("email", "email_taken")])
            policy_version, pol = await policy.current(uow)
            agreement_version = await agreement_versions.current_version_number(uow)
            offered = raw.get("agreement_version")
            if offered is not None and str(offered) != str(agreement_version):
                raise ValidationFailed([FieldError("accept_agreement", "agreement_version_outdated")])
            number = await numbers.allocate(uow, pol, None, now)
            sub = Subscriber(
                number=number,
                kind=reg.kind.value,
                name=reg.name,
                email=reg.email,
                contact_phone=reg.contact_phone,
                postal_code=reg.postal_code,
                legal_representative=reg.legal_representative,
                id_type=reg.id_type,
                id_number_enc=self._enc("id_number", reg.id_number),
                id_number_masked=masking.mask_id_number(reg.id_number),
                id_number_index=self.deps.cipher.blind_index(reg.id_number),
                birth_date_enc=self._enc("birth_date", reg.birth_date.isoformat()) if reg.birth_date else None,
                address_enc=self._enc("address", reg.address),
                employer_enc=self._enc("employer", reg.employer),
                review_state=kyc.ReviewState.PENDING.value,
                review_reason="",
                service_state="active",
                language=reg.language.value,
                password_hash=password_hash,
                created_at=now,
                updated_at=now,
            )
            uow.session.add(sub)
            try:
                await uow.session.flush()
            except IntegrityError:
                raise ValidationFailed([FieldError("email", "email_taken")]) from None
            number_row = await uow.session.get(PhoneNumber, number)
            assert number_row is not None
            number_row.subscriber_id = sub.id
            uow.session.add(
                AgreementAcceptance(
                    subscriber_id=sub.id,
                    agreement_version=agreement_version,
                    policy_version=policy_version,
                    accepted_at=now,
                    channel=request.channel,
                    method="explicit",
                    ip=request.ip,
                    user_agent=request.user_agent[:400],
                )
            )
            # The initial plan (R-21, ADR 0004): an order from today, in the same transaction.
            await orders.subscribe_default_plan(
                uow,
                sub.id,
                now.astimezone(self.deps.operator_tz).date(),
                agreement_version,
                now=now,
                channel=request.channel,
            )
            audit.record(
                uow,
                now,
                Actor("subscriber", sub.id, request.ip),
                "subscriber.register",
                "subscriber",
                sub.id,
                {
                    "kind": reg.kind.value,
                    "number": number,
                    "agreement_version": agreement_version,
                    "channel": request.channel,
                },
            )
            view = await self._view(uow, sub)
            await uow.commit()
            return view

    # -- the subscriber's own account ----------------------------------------------------------------
    async def account(self, subscriber_id: int) -> AccountView:
        async with self.deps.uow() as uow:
            sub = await self._get(uow, subscriber_id)
            view = await self._view(uow, sub)
            return replace(view, second_number=await number_store.second_number_of(uow.session, sub.id))

    async def update_contact_details(self, actor: Actor, subscriber_id: int, raw: Mapping[str, Any]) -> AccountView:
        async with self.deps.uow() as uow:
            sub = await self._get(uow, subscriber_id)
            if not kyc.can(kyc.ReviewState(sub.review_state), kyc.Capability.EDIT_CONTACT_DETAILS):
                raise PermissionDenied("capability_missing", params={"capability": "edit_contact_details"})
            data = self.personal_data(sub)
            current = ContactDetails(data["address"], sub.postal_code, sub.contact_phone, sub.email, data["employer"])
            new = validate_contact_details(raw, current, SubscriberKind(sub.kind))
            if new.email != sub.email:
                taken = await store.subscriber_id_with_email(uow.session, new.email)
                if taken is not None:
                    raise ValidationFailed([FieldError("email", "email_taken")])
            changed = [
                k
                for k in ("address", "postal_code", "contact_phone", "email", "employer")
                if getattr(new, k) != getattr(current, k)
            ]
            now = self.deps.clock.now()
            sub.address_enc = self._enc("address", new.address)
            sub.employer_enc = self._enc("employer", new.employer)
            sub.postal_code, sub.contact_phone, sub.email = new.postal_code, new.contact_phone, new.email
            sub.updated_at = now
            if changed:
                audit.record(uow, now, actor, "subscriber.contact_update", "subscriber", sub.id, {"fields": changed})
            view = await self._view(uow, sub)
            await uow.commit()
            return view

    async def set_language(self, subscriber_id: int, language: str) -> None:
        if language not in ("zh-CN", "en"):
            raise ValidationFailed([FieldError("language", "language_unknown")])
        async with self.deps.uow() as uow:
            sub = await self._get(uow, subscriber_id)
            sub.language = language
            await uow.commit()

    async def export(self, actor: Actor, subscriber_id: int) -> dict[str, Any]:
        """Everything the service holds about the subscriber, unmasked, as JSON (R-04)."""
        async with self.deps.uow() as uow:
            sub = await self._get(uow, subscriber_id)
            data = self.personal_data(sub)
            acceptances = await agreement_store.acceptances_of(uow.session, sub.id)
            sessions = await session_store.sessions_of(uow.session, "subscriber", sub.id)
            docs = await document_store.documents_of(uow.session, sub.id)
            decisions = await review_store.decisions_of(uow.session, sub.id)
            changes = await number_store.number_changes_of(uow.session, sub.id)
            second_number = await number_store.second_number_of(uow.session, sub.id)
            history = await audit_store.history_of_subscriber(uow.session, sub.id)
            now = self.deps.clock.now()
            audit.record(uow, now, actor, "subscriber.export", "subscriber", sub.id)
            await uow.commit()
        return {
            "exported_at": now.isoformat(),
            "subscriber": {
                "number": sub.number,
                "second_number": second_number,
                "kind": sub.kind,
                "name": sub.name,
                "email": sub.email,
                "contact_phone": sub.contact_phone,
                "postal_code": sub.postal_code,
                "legal_representative": sub.legal_representative,
                "id_type": sub.id_type,
                **data,
                "review_state": sub.review_state,
                "review_reason": sub.review_reason,
                "service_state": sub.service_state,
                "language": sub.language,
                "created_at": sub.created_at.isoformat(),
            },
            "agreement_acceptances": [
                {
                    "agreement_version": a.agreement_version,
                    "policy_version": a.policy_version,
                    "accepted_at": a.accepted_at.isoformat(),
                    "channel": a.channel,
                    "method": a.method,
                    "ip": a.ip,
                    "user_agent": a.user_agent,
                }
                for a in acceptances
            ],
            "sessions": [
                {
                    "created_at": s.created_at.isoformat(),
                    "last_seen_at": s.last_seen_at.isoformat(),
                    "kind": s.kind,
                    "ip": s.ip,
                    "user_agent": s.user_agent,
                    "revoked_at": s.revoked_at.isoformat() if s.revoked_at else None,
                }
                for s in sessions
            ],
            "identity_documents": [
                {
                    "filename": d.filename,
                    "content_type": d.content_type,
                    "size": d.size,
                    "sha256": d.sha256,
                    "uploaded_at": d.uploaded_at.isoformat(),
                }
                for d in docs
            ],
            "review_decisions": [
                {"action": d.action, "from": d.from_state, "to": d.to_state, "reason": d.reason, "at": d.at.isoformat()}
                for d in decisions
            ],
            "number_changes": [
                {"old": c.old_number, "new": c.new_number, "reason": c.reason, "at": c.at.isoformat()} for c in changes
            ],
            "account_history": [{"at": h.at.isoformat(), "action": h.action, "by": h.actor_type} for h in history],
        }

    # -- staff side ---------------------------------------------------------------------------------
    async def search(
        self, query: str, *, review_state: str | None = None, offset: int = 0, limit: int = 50
    ) -> tuple[int, list[AccountView]]:
        text = query.strip()
        # An exact ID number can be found through its blind index without decrypting anything.
        id_number_indexes = self.deps.cipher.blind_indexes(normalize_id_number(text)) if len(text) >= 8 else []
        async with self.deps.uow() as uow:
            total, rows = await store.search_subscribers(
                uow.session,
                text,
                id_number_indexes=id_number_indexes,
                review_state=review_state,
                offset=offset,
                limit=min(limit, 200),
            )
            return total, [await self._view(uow, s, credit=False) for s in rows]

    async def reveal(self, actor: Actor, subscriber_id: int, field: str, reason: str) -> str:
        """Staff see one unmasked value; the reason is mandatory and the read is audited (R-04)."""
        errors = []
        if field not in REVEALABLE:
            errors.append(FieldError("field", "reveal_field_unknown"))
        if len(reason.strip()) < 4:
            errors.append(FieldError("reason", "reveal_reason_required"))
        if errors:
            raise ValidationFailed(errors)
        async with self.deps.uow() as uow:
            sub = await self._get(uow, subscriber_id)
            value = self.personal_data(sub)[field]
            audit.record(
                uow,
                self.deps.clock.now(),
                actor,
                "subscriber.reveal",
                "subscriber",
                sub.id,
                {"field": field, "reason": reason.strip()},
            )
            await uow.commit()
            return value

    async def _get(self, uow: UnitOfWork, subscriber_id: int) -> Subscriber:
        sub = await uow.session.get(Subscriber, subscriber_id)
        if sub is None:
            raise NotFound("subscriber_not_found")
        return sub

    async def own_agreement_details(self, subscriber_id: int) -> dict[str, str]:
        """Party details for the subscriber's filled-in agreement.  A person's address stays masked
        (personal data); an organization's registered address and credit code are printed in full,
        since it signs and stamps the paper copy (R-06)."""
        async with self.deps.uow() as uow:
            sub = await self._get(uow, subscriber_id)
            data = self.personal_data(sub)
            if sub.kind == SubscriberKind.ORGANIZATION.value:
                return {"address": data["address"], "credit_code": data["id_number"]}
            return {"address": masking.mask_text(data["address"]), "credit_code": ""}

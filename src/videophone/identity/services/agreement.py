"""The service agreement (R-06): versions, rendering with the policy and the parties, PDF.  New versions,
their announcement, objections and deemed acceptance (003 §15) are the mixin in ``agreement_changes``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

from videophone.adapters.db.models import AgreementVersion, PolicyVersion, Subscriber
from videophone.adapters.pdf import render_agreement_pdf
from videophone.common import policy as policy_service
from videophone.common.deps import Deps
from videophone.identity.domain.agreement import (
    AgreementDocument,
    ClausePreview,
    SubscriberParty,
    preview_policy_change,
    render_agreement,
)
from videophone.identity.domain.identity_numbers import ID_TYPE_LABELS, IdDocumentType
from videophone.identity.domain.policy import OperatorPolicy, diff_policies
from videophone.identity.domain.subscriber import USCC_ID_TYPE
from videophone.identity.services.agreement_changes import AgreementChanges
from videophone.identity.services.agreement_versions import current_version_number
from videophone.identity.store import agreements as store
from videophone.kernel.errors import FieldError, NotFound, ValidationFailed

# Other contexts read the version in force through this module (``identity.public.agreement``)
__all__ = ["AgreementService", "current_version_number", "id_type_label", "party_of", "shipped_template"]


def shipped_template(version: int = 1) -> str:
    return resources.files("videophone").joinpath(f"resources/agreement_v{version}.txt").read_text("utf-8")


def id_type_label(id_type: str, language: str = "zh-CN") -> str:
    if id_type == USCC_ID_TYPE:
        return "统一社会信用代码" if language == "zh-CN" else "Unified social credit code"
    try:
        zh, en = ID_TYPE_LABELS[IdDocumentType(id_type)]
    except ValueError:
        return id_type
    return zh if language == "zh-CN" else en


def party_of(sub: Subscriber, address: str, credit_code: str) -> SubscriberParty:
    """The subscriber as 甲方.  A person's ID number stays masked even here; an organization's
    credit code is public registry data and is shown in full on the agreement it signs."""
    return SubscriberParty(
        kind="organization" if sub.kind == "organization" else "person",
        name=sub.name,
        address=address,
        postal_code=sub.postal_code,
        phone=sub.contact_phone,
        id_type_label=id_type_label(sub.id_type),
        id_number_display=credit_code if sub.kind == "organization" else sub.id_number_masked,
        legal_representative=sub.legal_representative,
        credit_code=credit_code if sub.kind == "organization" else "",
    )


@dataclass(frozen=True)
class PolicyPreview:
    """A policy change not saved: the version it starts from, what changes, and the agreement's
    paragraphs that quote a changed value (of the agreement version in force)."""

    policy_version: int
    agreement_version: int
    changes: dict[str, dict[str, str | int]]
    clauses: list[ClausePreview]


class AgreementService(AgreementChanges):
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def ensure_initial(self) -> None:
        async with self.deps.uow() as uow:
            if await store.has_any_version(uow.session):
                return
            now = self.deps.clock.now()
            uow.session.add(
                AgreementVersion(
                    version=1, template=shipped_template(1), summary="初始版本", published_at=now, effective_at=now
                )
            )
            await uow.commit()

    async def current(self) -> AgreementDocument:
        """The current version with the current policy and blank party details (the public page)."""
        async with self.deps.uow() as uow:
            version = await current_version_number(uow)
            row = await uow.session.get(AgreementVersion, version)
            assert row is not None
            _, pol = await policy_service.current(uow)
            return render_agreement(row.template, version=version, policy=pol, subscriber=None, signed_on=None)

    async def preview_policy(self, changes: Mapping[str, Any]) -> PolicyPreview:
        """What ``changes`` would do to the agreement text, validated like the save and saving nothing."""
        async with self.deps.uow() as uow:
            policy_version, before = await policy_service.current(uow)
            after = OperatorPolicy.from_mapping(changes, base=before)
            diff = diff_policies(before, after)
            if not diff:
                raise ValidationFailed([FieldError("values", "policy_no_change")])
            version = await current_version_number(uow)
            row = await uow.session.get(AgreementVersion, version)
            assert row is not None
            clauses = preview_policy_change(row.template, version=version, before=before, after=after)
            return PolicyPreview(policy_version, version, diff, clauses)

    async def for_subscriber(self, subscriber_id: int, address: str, credit_code: str) -> AgreementDocument:
        """The version the subscriber accepted, with the policy in force when they accepted it,
        filled with both parties' details and dated the day of acceptance."""
        async with self.deps.uow() as uow:
            sub = await uow.session.get(Subscriber, subscriber_id)
            if sub is None:
                raise NotFound("subscriber_not_found")
            acceptance = await store.last_recorded_acceptance(uow.session, subscriber_id)
            if acceptance is None:
                raise NotFound("agreement_not_accepted")
            row = await uow.session.get(AgreementVersion, acceptance.agreement_version)
            pol_row = await uow.session.get(PolicyVersion, acceptance.policy_version)
            assert row is not None and pol_row is not None
            pol = OperatorPolicy.from_mapping(pol_row.values)
            signed: date = acceptance.accepted_at.astimezone(self.deps.operator_tz).date()
            return render_agreement(
                row.template,
                version=row.version,
                policy=pol,
                subscriber=party_of(sub, address, credit_code),
                signed_on=signed,
            )

    @staticmethod
    def pdf(doc: AgreementDocument) -> bytes:
        return render_agreement_pdf(doc)

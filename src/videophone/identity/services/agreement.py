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
__all__ = [
    "AgreementService",
    "current_version_number",
    "id_type_label",
    "party_of",
    "shipped_template",
    "template_in",
]


def shipped_template(version: int = 1, language: str = "zh-CN") -> str:
    """The shipped text of ``version``: the Chinese, or (``language`` "en") its English translation."""
    suffix = "_en" if language == "en" else ""
    return resources.files("videophone").joinpath(f"resources/agreement_v{version}{suffix}.txt").read_text("utf-8")


def template_in(row: AgreementVersion, language: str) -> tuple[str, str]:
    """The version's template in the reader's ``language`` and the language it is in: the English
    translation when asked for and there is one, else the Chinese (which prevails)."""
    if language == "en" and row.template_en.strip():
        return row.template_en, "en"
    return row.template, "zh-CN"


def id_type_label(id_type: str, language: str = "zh-CN") -> str:
    if id_type == USCC_ID_TYPE:
        return "统一社会信用代码" if language == "zh-CN" else "Unified social credit code"
    try:
        zh, en = ID_TYPE_LABELS[IdDocumentType(id_type)]
    except ValueError:
        return id_type
    return zh if language == "zh-CN" else en


def party_of(sub: Subscriber, address: str, credit_code: str, language: str = "zh-CN") -> SubscriberParty:
    """The subscriber as 甲方.  A person's ID number stays masked even here; an organization's
    credit code is public registry data and is shown in full on the agreement it signs."""
    return SubscriberParty(
        kind="organization" if sub.kind == "organization" else "person",
        name=sub.name,
        address=address,
        postal_code=sub.postal_code,
        phone=sub.contact_phone,
        id_type_label=id_type_label(sub.id_type, language),
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
        """Version 1 from the shipped text, with its shipped English translation (also given to a
        version 1 stored before translations existed, if its Chinese text is the shipped one)."""
        async with self.deps.uow() as uow:
            if await store.has_any_version(uow.session):
                first = await uow.session.get(AgreementVersion, 1)
                if first is not None and not first.template_en and first.template == shipped_template(1):
                    first.template_en = shipped_template(1, "en")
                    await uow.commit()
                return
            now = self.deps.clock.now()
            uow.session.add(
                AgreementVersion(
                    version=1,
                    template=shipped_template(1),
                    template_en=shipped_template(1, "en"),
                    summary="初始版本",
                    published_at=now,
                    effective_at=now,
                )
            )
            await uow.commit()

    async def current(self, language: str = "zh-CN") -> AgreementDocument:
        """The current version with the current policy and blank party details (the public page), in
        the reader's ``language`` when it has a translation in it (``doc.language`` says which)."""
        async with self.deps.uow() as uow:
            version = await current_version_number(uow)
            row = await uow.session.get(AgreementVersion, version)
            assert row is not None
            _, pol = await policy_service.current(uow)
            template, shown = template_in(row, language)
            return render_agreement(
                template,
                version=version,
                policy=pol,
                subscriber=None,
                signed_on=None,
                language=shown,
                has_translation=bool(row.template_en.strip()),
            )

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

    async def for_subscriber(
        self, subscriber_id: int, address: str, credit_code: str, language: str = "zh-CN"
    ) -> AgreementDocument:
        """The version the subscriber accepted, with the policy in force when they accepted it,
        filled with both parties' details and dated the day of acceptance (in the reader's
        ``language`` when the version has a translation in it)."""
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
            template, shown = template_in(row, language)
            return render_agreement(
                template,
                version=row.version,
                policy=pol,
                subscriber=party_of(sub, address, credit_code, shown),
                signed_on=signed,
                language=shown,
                has_translation=bool(row.template_en.strip()),
            )

    @staticmethod
    def pdf(doc: AgreementDocument) -> bytes:
        return render_agreement_pdf(doc)

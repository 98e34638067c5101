"""Answers of the enforcement routes (``web.api.enforcement``): violations (R-30) and lawful suspension
(R-31)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict

from videophone.edge.answers.fields import Page
from videophone.enforcement.services.lawful import LawfulView
from videophone.enforcement.services.violations import SubscriberTarget, ViolationView

ServiceState = Literal["active", "outgoing_barred", "suspended", "terminated"]  # ``domain.capabilities``
ViolationAction = Literal["warning", "restrict_outgoing", "withdraw_vas", "suspend", "terminate"]
ViolationState = Literal["open", "lifted", "done"]  # ``domain.violations.ViolationState``
LawfulState = Literal["active", "lifted", "expired"]  # ``domain.violations.LawfulState``


class _Answer(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class VasInForceAnswer(_Answer):
    """A value-added service in force."""

    code: str
    name_zh: str
    name_en: str


class TargetAnswer(_Answer):
    """A subscriber as the violations page shows them before acting."""

    id: int
    number: str
    name: str
    service_state: ServiceState
    service_reason: str
    vas: list[VasInForceAnswer]

    @classmethod
    def of(cls, target: SubscriberTarget) -> Self:
        return cls.model_validate(target)


class EvidenceAnswer(_Answer):
    """An evidence file (downloadable by staff)."""

    id: int
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime


class ViolationAnswer(_Answer):
    id: int
    subscriber_id: int
    subscriber_number: str
    subscriber_name: str
    action: ViolationAction
    reason: str
    vas_code: str
    state: ViolationState
    issued_at: datetime
    issued_by: str
    lifted_at: datetime | None
    lifted_by: str
    lift_reason: str
    evidence: list[EvidenceAnswer]

    @classmethod
    def of(cls, view: ViolationView) -> Self:
        return cls.model_validate(view)


class ViolationPage(Page[ViolationAnswer]):
    """Violation measures, a page at a time."""


class LawfulAnswer(_Answer):
    """A lawful suspension, with the authority's reference in clear (legal staff only)."""

    id: int
    subscriber_id: int
    subscriber_number: str
    subscriber_name: str
    authority: str
    reference: str
    scope: str
    period_from: date
    period_to: date | None
    state: LawfulState
    recorded_at: datetime
    recorded_by: str
    lifted_at: datetime | None
    lifted_by: str
    lift_reason: str

    @classmethod
    def of(cls, view: LawfulView) -> Self:
        return cls.model_validate(view)


class LawfulPage(Page[LawfulAnswer]):
    """Lawful suspensions, a page at a time."""

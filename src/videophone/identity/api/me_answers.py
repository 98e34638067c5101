"""Answers of the subscriber's own account routes (``web/api/me.py``); ``Account`` is also the answer
of a registration and of the console's subscriber views."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from videophone.calling.domain.capabilities import ServiceState
from videophone.edge.answers.fields import FROM_VIEW, IsoInstant
from videophone.identity.domain.kyc import Capability, ReviewState
from videophone.identity.domain.subscriber import Language, SubscriberKind
from videophone.identity.services.auth import IssuedSession
from videophone.identity.services.subscribers import AccountView

SessionKind = Literal["browser", "api"]


class Account(BaseModel):
    """A subscriber as any page or answer shows them: personal data masked."""

    model_config = FROM_VIEW

    id: int
    number: str
    kind: SubscriberKind
    name: str
    email: str
    contact_phone: str
    postal_code: str
    legal_representative: str
    id_type: str = Field(description="An ID document type (see /api/v1/id-types), or `uscc` for organizations")
    id_number: str = Field(description="Masked")
    birth_date: str = Field(description="Masked")
    address: str = Field(description="Masked")
    employer: str = Field(description="Masked")
    review_state: ReviewState
    review_reason: str
    service_state: ServiceState
    language: Language
    created_at: datetime
    capabilities: list[Capability] = Field(description="What the account may do now")
    capability_reasons: dict[Capability, str] = Field(
        description="Why not, for each capability it may not use now (an error code)"
    )
    agreement_version: int | None
    agreement_accepted_at: datetime | None
    second_number: str | None = Field(
        default=None,
        description="The second number (第二号码) the account holds while subscribed to that service; "
        "calls to it ring the same devices (only in the account's own view)",
    )

    @classmethod
    def of(cls, view: AccountView) -> Account:
        return cls.model_validate(view)


class StunServer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    urls: list[str]


class TurnServer(BaseModel):
    urls: list[str]
    username: str = Field(description="`expiry:subscriber_id`")
    credential: str


class TurnCredentials(BaseModel):
    """RTCIceServer entries: STUN as is, TURN with credentials that expire after ``ttl_seconds``."""

    ice_servers: list[TurnServer | StunServer]
    ttl_seconds: int

    @classmethod
    def of(cls, servers: list[dict[str, object]], ttl_seconds: int) -> TurnCredentials:
        return cls.model_validate({"ice_servers": servers, "ttl_seconds": ttl_seconds})


class LoginSession(BaseModel):
    model_config = FROM_VIEW

    id: int
    kind: SessionKind
    label: str
    ip: str
    user_agent: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


class IssuedToken(BaseModel):
    token: str = Field(description="Send as `Authorization: Bearer …`; shown once")
    expires_at: IsoInstant

    @classmethod
    def of(cls, issued: IssuedSession) -> IssuedToken:
        return cls(token=issued.token, expires_at=issued.expires_at)


class IdentityDocument(BaseModel):
    """An uploaded identity document (its content is only for reviewers)."""

    model_config = FROM_VIEW

    id: int
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime


# -- the data export: everything held about the subscriber, unmasked ------------------------------
class ExportedSubscriber(BaseModel):
    number: str
    kind: SubscriberKind
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
    review_state: ReviewState
    review_reason: str
    service_state: ServiceState
    language: Language
    created_at: IsoInstant


class ExportedAcceptance(BaseModel):
    agreement_version: int
    policy_version: int
    accepted_at: IsoInstant
    channel: str
    method: Literal["explicit", "deemed"]
    ip: str
    user_agent: str


class ExportedSession(BaseModel):
    created_at: IsoInstant
    last_seen_at: IsoInstant
    kind: SessionKind
    ip: str
    user_agent: str
    revoked_at: IsoInstant | None


class ExportedDocument(BaseModel):
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: IsoInstant


class ExportedDecision(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    action: str
    from_state: str = Field(alias="from")
    to_state: str = Field(alias="to")
    reason: str
    at: IsoInstant


class ExportedNumberChange(BaseModel):
    old: str
    new: str
    reason: str
    at: IsoInstant


class ExportedEvent(BaseModel):
    at: IsoInstant
    action: str
    by: str = Field(description="staff | subscriber | system")


class Export(BaseModel):
    """The subscriber's data export (a JSON attachment)."""

    exported_at: IsoInstant
    subscriber: ExportedSubscriber
    agreement_acceptances: list[ExportedAcceptance]
    sessions: list[ExportedSession]
    identity_documents: list[ExportedDocument]
    review_decisions: list[ExportedDecision]
    number_changes: list[ExportedNumberChange]
    account_history: list[ExportedEvent]

    @classmethod
    def of(cls, data: Mapping[str, object]) -> Export:
        return cls.model_validate(data)

"""Answers of the terminal routes (``web.api.terminals``): terminals and warranty (R-40, R-41) and client
releases (R-34)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from videophone.edge.answers.fields import Page
from videophone.terminals.api.sip_answers import SipAccountAnswer, SipStateAnswer
from videophone.terminals.services.releases import ReleaseView
from videophone.terminals.services.terminal_views import ClaimView, Decided, IssuedToken, Provisioning, TerminalView

TerminalState = Literal["in_stock", "assigned", "in_repair", "returned", "scrapped"]  # ``domain.terminals``
ClaimState = Literal["submitted", "repaired", "replaced", "denied"]  # ``domain.terminals.ClaimState``
# ``domain.terminals.CAUSES``; "" until decided.
ClaimCause = Literal[
    "",
    "defect",
    "shipping_damage",
    "accident",
    "misuse",
    "power_problem",
    "opened_sealed_unit",
    "other_equipment_or_network",
    "unauthorised_repair",
]
Platform = Literal["web", "terminal"]  # ``domain.terminals.PLATFORMS``


class _Answer(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TerminalAnswer(_Answer):
    """A unit of the inventory: who has it, and its warranty."""

    id: int
    serial: str
    model: str
    state: TerminalState
    owner: str
    subscriber_id: int | None
    subscriber_number: str
    installed_on: date | None
    warranty_end: date | None
    voided_on: date | None
    void_note: str
    in_warranty: bool
    replaces_serial: str
    has_token: bool
    last_seen_at: datetime | None
    reported_version: str
    sip: SipStateAnswer | None = Field(description="Its SIP credential in force and last registration")
    upgrade_available: bool = Field(
        description="Its reported version (provisioning or SIP User-Agent) is older than the newest terminal release"
    )

    @classmethod
    def of(cls, view: TerminalView) -> Self:
        return cls.model_validate(view)


class PhotoAnswer(_Answer):
    id: int
    filename: str
    content_type: str
    size: int


class ClaimAnswer(_Answer):
    """A written warranty claim and its decision."""

    id: int
    terminal_id: int
    serial: str
    model: str
    subscriber_id: int
    subscriber_number: str
    description: str
    state: ClaimState
    filed_at: datetime
    warranty_end: date
    decided_at: datetime | None
    cause: ClaimCause
    note: str
    replacement_serial: str
    photos: list[PhotoAnswer]

    @classmethod
    def of(cls, view: ClaimView) -> Self:
        return cls.model_validate(view)


class MyTerminals(BaseModel):
    items: list[TerminalAnswer]
    claims: list[ClaimAnswer]

    @classmethod
    def of(cls, terminals: list[TerminalView], claims: list[ClaimView]) -> Self:
        return cls(items=[TerminalAnswer.of(t) for t in terminals], claims=[ClaimAnswer.of(x) for x in claims])


class ReleaseAnswer(_Answer):
    """A client release (``id`` and ``published_at`` are null for the web client the server ships)."""

    id: int | None
    platform: Platform
    version: str
    notes: str
    mandatory: bool
    published_at: datetime | None

    @classmethod
    def of(cls, view: ReleaseView) -> Self:
        return cls.model_validate(view)


class ProvisioningAnswer(_Answer):
    """What a terminal learns about itself with its own token."""

    serial: str
    model: str
    number: str
    warranty_end: date | None
    release: ReleaseAnswer | None
    upgrade: bool = Field(description="The terminal reported an older version than the release")
    mandatory: bool
    sip: SipAccountAnswer | None = Field(description="Its SIP account; the password only when just made")

    @classmethod
    def of(cls, view: Provisioning) -> Self:
        return cls.model_validate(view)


class TerminalPage(Page[TerminalAnswer]):
    """The terminal inventory, a page at a time."""


class IssuedTokenAnswer(_Answer):
    """A terminal with its new bearer token, shown this once."""

    terminal: TerminalAnswer
    token: str

    @classmethod
    def of(cls, issued: IssuedToken) -> Self:
        return cls.model_validate(issued)


class ClaimQueue(BaseModel):
    total: int
    open: int = Field(description="Claims waiting for a decision")
    items: list[ClaimAnswer]

    @classmethod
    def of(cls, total: int, open_count: int, items: list[ClaimView]) -> Self:
        return cls(total=total, open=open_count, items=[ClaimAnswer.of(x) for x in items])


class DecidedAnswer(_Answer):
    """A decided claim; a replacement's token is shown this once."""

    claim: ClaimAnswer
    replacement_token: str | None

    @classmethod
    def of(cls, decided: Decided) -> Self:
        return cls.model_validate(decided)


class ReleaseList(BaseModel):
    items: list[ReleaseAnswer]

    @classmethod
    def of(cls, releases: list[ReleaseView]) -> Self:
        return cls(items=[ReleaseAnswer.of(r) for r in releases])

"""Request bodies.  Values are checked by the domain rules, which report every field at once; these
models only fix the JSON shape (for the OpenAPI document and for wrong JSON types)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from videophone.edge.params import BodyVersion


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegistrationIn(Body):
    kind: str = Field(description="person | organization")
    name: str | None = Field(default=None, description="Full name; organizations: full legal name")
    birth_date: str | None = Field(default=None, description="YYYY-MM-DD (persons)")
    address: str | None = None
    postal_code: str | None = None
    id_type: str | None = Field(default=None, description="resident_id, passport, hk_macau_permit, …")
    id_number: str | None = None
    credit_code: str | None = Field(default=None, description="Unified social credit code (organizations)")
    legal_representative: str | None = None
    employer: str | None = None
    contact_phone: str | None = None
    email: str | None = None
    password: str | None = None
    language: str | None = None
    accept_agreement: bool = False
    agreement_version: BodyVersion | None = None


class LoginIn(Body):
    login: str = Field(description="Video phone number or email")
    password: str
    kind: Literal["browser", "api"] = "browser"
    label: str = ""


class PasswordResetRequestIn(Body):
    login: str = Field(description="Video phone number or email")


class PasswordResetConfirmIn(Body):
    token: str
    new_password: str


class StaffLoginIn(Body):
    username: str
    password: str


class ContactDetailsIn(Body):
    address: str | None = None
    postal_code: str | None = None
    contact_phone: str | None = None
    email: str | None = None
    employer: str | None = None


class LanguageIn(Body):
    language: str


class PasswordChangeIn(Body):
    current_password: str
    new_password: str


class TokenIn(Body):
    label: str


class ReviewDecisionIn(Body):
    action: str = Field(description="verify | request_documents | reject")
    reason: str = ""


class RevealIn(Body):
    field: str = Field(description="id_number | birth_date | address | employer")
    reason: str


class NumberChangeIn(Body):
    reason: str = Field(description="subscriber_request | network_change")
    note: str = ""


class PolicyUpdateIn(Body):
    values: dict[str, str | int]
    reason: str
    version: BodyVersion | None = Field(default=None, description="The version the change was based on")


class PolicyPreviewIn(Body):
    values: dict[str, str | int] = Field(description="The parameters to change, as for a save")


class StaffCreateIn(Body):
    username: str
    display_name: str
    password: str
    roles: list[str]


class StaffActiveIn(Body):
    active: bool

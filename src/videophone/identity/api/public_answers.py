"""Answers of the public routes (``web/api/public.py``): health, documents, policy, logins."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from videophone.edge.answers.fields import FROM_VIEW, IsoInstant
from videophone.identity.domain.agreement import AgreementDocument, ParagraphKind
from videophone.identity.domain.identity_numbers import IdDocumentType
from videophone.identity.domain.policy import InputKind, OperatorPolicy, ParamKind, parameter_specs
from videophone.identity.services.auth import IssuedSession

PolicyValue = str | int
"""A policy parameter's value: decimals as text, whole numbers as integers, text as text."""


class Health(BaseModel):
    status: Literal["ok"]
    policy_version: int


class IdTypeAnswer(BaseModel):
    """An accepted identity document type with its labels."""

    model_config = ConfigDict(populate_by_name=True)

    value: IdDocumentType
    zh_cn: str = Field(alias="zh-CN")
    en: str


class ParameterSpec(BaseModel):
    """One policy parameter (a blank of the contract): labels, bounds and default."""

    name: str
    kind: ParamKind
    group: str
    label_zh: str
    label_en: str
    min: str | None
    max: str | None
    clause: str
    unit: str = Field(description="What a number counts (years, days, bytes, …); empty for text")
    input: InputKind = Field(description="How an editor shows it: text, a number, a select, a switch")
    choices: list[str] = Field(description="The values a select offers (empty otherwise)")
    default: PolicyValue


class PolicyValues(BaseModel):
    version: int
    values: dict[str, PolicyValue]


class PolicyAnswer(PolicyValues):
    """The operator's policy parameters, current values and their descriptions."""

    parameters: list[ParameterSpec]

    @classmethod
    def of(cls, version: int, policy: OperatorPolicy) -> PolicyAnswer:
        return cls(
            version=version,
            values=policy.to_mapping(),
            parameters=[ParameterSpec.model_validate(p) for p in parameter_specs()],
        )


class ParagraphAnswer(BaseModel):
    model_config = FROM_VIEW

    kind: ParagraphKind
    text: str


class AgreementAnswer(BaseModel):
    """A rendered agreement (the current template, or filled with the subscriber's details)."""

    model_config = FROM_VIEW

    version: int
    title: str
    paragraphs: list[ParagraphAnswer]
    language: str = Field(description='"en" for the English translation (the Chinese text prevails), else "zh-CN"')
    has_translation: bool = Field(description="Whether this version has an English translation")

    @classmethod
    def of(cls, doc: AgreementDocument) -> AgreementAnswer:
        return cls.model_validate(doc)


class ApiLogin(BaseModel):
    """A login with ``kind: api``: the bearer token to send as ``Authorization: Bearer …``."""

    subscriber_id: int
    expires_at: IsoInstant
    token: str


class BrowserLogin(BaseModel):
    """A browser login: the session is in a cookie; echo ``csrf_token`` in ``X-CSRF-Token``."""

    subscriber_id: int
    expires_at: IsoInstant
    csrf_token: str


def login_answer(issued: IssuedSession, *, api: bool) -> ApiLogin | BrowserLogin:
    common: dict[str, Any] = {"subscriber_id": issued.principal_id, "expires_at": issued.expires_at}
    if api:
        return ApiLogin(**common, token=issued.token)
    return BrowserLogin(**common, csrf_token=issued.csrf_token)


class Accepted(BaseModel):
    status: Literal["accepted"]


class StaffLogin(BaseModel):
    staff_id: int
    csrf_token: str
    expires_at: IsoInstant

    @classmethod
    def of(cls, issued: IssuedSession) -> StaffLogin:
        return cls(staff_id=issued.principal_id, csrf_token=issued.csrf_token, expires_at=issued.expires_at)

"""Answers about SIP phones (issue 16): a phone's registration, its SIP account, the registrar."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from videophone.terminals.services.sip_credentials import EdgeAuth, IssuedSip, SipCredentialView
from videophone.terminals.services.terminal_views import SipProvisioning, SipSettings


class _Answer(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SipStateAnswer(_Answer):
    """A phone's SIP credential in force and its last registration as the SIP edge reported it."""

    auth_user: str
    registered: bool = Field(description="Registered now (its last registration has not expired)")
    last_register_at: datetime | None
    registered_until: datetime | None
    user_agent: str
    address: str = Field(description="The address (ip:port) it last registered from")


class RegistrarAnswer(_Answer):
    """Where SIP phones register and what they should use."""

    domain: str
    registrar_host: str
    registrar_port: int
    transports: list[str]
    realm: str
    stun_urls: list[str]
    video_codecs: list[str]
    audio_codecs: list[str]

    @classmethod
    def of(cls, s: SipSettings) -> Self:
        return cls.model_validate(s)


class SipAccountAnswer(_Answer):
    """A phone's SIP account; ``password`` only in the answer that made it (shown once), else empty."""

    auth_user: str
    password: str
    registrar: RegistrarAnswer

    @classmethod
    def of(cls, p: SipProvisioning) -> Self:
        return cls.model_validate(p)


class SipCredentialAnswer(_Answer):
    """A softphone's SIP credential (the password is never stored)."""

    id: int
    kind: Literal["terminal", "softphone"]
    label: str
    created_at: datetime
    state: SipStateAnswer

    @classmethod
    def of(cls, view: SipCredentialView) -> Self:
        return cls.model_validate(view)


class MySipCredentials(BaseModel):
    items: list[SipCredentialAnswer]
    max: int = Field(description="How many softphone credentials a subscriber may have")
    registrar: RegistrarAnswer


class IssuedSipAnswer(BaseModel):
    """A new softphone credential with its password, shown this once."""

    credential: SipCredentialAnswer
    password: str
    registrar: RegistrarAnswer

    @classmethod
    def of(cls, issued: IssuedSip) -> Self:
        return cls(
            credential=SipCredentialAnswer.of(issued.credential),
            password=issued.password,
            registrar=RegistrarAnswer.of(issued.settings),
        )


class EdgeAuthAnswer(BaseModel):
    """For the SIP edge: the digest HA1 of a user that may register, and its subscriber's number."""

    ha1: str
    number: str

    @classmethod
    def of(cls, a: EdgeAuth) -> Self:
        return cls(ha1=a.ha1, number=a.number)

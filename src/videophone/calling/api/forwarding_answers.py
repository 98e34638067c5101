"""Answers of the call-forwarding routes (``api.forwarding``, R-17)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import Field

from videophone.calling.services.forwarding import ForwardingView
from videophone.edge.answers.fields import Answer

Condition = Literal["unconditional", "busy", "no_answer", "unreachable"]  # ``domain.forwarding.Condition``
TargetKind = Literal["number", "voicemail"]  # ``domain.forwarding.TargetKind``


class ForwardingRuleAnswer(Answer):
    condition: Condition
    target: TargetKind
    number: str = Field(description="The number calls go to (target `number`); empty for voicemail")
    delay_seconds: int | None = Field(description="No answer only: seconds of ringing before the call is forwarded")
    updated_at: datetime


class ForwardingAnswer(Answer):
    """A subscriber's call forwarding: the rules apply only while ``subscribed`` (the forwarding
    value-added service); ``voicemail``: "to my voicemail" is a valid target."""

    subscribed: bool
    voicemail: bool
    rules: list[ForwardingRuleAnswer]
    delay_min: int
    delay_max: int
    delay_default: int
    max_hops: int = Field(description="A call is forwarded at most this many times")

    @classmethod
    def of(cls, view: ForwardingView) -> Self:
        return cls.model_validate(view)

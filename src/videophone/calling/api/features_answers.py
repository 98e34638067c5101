"""Answers of the features routes (issue 14)."""

from __future__ import annotations

from pydantic import Field

from videophone.calling.api.forwarding_answers import ForwardingRuleAnswer
from videophone.edge.answers.fields import Answer


class SubscriberFeatures(Answer):
    """The calling features a subscriber has now, from their value-added services."""

    subscriber_id: int
    features: list[str] = Field(description="caller_id, forwarding, voicemail, second_number — those in force now")
    second_number: str | None = Field(description="The second number (第二号码) the subscriber holds now")
    forwarding: list[ForwardingRuleAnswer] = Field(
        description="The subscriber's forwarding rules as saved (they apply only while they have forwarding)"
    )

"""Answers of the features routes (issue 14)."""

from __future__ import annotations

from pydantic import Field

from videophone.edge.answers.fields import Answer


class SubscriberFeatures(Answer):
    """The calling features a subscriber has now, from their value-added services."""

    subscriber_id: int
    features: list[str] = Field(description="caller_id, forwarding, voicemail, second_number — those in force now")

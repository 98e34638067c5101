"""Answers of the notification-preference routes (``web/api/preferences.py``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from videophone.edge.answers.fields import FROM_VIEW
from videophone.notices.domain import notification_prefs as prefs
from videophone.notices.services.notifications import PreferencesView

Category = Literal["billing", "overdue", "service", "announcements", "disputes", "credit_limit", "calls", "other"]
"""``domain.notification_prefs.CATEGORIES``."""
Channel = Literal["email", "sms", "push"]
"""``domain.notification_prefs.CHANNELS``."""
ALWAYS_SENT = ["service_suspension", "service_termination", "agreement_change"]


class Preference(BaseModel):
    """One category's switches, with the defaults used until the subscriber changes them."""

    model_config = FROM_VIEW

    category: Category
    email: bool
    sms: bool
    email_default: bool
    sms_default: bool
    push: bool = Field(description="Web Push to the browsers the subscriber enabled (R-36)")
    push_default: bool


class Preferences(BaseModel):
    categories: list[Preference]
    channels: list[Channel]
    email_to: str = Field(description="The address email notifications go to")
    sms_to: str = Field(description="The masked contact phone SMS go to (empty when there is none)")
    always_sent: list[str] = Field(description="Notices sent on every channel whatever the switches say")

    @classmethod
    def of(cls, view: PreferencesView) -> Preferences:
        return cls.model_validate(
            {
                "categories": [Preference.model_validate(c) for c in view.categories],
                "channels": list(prefs.CHANNELS),
                "email_to": view.email_to,
                "sms_to": view.sms_to,
                "always_sent": ALWAYS_SENT,
            }
        )

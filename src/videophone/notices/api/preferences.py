"""Notification preferences (R-35): which categories of notifications reach the subscriber by email and
by SMS.  In-app notifications are always on; legally required notices ignore an "off"."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from videophone.edge.deps import ContainerDep, SubscriberDep, actor_of
from videophone.notices.api.preferences_answers import Preferences

router = APIRouter(prefix="/api/v1")


class PreferenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str = Field(
        description="billing | overdue | service | announcements | disputes | credit_limit | calls | other"
    )
    channel: str = Field(description="email | sms | push")
    enabled: bool


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    preferences: list[PreferenceIn] = Field(max_length=50, description="The switches to change; others keep theirs")


@router.get("/me/notification-preferences", tags=["subscriber"])
async def my_notification_preferences(principal: SubscriberDep, c: ContainerDep) -> Preferences:
    """Per category: email and SMS on/off (with the defaults), the addresses used, and which notices
    are always sent."""
    return Preferences.of(await c.notifications.preferences(principal.id))


@router.put("/me/notification-preferences", tags=["subscriber"])
async def set_my_notification_preferences(
    body: PreferencesIn, principal: SubscriberDep, c: ContainerDep, request: Request
) -> Preferences:
    """Change some switches; an unknown category or channel is refused and changes nothing."""
    view = await c.notifications.set_preferences(
        principal.id, [p.model_dump() for p in body.preferences], actor=actor_of(principal, request)
    )
    return Preferences.of(view)

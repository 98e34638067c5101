"""Web Push (R-36): the browsers of a subscriber that receive calls and notices while the portal is
closed, and the key they subscribe with."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from videophone.edge.answers.fields import FROM_VIEW
from videophone.edge.deps import ContainerDep, SubscriberDep, actor_of, user_agent
from videophone.edge.params import Id

router = APIRouter(prefix="/api/v1")


class PushKeysIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    p256dh: str = Field(max_length=200, description="base64url of the browser's P-256 public key (65 bytes)")
    auth: str = Field(max_length=100, description="base64url of the browser's 16-byte auth secret")


class PushSubscriptionIn(BaseModel):
    """``PushSubscription.toJSON()`` of the browser, and the page's signaling device id."""

    model_config = ConfigDict(extra="ignore")  # expirationTime and whatever a browser adds

    device_id: str = Field(max_length=64, description="The signaling device id of this browser's pages")
    endpoint: str = Field(max_length=4000, description="The push service URL (https, at most 1000 characters)")
    keys: PushKeysIn


class PushSubscriptionAnswer(BaseModel):
    model_config = FROM_VIEW

    id: int
    device_id: str
    label: str = Field(description="The browser and system, from its user agent")
    origin: str = Field(description="The push service (the endpoint's origin; its path is never shown)")
    created_at: datetime
    last_success_at: datetime | None


class VapidKeyAnswer(BaseModel):
    public_key: str = Field(description="The VAPID public key (base64url): the applicationServerKey")


@router.get("/push/vapid-public-key", tags=["subscriber"])
async def vapid_public_key(c: ContainerDep) -> VapidKeyAnswer:
    """The key browsers subscribe with (404 ``push_unavailable`` when the service has none)."""
    return VapidKeyAnswer(public_key=c.push.public_key())


@router.get("/me/push-subscriptions", tags=["subscriber"])
async def my_push_subscriptions(principal: SubscriberDep, c: ContainerDep) -> list[PushSubscriptionAnswer]:
    return [PushSubscriptionAnswer.model_validate(v) for v in await c.push.list(principal.id)]


@router.post("/me/push-subscriptions", status_code=201, tags=["subscriber"])
async def add_push_subscription(
    body: PushSubscriptionIn, principal: SubscriberDep, c: ContainerDep, request: Request
) -> PushSubscriptionAnswer:
    """Enable push on this device (replacing its earlier subscription; the oldest of more than ten goes)."""
    view = await c.push.subscribe(
        principal.id,
        device_id=body.device_id,
        endpoint=body.endpoint,
        p256dh=body.keys.p256dh,
        auth=body.keys.auth,
        user_agent=user_agent(request),
        actor=actor_of(principal, request),
    )
    return PushSubscriptionAnswer.model_validate(view)


@router.delete("/me/push-subscriptions/{subscription_id}", status_code=204, tags=["subscriber"])
async def remove_push_subscription(
    subscription_id: Id, principal: SubscriberDep, c: ContainerDep, request: Request
) -> None:
    await c.push.unsubscribe(principal.id, subscription_id, actor=actor_of(principal, request))

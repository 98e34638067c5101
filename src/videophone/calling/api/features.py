"""The calling features value-added services turn on (issue 14): what the console sees of a subscriber."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from videophone.calling.api.features_answers import SubscriberFeatures
from videophone.calling.api.forwarding_answers import ForwardingRuleAnswer
from videophone.calling.domain.features import FEATURES
from videophone.calling.services import entitlements
from videophone.edge.deps import ContainerDep, staff_with
from videophone.edge.params import Id
from videophone.identity.domain.staff import Permission
from videophone.identity.public import Principal

router = APIRouter(prefix="/api/v1")

SubscriberViewer = Annotated[Principal, Depends(staff_with(Permission.VIEW_SUBSCRIBERS))]


@router.get("/console/subscribers/{subscriber_id}/features", tags=["console"])
async def console_subscriber_features(
    subscriber_id: Id, principal: SubscriberViewer, c: ContainerDep
) -> SubscriberFeatures:
    """The calling features a subscriber has now (their value-added services in force)."""
    now = await entitlements.features_now(c.deps, subscriber_id)
    forwarding = await c.forwarding.settings(subscriber_id)
    return SubscriberFeatures(
        subscriber_id=subscriber_id,
        features=[f for f in FEATURES if f in now.features],
        second_number=now.second_number,
        forwarding=[ForwardingRuleAnswer.model_validate(r) for r in forwarding.rules],
    )

"""Call forwarding (呼叫转移, R-17): the subscriber's own rules."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from videophone.calling.api.forwarding_answers import ForwardingAnswer
from videophone.edge.deps import ContainerDep, SubscriberDep, actor_of

router = APIRouter(prefix="/api/v1", tags=["forwarding"])


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ForwardingRuleIn(_Body):
    condition: str = Field(max_length=32, description="unconditional | busy | no_answer | unreachable")
    target: str = Field(max_length=16, description="number | voicemail (only with the voicemail service)")
    number: str = Field(default="", max_length=40, description="A number of the service, not your own")
    delay_seconds: int | None = Field(
        default=None, ge=-1_000_000, le=1_000_000, description="no_answer only: 5–60 seconds (default 20)"
    )


class ForwardingIn(_Body):
    rules: list[ForwardingRuleIn] = Field(max_length=4, description="At most one rule per condition; [] turns it off")


@router.get("/me/forwarding")
async def my_forwarding(principal: SubscriberDep, c: ContainerDep) -> ForwardingAnswer:
    """The rules, whether they apply now (subscribed) and the bounds of the settings."""
    return ForwardingAnswer.of(await c.forwarding.settings(principal.id))


@router.put("/me/forwarding")
async def set_my_forwarding(
    body: ForwardingIn, principal: SubscriberDep, c: ContainerDep, request: Request
) -> ForwardingAnswer:
    """Replace the rules (only while subscribed to call forwarding; an empty list is always allowed)."""
    rules = [r.model_dump() for r in body.rules]
    return ForwardingAnswer.of(await c.forwarding.save(actor_of(principal, request), principal.id, rules))

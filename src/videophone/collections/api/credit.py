"""The credit limit (R-26): the subscriber's monthly limit and where they stand against it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from videophone.collections.api.credit_answers import CreditLimit
from videophone.edge.deps import ContainerDep, SubscriberDep, actor_of
from videophone.edge.params import BodyCount

router = APIRouter(prefix="/api/v1")


class CreditLimitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit_yuan: BodyCount | None = Field(
        description="One of the operator's options (whole yuan, see `options`), or null for no limit",
    )


@router.get("/me/credit-limit", tags=["subscriber"])
async def my_credit_limit(principal: SubscriberDep, c: ContainerDep) -> CreditLimit:
    """The chosen limit, the options offered, this month's usage, reservations of calls in progress,
    what remains, the warnings sent this month and whether the service is barred for the limit."""
    return CreditLimit.of(await c.credit.status(principal.id))


@router.put("/me/credit-limit", tags=["subscriber"])
async def set_my_credit_limit(
    body: CreditLimitIn, principal: SubscriberDep, c: ContainerDep, request: Request
) -> CreditLimit:
    """Choose a monthly limit (or none).  Raising it above the usage restores barred calls at once;
    lowering it below the usage bars them."""
    status = await c.credit.set_limit(principal.id, body.limit_yuan, actor=actor_of(principal, request))
    return CreditLimit.of(status)

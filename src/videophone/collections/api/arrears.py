"""Debts, notifications, account history and arrears (R-24, R-35)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from videophone.collections.api.arrears_answers import (
    AccountEvent,
    AccountHistory,
    ArrearsList,
    ConsoleAccount,
    Debts,
    Marked,
    Notifications,
    PortalNotification,
)
from videophone.edge.deps import ContainerDep, ReaderLanguage, SubscriberDep, staff_with
from videophone.edge.params import INT64_MAX, Id, IdQuery
from videophone.identity.domain.staff import Permission
from videophone.identity.public import Principal
from videophone.kernel.errors import FieldError, ValidationFailed

router = APIRouter(prefix="/api/v1")

BillingViewer = Annotated[Principal, Depends(staff_with(Permission.VIEW_BILLING))]
SubscriberViewer = Annotated[Principal, Depends(staff_with(Permission.VIEW_SUBSCRIBERS))]
Limit = Annotated[int, Query(ge=1, le=100)]
BUCKETS = ("", "0-30", "31-60", "61-90", "90+", "late_fees")


class MarkReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Below 1 is answered by the route with its own code; the upper bound keeps it in the column's range.
    up_to_id: Annotated[int, Field(le=INT64_MAX)] | None = Field(
        default=None, description="Mark read up to this id (all when absent)"
    )


# -- the subscriber -----------------------------------------------------------------------------------------
@router.get("/me/debts", tags=["subscriber"])
async def my_debts(principal: SubscriberDep, c: ContainerDep) -> Debts:
    """What is owed, overdue (late fees included, disputed amounts excluded) and settled per bill."""
    return Debts.of(await c.arrears.debts(principal.id))


@router.get("/me/notifications", tags=["subscriber"])
async def my_notifications(
    principal: SubscriberDep, c: ContainerDep, language: ReaderLanguage, limit: Limit = 50, before_id: IdQuery = None
) -> Notifications:
    """The in-app notifications, newest first, rendered in the reader's interface language (the
    ``vp_lang`` cookie, else Accept-Language) — email and SMS copies follow the notice language."""
    items = await c.notifications.list(principal.id, language, limit=limit, before_id=before_id)
    return Notifications(
        items=[PortalNotification.model_validate(n) for n in items],
        unread=await c.notifications.unread_count(principal.id),
    )


@router.post("/me/notifications/read", tags=["subscriber"])
async def my_notifications_read(principal: SubscriberDep, c: ContainerDep, body: MarkReadIn) -> Marked:
    if body.up_to_id is not None and body.up_to_id < 1:
        raise ValidationFailed([FieldError("up_to_id", "notifications_up_to_invalid")])
    marked = await c.notifications.mark_read(principal.id, up_to_id=body.up_to_id)
    return Marked(marked=marked, unread=await c.notifications.unread_count(principal.id))


@router.get("/me/account-history", tags=["subscriber"])
async def my_account_history(
    principal: SubscriberDep, c: ContainerDep, limit: Limit = 50, before_id: IdQuery = None
) -> AccountHistory:
    items = await c.account_history.list(principal.id, limit=limit, before_id=before_id)
    return AccountHistory(items=[AccountEvent.model_validate(e) for e in items])


# -- the console ---------------------------------------------------------------------------------------------
@router.get("/console/arrears", tags=["console"])
async def console_arrears(principal: BillingViewer, c: ContainerDep, bucket: str = "") -> ArrearsList:
    """Accounts with something overdue, oldest first, with their ageing bucket and service state."""
    if bucket not in BUCKETS:
        raise ValidationFailed([FieldError("bucket", "arrears_bucket_invalid")])
    return ArrearsList.of(await c.arrears.overdue_accounts(bucket=bucket))


@router.get("/console/subscribers/{subscriber_id}/account", tags=["console"])
async def console_subscriber_account(subscriber_id: Id, principal: SubscriberViewer, c: ContainerDep) -> ConsoleAccount:
    """Debts, open restrictions and account history of one subscriber."""
    return ConsoleAccount.of(await c.arrears.account(subscriber_id))

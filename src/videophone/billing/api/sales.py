"""Tariffs, the price list and orders (R-20, R-21).

The price list is public.  A subscriber sees their own services and orders only (another owner's
order is not found) and orders through one route; orders are immutable, so there is no update or
delete.  Staff with ``manage_tariffs`` keep the catalog.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from videophone.billing.api.sales_answers import (
    CatalogAnswer,
    CurrentServicesAnswer,
    OrderAnswer,
    PlanAnswer,
    PriceListAnswer,
    VasAnswer,
)
from videophone.edge.deps import ContainerDep, ReaderLanguage, SubscriberDep, actor_of, staff_with
from videophone.edge.openapi import binary_response
from videophone.edge.params import Id
from videophone.edge.views import pdf_response
from videophone.identity.domain.staff import Permission
from videophone.identity.public import Principal
from videophone.kernel.text import in_language

router = APIRouter(prefix="/api/v1", tags=["sales"])

TariffManager = Annotated[Principal, Depends(staff_with(Permission.MANAGE_TARIFFS))]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DescriptionsIn(_Body):
    description: Any = Field(default=None, description="In Chinese (up to 1000 characters; empty: none)")
    description_en: Any = Field(default=None, description="In English (up to 1000 characters; empty: none)")


def _plan(view: object, language: str) -> PlanAnswer:
    answer = PlanAnswer.model_validate(view)
    return answer.model_copy(
        update={"description_text": in_language(language, answer.description, answer.description_en)}
    )


def _vas(view: object, language: str) -> VasAnswer:
    answer = VasAnswer.model_validate(view)
    return answer.model_copy(
        update={"description_text": in_language(language, answer.description, answer.description_en)}
    )


class OrderIn(_Body):
    action: Literal["change_plan", "add_vas", "remove_vas"]
    code: str = Field(default="", max_length=64)


class PlanIn(_Body):
    code: Any = None
    name_zh: Any = None
    name_en: Any = None
    description: Any = None
    description_en: Any = None
    monthly_rent: Any = Field(default=None, description='Yuan as a string, e.g. "18.00"')
    included_minutes: Any = None
    rate_per_minute: Any = Field(default=None, description='Yuan per minute, up to 4 decimals, e.g. "0.15"')
    first_increment_seconds: Any = None
    next_increment_seconds: Any = None
    effective_from: Any = Field(default=None, description="YYYY-MM-DD, today or later (default today)")


class PlanPriceIn(_Body):
    effective_from: Any = None
    monthly_rent: Any = None
    included_minutes: Any = None
    rate_per_minute: Any = None
    first_increment_seconds: Any = None
    next_increment_seconds: Any = None


class VasIn(_Body):
    code: Any = None
    name_zh: Any = None
    name_en: Any = None
    description: Any = None
    description_en: Any = None
    monthly_fee: Any = Field(default=None, description='Yuan as a string, e.g. "5.00"')
    effective_from: Any = None
    feature: Any = Field(
        default=None,
        description="the calling feature it turns on: caller_id, forwarding, voicemail, second_number; empty: fee only",
    )


class VasPriceIn(_Body):
    effective_from: Any = None
    monthly_fee: Any = None


class ActiveIn(_Body):
    active: bool


def _channel(principal: Principal) -> str:
    return "api" if principal.session_kind == "api" else "web"


# -- public ------------------------------------------------------------------------------------------------
@router.get("/prices")
async def price_list(c: ContainerDep, language: ReaderLanguage) -> PriceListAnswer:
    """The public price list: plans and value-added services in force today, and announced changes."""
    listed = PriceListAnswer.model_validate(await c.tariffs.price_list())
    return listed.model_copy(
        update={"plans": [_plan(p, language) for p in listed.plans], "vas": [_vas(v, language) for v in listed.vas]}
    )


# -- the subscriber ------------------------------------------------------------------------------------
@router.get("/me/services")
async def my_services(principal: SubscriberDep, c: ContainerDep) -> CurrentServicesAnswer:
    return CurrentServicesAnswer.model_validate(await c.orders.current_services(principal.id))


@router.get("/me/orders")
async def my_orders(principal: SubscriberDep, c: ContainerDep) -> list[OrderAnswer]:
    return [OrderAnswer.model_validate(o) for o in await c.orders.orders(principal.id)]


@router.post("/me/orders", status_code=201)
async def place_order(body: OrderIn, principal: SubscriberDep, request: Request, c: ContainerDep) -> OrderAnswer:
    actor = actor_of(principal, request)
    channel = _channel(principal)
    if body.action == "change_plan":
        view = await c.orders.change_plan(actor, principal.id, body.code, channel=channel)
    elif body.action == "add_vas":
        view = await c.orders.add_vas(actor, principal.id, body.code, channel=channel)
    else:
        view = await c.orders.remove_vas(actor, principal.id, body.code, channel=channel)
    return OrderAnswer.model_validate(view)


# Declared before /me/orders/{order_id}: "12.pdf" must not be taken for an order id.
@router.get("/me/orders/{order_id}.pdf", response_class=Response, responses=binary_response("application/pdf"))
async def my_order_pdf(order_id: Id, principal: SubscriberDep, c: ContainerDep) -> Response:
    number, pdf = await c.orders.order_pdf(principal.id, order_id)
    return pdf_response(pdf, f"{number}.pdf")


@router.get("/me/orders/{order_id}")
async def my_order(order_id: Id, principal: SubscriberDep, c: ContainerDep) -> OrderAnswer:
    return OrderAnswer.model_validate(await c.orders.order(principal.id, order_id))


# -- console -------------------------------------------------------------------------------------------------
@router.get("/console/tariffs")
async def tariffs(principal: TariffManager, c: ContainerDep, language: ReaderLanguage) -> CatalogAnswer:
    plans, services = await c.tariffs.catalog()
    return CatalogAnswer(
        today=c.tariffs.today(),
        plans=[_plan(p, language) for p in plans],
        vas=[_vas(v, language) for v in services],
    )


@router.post("/console/tariffs/plans", status_code=201)
async def create_plan(
    body: PlanIn, principal: TariffManager, request: Request, c: ContainerDep, language: ReaderLanguage
) -> PlanAnswer:
    return _plan(await c.tariffs.create_plan(actor_of(principal, request), body.model_dump()), language)


@router.post("/console/tariffs/plans/{code}/prices", status_code=201)
async def add_plan_price(
    code: str, body: PlanPriceIn, principal: TariffManager, request: Request, c: ContainerDep, language: ReaderLanguage
) -> PlanAnswer:
    return _plan(await c.tariffs.add_plan_price(actor_of(principal, request), code, body.model_dump()), language)


@router.post("/console/tariffs/plans/{code}/active")
async def set_plan_active(
    code: str, body: ActiveIn, principal: TariffManager, request: Request, c: ContainerDep, language: ReaderLanguage
) -> PlanAnswer:
    return _plan(await c.tariffs.set_plan_active(actor_of(principal, request), code, body.active), language)


@router.post("/console/tariffs/vas", status_code=201)
async def create_vas(
    body: VasIn, principal: TariffManager, request: Request, c: ContainerDep, language: ReaderLanguage
) -> VasAnswer:
    return _vas(await c.tariffs.create_vas(actor_of(principal, request), body.model_dump()), language)


@router.post("/console/tariffs/vas/{code}/prices", status_code=201)
async def add_vas_price(
    code: str, body: VasPriceIn, principal: TariffManager, request: Request, c: ContainerDep, language: ReaderLanguage
) -> VasAnswer:
    return _vas(await c.tariffs.add_vas_price(actor_of(principal, request), code, body.model_dump()), language)


@router.post("/console/tariffs/vas/{code}/active")
async def set_vas_active(
    code: str, body: ActiveIn, principal: TariffManager, request: Request, c: ContainerDep, language: ReaderLanguage
) -> VasAnswer:
    return _vas(await c.tariffs.set_vas_active(actor_of(principal, request), code, body.active), language)


@router.post("/console/tariffs/plans/{code}/descriptions")
async def describe_plan(
    code: str,
    body: DescriptionsIn,
    principal: TariffManager,
    request: Request,
    c: ContainerDep,
    language: ReaderLanguage,
) -> PlanAnswer:
    """Rewrite the plan's descriptions, in Chinese and in English (the portal shows the reader's)."""
    return _plan(
        await c.tariffs.set_descriptions(actor_of(principal, request), "plan", code, body.model_dump()), language
    )


@router.post("/console/tariffs/vas/{code}/descriptions")
async def describe_vas(
    code: str,
    body: DescriptionsIn,
    principal: TariffManager,
    request: Request,
    c: ContainerDep,
    language: ReaderLanguage,
) -> VasAnswer:
    """Rewrite the service's descriptions, in Chinese and in English."""
    return _vas(
        await c.tariffs.set_descriptions(actor_of(principal, request), "vas", code, body.model_dump()), language
    )

"""Answers of the tariff, price-list and order routes (``web.api.sales``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from videophone.edge.answers.fields import Answer

ItemKind = Literal["plan", "vas"]
OrderKind = Literal["initial_plan", "plan_change", "vas_add", "vas_remove"]
ItemAction = Literal["subscribe", "change", "add", "remove"]


class PlanPriceAnswer(Answer):
    id: int
    effective_from: date
    monthly_rent_fen: int
    monthly_rent: str
    included_minutes: int
    rate_per_minute: str
    first_increment_seconds: int
    next_increment_seconds: int


class VasPriceAnswer(Answer):
    id: int
    effective_from: date
    monthly_fee_fen: int
    monthly_fee: str


class PlanAnswer(Answer):
    id: int
    code: str
    name_zh: str
    name_en: str
    description: str  # zh-CN
    description_en: str
    description_text: str = Field(default="", description="the description in the reader's language")
    active: bool
    price: PlanPriceAnswer | None  # in force on the day asked about
    upcoming: list[PlanPriceAnswer]
    history: list[PlanPriceAnswer]  # every price, oldest first (console only; empty in the price list)


class VasAnswer(Answer):
    id: int
    code: str
    name_zh: str
    name_en: str
    description: str  # zh-CN
    description_en: str
    description_text: str = Field(default="", description="the description in the reader's language")
    active: bool
    price: VasPriceAnswer | None
    upcoming: list[VasPriceAnswer]
    history: list[VasPriceAnswer]
    feature: str | None = Field(
        description="the calling feature the service turns on (caller_id, forwarding, voicemail, second_number); null: fee only"
    )


class UpcomingChangeAnswer(Answer):
    """A price announced to take effect after the day of the price list."""

    item_kind: ItemKind
    code: str
    name_zh: str
    name_en: str
    effective_from: date
    monthly_fee_fen: int
    monthly_fee: str
    plan_price: PlanPriceAnswer | None  # the whole new plan price (plans only)


class PriceListAnswer(Answer):
    day: date
    plans: list[PlanAnswer]
    vas: list[VasAnswer]
    upcoming_changes: list[UpcomingChangeAnswer]


class CatalogAnswer(Answer):
    today: date
    plans: list[PlanAnswer]
    vas: list[VasAnswer]


class OrderItemAnswer(Answer):
    item_kind: ItemKind
    code: str
    name: str
    action: ItemAction
    monthly_fee_fen: int
    monthly_fee: str
    price_detail: dict[str, Any]  # the price as ordered (kept with the order as it was then)


class OrderAnswer(Answer):
    id: int
    number: str
    kind: OrderKind
    state: str
    effective_date: date
    agreement_version: int
    created_at: datetime
    channel: str
    items: list[OrderItemAnswer]
    monthly_fee_fen: int  # the sum of the items' monthly fees
    monthly_fee: str


class HeldPlanAnswer(Answer):
    code: str
    name_zh: str
    name_en: str
    start_date: date
    end_date: date | None  # exclusive (the first day no longer covered)
    last_day: date | None
    monthly_fee_fen: int
    monthly_fee: str
    price: dict[str, int | str]  # the plan's terms in force (empty without a price)


class HeldVasAnswer(Answer):
    code: str
    name_zh: str
    name_en: str
    start_date: date
    end_date: date | None  # exclusive
    last_day: date | None
    removable: bool
    monthly_fee_fen: int
    monthly_fee: str


class CurrentServicesAnswer(Answer):
    day: date
    review_state: str
    may_order: bool
    plan: HeldPlanAnswer | None
    pending_plan: HeldPlanAnswer | None  # a plan change ordered to start later
    vas: list[HeldVasAnswer]
    monthly_fee_fen: int  # plan rent + services in force on ``day``
    monthly_fee: str

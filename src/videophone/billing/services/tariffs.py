"""Tariffs and the public price list (R-20).

Plans (套餐) and value-added services each carry effective-dated prices: a price change is a new row
from a date (today or later), never an edit of an old one, so a call or a bill always finds the price
of its own time.  Staff with ``manage_tariffs`` keep the catalog; every change is audited
(``tariff.*``).  The price list is public.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from videophone.adapters.db.models import Plan, PlanPrice, ValueAddedService, VasPrice
from videophone.adapters.db.uow import UnitOfWork
from videophone.billing.domain import tariffs as rules
from videophone.billing.store import tariffs as store
from videophone.common import audit
from videophone.common.deps import Actor, Deps
from videophone.kernel.errors import FieldError, NotFound, ValidationFailed
from videophone.kernel.money import Money


# -- views -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanPriceView:
    id: int
    effective_from: date
    monthly_rent_fen: int
    monthly_rent: str
    included_minutes: int
    rate_per_minute: str
    first_increment_seconds: int
    next_increment_seconds: int

    @staticmethod
    def of(row: PlanPrice) -> PlanPriceView:
        rent = Money(int(row.monthly_rent_fen))
        return PlanPriceView(
            row.id,
            row.effective_from,
            rent.fen,
            str(rent.yuan),
            int(row.included_minutes),
            str(plan_terms(row).rate_per_minute),
            int(row.first_increment_seconds),
            int(row.next_increment_seconds),
        )


@dataclass(frozen=True)
class VasPriceView:
    id: int
    effective_from: date
    monthly_fee_fen: int
    monthly_fee: str

    @staticmethod
    def of(row: VasPrice) -> VasPriceView:
        fee = Money(int(row.monthly_fee_fen))
        return VasPriceView(row.id, row.effective_from, fee.fen, str(fee.yuan))


@dataclass(frozen=True)
class PlanView:
    id: int
    code: str
    name_zh: str
    name_en: str
    description: str
    description_en: str
    active: bool
    price: PlanPriceView | None  # in force on the day asked about
    upcoming: list[PlanPriceView] = field(default_factory=list)
    history: list[PlanPriceView] = field(default_factory=list)  # every price, oldest first (console)


@dataclass(frozen=True)
class VasView:
    id: int
    code: str
    name_zh: str
    name_en: str
    description: str
    description_en: str
    active: bool
    price: VasPriceView | None
    upcoming: list[VasPriceView] = field(default_factory=list)
    history: list[VasPriceView] = field(default_factory=list)
    feature: str | None = None  # the calling feature it turns on; None: fee only


@dataclass(frozen=True)
class PriceList:
    day: date
    plans: list[PlanView]
    vas: list[VasView]
    upcoming_changes: list[dict[str, Any]]  # {"item_kind", "code", "name_zh", "name_en", "effective_from", ...}


def plan_terms(row: PlanPrice) -> rules.PlanTerms:
    return rules.PlanTerms(
        monthly_rent=Money(int(row.monthly_rent_fen)),
        included_minutes=int(row.included_minutes),
        rate_per_minute=rules.canonical_rate(row.rate_per_minute),
        first_increment_seconds=int(row.first_increment_seconds),
        next_increment_seconds=int(row.next_increment_seconds),
    )


def plan_view(row: Plan, prices: Sequence[PlanPrice], day: date, *, history: bool = False) -> PlanView:
    current = rules.price_in_force(prices, day)
    ordered = sorted(prices, key=lambda p: p.effective_from)
    return PlanView(
        row.id,
        row.code,
        row.name_zh,
        row.name_en,
        row.description,
        row.description_en,
        row.active,
        PlanPriceView.of(current) if current else None,
        [PlanPriceView.of(p) for p in rules.upcoming_prices(prices, day)],
        [PlanPriceView.of(p) for p in ordered] if history else [],
    )


def vas_view(row: ValueAddedService, prices: Sequence[VasPrice], day: date, *, history: bool = False) -> VasView:
    current = rules.price_in_force(prices, day)
    ordered = sorted(prices, key=lambda p: p.effective_from)
    return VasView(
        row.id,
        row.code,
        row.name_zh,
        row.name_en,
        row.description,
        row.description_en,
        row.active,
        VasPriceView.of(current) if current else None,
        [VasPriceView.of(p) for p in rules.upcoming_prices(prices, day)],
        [VasPriceView.of(p) for p in ordered] if history else [],
        row.feature,
    )


# -- lookups shared with the order service ---------------------------------------------------------------
async def plan_prices(uow: UnitOfWork, plan_id: int) -> list[PlanPrice]:
    return await store.prices_of_plan(uow.session, plan_id)


async def vas_prices(uow: UnitOfWork, vas_id: int) -> list[VasPrice]:
    return await store.prices_of_vas(uow.session, vas_id)


async def plan_by_code(uow: UnitOfWork, code: str, *, lock: bool = False) -> Plan:
    row = await store.plan_by_code(uow.session, code.strip().lower(), lock=lock)
    if row is None:
        raise NotFound("plan_not_found", params={"code": code})
    return row


async def vas_by_code(uow: UnitOfWork, code: str, *, lock: bool = False) -> ValueAddedService:
    row = await store.vas_by_code(uow.session, code.strip().lower(), lock=lock)
    if row is None:
        raise NotFound("vas_not_found", params={"code": code})
    return row


# -- the demo catalog --------------------------------------------------------------------------------------
DEMO_PLANS: list[dict[str, Any]] = [
    {
        "code": "basic",
        "name_zh": "基础套餐",
        "name_en": "Basic",
        "description": "月租 18 元，含 100 分钟视频通话。",
        "description_en": "¥18 a month with 100 minutes of video calls included.",
        "monthly_rent": "18.00",
        "included_minutes": 100,
        "rate_per_minute": "0.15",
        "first_increment_seconds": 60,
        "next_increment_seconds": 60,
    },
    {
        "code": "plus",
        "name_zh": "畅享套餐",
        "name_en": "Plus",
        "description": "月租 38 元，含 500 分钟视频通话，按 6 秒计费。",
        "description_en": "¥38 a month with 500 minutes of video calls included, billed in 6-second steps.",
        "monthly_rent": "38.00",
        "included_minutes": 500,
        "rate_per_minute": "0.10",
        "first_increment_seconds": 60,
        "next_increment_seconds": 6,
    },
]
DEMO_VAS: list[dict[str, Any]] = [
    {
        "code": "voicemail",
        "feature": "voicemail",
        "name_zh": "视频留言",
        "name_en": "Video voicemail",
        "description": "来电无人接听时，对方可以给您留一段视频留言。",
        "description_en": "Callers can leave you a video message when you do not answer.",
        "monthly_fee": "5.00",
    },
    {
        "code": "forwarding",
        "feature": "forwarding",
        "name_zh": "呼叫转移",
        "name_en": "Call forwarding",
        "description": "把来电转接到您指定的另一个号码。",
        "description_en": "Forwards your calls to another number of your choice.",
        "monthly_fee": "3.00",
    },
    {
        "code": "caller_id",
        "feature": "caller_id",
        "name_zh": "来电显示",
        "name_en": "Caller ID",
        "description": "来电时显示对方的号码。",
        "description_en": "Shows the caller's number when a call comes in.",
        "monthly_fee": "2.00",
    },
    {
        "code": "second_number",
        "feature": "second_number",
        "name_zh": "第二号码",
        "name_en": "Second number",
        "description": "再拥有一个号码，拨打两个号码的来电都在您的账户上接听。",
        "description_en": "A second number: calls to either number ring on your account.",
        "monthly_fee": "10.00",
    },
]


def _describe_demo(row: Plan | ValueAddedService, raw: Mapping[str, Any]) -> None:
    """A demo item made before it had descriptions in both languages gets the ones it lacks."""
    if not row.description and raw.get("description"):
        row.description = raw["description"]
    if not row.description_en and raw.get("description_en"):
        row.description_en = raw["description_en"]


class TariffService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def today(self) -> date:
        return self.deps.clock.now().astimezone(self.deps.operator_tz).date()

    # -- public ------------------------------------------------------------------------------------------
    async def price_list(self, day: date | None = None) -> PriceList:
        """Active plans and services with the price in force on ``day`` and the changes announced after it."""
        day = day or self.today()
        plans, services = await self._catalog(day, active_only=True, history=False)
        plans = [p for p in plans if p.price is not None or p.upcoming]
        services = [v for v in services if v.price is not None or v.upcoming]
        changes: list[dict[str, Any]] = []
        for p in plans:
            for up in p.upcoming:
                changes.append(
                    {
                        "item_kind": "plan",
                        "code": p.code,
                        "name_zh": p.name_zh,
                        "name_en": p.name_en,
                        "effective_from": up.effective_from,
                        "monthly_fee_fen": up.monthly_rent_fen,
                        "monthly_fee": up.monthly_rent,
                        "plan_price": asdict(up),
                    }
                )
        for v in services:
            for vup in v.upcoming:
                changes.append(
                    {
                        "item_kind": "vas",
                        "code": v.code,
                        "name_zh": v.name_zh,
                        "name_en": v.name_en,
                        "effective_from": vup.effective_from,
                        "monthly_fee_fen": vup.monthly_fee_fen,
                        "monthly_fee": vup.monthly_fee,
                        "plan_price": None,
                    }
                )
        changes.sort(key=lambda c: (c["effective_from"], c["item_kind"], c["code"]))
        return PriceList(day, plans, services, changes)

    # -- staff ---------------------------------------------------------------------------------------------
    async def catalog(self, day: date | None = None) -> tuple[list[PlanView], list[VasView]]:
        """Every plan and service, active or not, with the whole price history."""
        return await self._catalog(day or self.today(), active_only=False, history=True)

    async def _catalog(self, day: date, *, active_only: bool, history: bool) -> tuple[list[PlanView], list[VasView]]:
        async with self.deps.uow() as uow:
            plans = await store.plans(uow.session, active_only=active_only)
            services = await store.value_added_services(uow.session, active_only=active_only)
            all_plan_prices = await store.all_plan_prices(uow.session)
            all_vas_prices = await store.all_vas_prices(uow.session)
        plan_views = [
            plan_view(p, [x for x in all_plan_prices if x.plan_id == p.id], day, history=history) for p in plans
        ]
        vas_views = [
            vas_view(v, [x for x in all_vas_prices if x.vas_id == v.id], day, history=history) for v in services
        ]
        # Cheapest first: that is how a price list reads.
        plan_views.sort(key=lambda p: (p.price.monthly_rent_fen if p.price else 1 << 62, p.code))
        vas_views.sort(key=lambda v: (v.price.monthly_fee_fen if v.price else 1 << 62, v.code))
        return plan_views, vas_views

    async def create_plan(self, actor: Actor, raw: Mapping[str, Any]) -> PlanView:
        data = rules.validate_plan(raw)
        today = self.today()
        start = rules.validate_effective_from(raw["effective_from"], today) if raw.get("effective_from") else today
        async with self.deps.uow() as uow:
            now = self.deps.clock.now()
            row = await self._new_plan(uow, data, start, now)
            audit.record(
                uow,
                now,
                actor,
                "tariff.plan_create",
                "plan",
                row.id,
                {"code": row.code, "effective_from": start.isoformat(), **data.terms.to_detail()},
            )
            view = plan_view(row, await plan_prices(uow, row.id), today, history=True)
            await uow.commit()
            return view

    async def _new_plan(self, uow: UnitOfWork, data: rules.PlanInput, start: date, now: datetime) -> Plan:
        taken = await store.plan_id_by_code(uow.session, data.entry.code)
        if taken is not None:
            raise ValidationFailed([FieldError("code", "tariff_code_taken")])
        row = Plan(
            code=data.entry.code,
            name_zh=data.entry.name_zh,
            name_en=data.entry.name_en,
            description=data.entry.description,
            description_en=data.entry.description_en,
            active=True,
            created_at=now,
        )
        uow.session.add(row)
        await self._flush(uow, "code", "tariff_code_taken")
        uow.session.add(self._plan_price(row.id, start, data.terms, now))
        await self._flush(uow, "effective_from", "price_date_taken")
        return row

    @staticmethod
    def _plan_price(plan_id: int, start: date, terms: rules.PlanTerms, now: datetime) -> PlanPrice:
        return PlanPrice(
            plan_id=plan_id,
            effective_from=start,
            monthly_rent_fen=terms.monthly_rent.fen,
            included_minutes=terms.included_minutes,
            rate_per_minute=terms.rate_per_minute,
            first_increment_seconds=terms.first_increment_seconds,
            next_increment_seconds=terms.next_increment_seconds,
            created_at=now,
        )

    async def add_plan_price(self, actor: Actor, code: str, raw: Mapping[str, Any]) -> PlanView:
        """A new price for a plan from ``effective_from`` (today or later); an existing date is an error."""
        today = self.today()
        errors: list[FieldError] = []
        start: date | None = None
        try:
            start = rules.validate_effective_from(raw.get("effective_from") or "", today)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
        try:
            terms = rules.validate_plan_terms(raw)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
        if errors or start is None:
            raise ValidationFailed(errors)
        async with self.deps.uow() as uow:
            plan = await plan_by_code(uow, code, lock=True)
            existing = await plan_prices(uow, plan.id)
            if any(p.effective_from == start for p in existing):
                raise ValidationFailed([FieldError("effective_from", "price_date_taken")])
            now = self.deps.clock.now()
            uow.session.add(self._plan_price(plan.id, start, terms, now))
            await self._flush(uow, "effective_from", "price_date_taken")
            audit.record(
                uow,
                now,
                actor,
                "tariff.plan_price_add",
                "plan",
                plan.id,
                {"code": plan.code, "effective_from": start.isoformat(), **terms.to_detail()},
            )
            view = plan_view(plan, await plan_prices(uow, plan.id), today, history=True)
            await uow.commit()
            return view

    async def set_plan_active(self, actor: Actor, code: str, active: bool) -> PlanView:
        """Deactivating a plan withdraws it from sale; subscribers already on it keep it."""
        async with self.deps.uow() as uow:
            plan = await plan_by_code(uow, code, lock=True)
            if plan.active != active:
                plan.active = active
                audit.record(
                    uow,
                    self.deps.clock.now(),
                    actor,
                    "tariff.plan_activate" if active else "tariff.plan_deactivate",
                    "plan",
                    plan.id,
                    {"code": plan.code},
                )
            view = plan_view(plan, await plan_prices(uow, plan.id), self.today(), history=True)
            await uow.commit()
            return view

    async def set_descriptions(self, actor: Actor, kind: str, code: str, raw: Mapping[str, Any]) -> PlanView | VasView:
        """Rewrite a plan's (``kind`` "plan") or a service's descriptions in both languages (audited)."""
        zh, en = rules.validate_descriptions(raw)
        async with self.deps.uow() as uow:
            row = await (plan_by_code if kind == "plan" else vas_by_code)(uow, code, lock=True)
            if (row.description, row.description_en) != (zh, en):
                row.description, row.description_en = zh, en
                detail = {"code": row.code, "description": zh, "description_en": en}
                audit.record(uow, self.deps.clock.now(), actor, f"tariff.{kind}_describe", kind, row.id, detail)
            if isinstance(row, Plan):
                view: PlanView | VasView = plan_view(row, await plan_prices(uow, row.id), self.today(), history=True)
            else:
                view = vas_view(row, await vas_prices(uow, row.id), self.today(), history=True)
            await uow.commit()
            return view

    async def create_vas(self, actor: Actor, raw: Mapping[str, Any]) -> VasView:
        data = rules.validate_vas(raw)
        today = self.today()
        start = rules.validate_effective_from(raw["effective_from"], today) if raw.get("effective_from") else today
        async with self.deps.uow() as uow:
            now = self.deps.clock.now()
            row = await self._new_vas(uow, data, start, now)
            audit.record(
                uow,
                now,
                actor,
                "tariff.vas_create",
                "vas",
                row.id,
                {"code": row.code, "effective_from": start.isoformat(), "monthly_fee_fen": data.monthly_fee.fen},
            )
            view = vas_view(row, await vas_prices(uow, row.id), today, history=True)
            await uow.commit()
            return view

    async def _new_vas(self, uow: UnitOfWork, data: rules.VasInput, start: date, now: datetime) -> ValueAddedService:
        taken = await store.vas_id_by_code(uow.session, data.entry.code)
        if taken is not None:
            raise ValidationFailed([FieldError("code", "tariff_code_taken")])
        row = ValueAddedService(
            code=data.entry.code,
            name_zh=data.entry.name_zh,
            name_en=data.entry.name_en,
            description=data.entry.description,
            description_en=data.entry.description_en,
            active=True,
            feature=data.feature,
            created_at=now,
        )
        uow.session.add(row)
        await self._flush(uow, "code", "tariff_code_taken")
        uow.session.add(
            VasPrice(vas_id=row.id, effective_from=start, monthly_fee_fen=data.monthly_fee.fen, created_at=now)
        )
        await self._flush(uow, "effective_from", "price_date_taken")
        return row

    async def add_vas_price(self, actor: Actor, code: str, raw: Mapping[str, Any]) -> VasView:
        today = self.today()
        errors: list[FieldError] = []
        start: date | None = None
        fee = Money.zero()
        try:
            start = rules.validate_effective_from(raw.get("effective_from") or "", today)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
        try:
            fee = rules.validate_vas_fee(raw)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
        if errors or start is None:
            raise ValidationFailed(errors)
        async with self.deps.uow() as uow:
            vas = await vas_by_code(uow, code, lock=True)
            existing = await vas_prices(uow, vas.id)
            if any(p.effective_from == start for p in existing):
                raise ValidationFailed([FieldError("effective_from", "price_date_taken")])
            now = self.deps.clock.now()
            uow.session.add(VasPrice(vas_id=vas.id, effective_from=start, monthly_fee_fen=fee.fen, created_at=now))
            await self._flush(uow, "effective_from", "price_date_taken")
            audit.record(
                uow,
                now,
                actor,
                "tariff.vas_price_add",
                "vas",
                vas.id,
                {"code": vas.code, "effective_from": start.isoformat(), "monthly_fee_fen": fee.fen},
            )
            view = vas_view(vas, await vas_prices(uow, vas.id), today, history=True)
            await uow.commit()
            return view

    async def set_vas_active(self, actor: Actor, code: str, active: bool) -> VasView:
        async with self.deps.uow() as uow:
            vas = await vas_by_code(uow, code, lock=True)
            if vas.active != active:
                vas.active = active
                audit.record(
                    uow,
                    self.deps.clock.now(),
                    actor,
                    "tariff.vas_activate" if active else "tariff.vas_deactivate",
                    "vas",
                    vas.id,
                    {"code": vas.code},
                )
            view = vas_view(vas, await vas_prices(uow, vas.id), self.today(), history=True)
            await uow.commit()
            return view

    async def ensure_demo_catalog(self) -> None:
        """The demo plans and services, priced from the first of the current month (idempotent)."""
        start = self.today().replace(day=1)
        actor = Actor.system()
        async with self.deps.uow() as uow:
            now = self.deps.clock.now()
            for raw in DEMO_PLANS:
                plan = await store.plan_by_code(uow.session, raw["code"])
                if plan is None:
                    data = rules.validate_plan(raw)
                    row = await self._new_plan(uow, data, start, now)
                    audit.record(
                        uow, now, actor, "tariff.plan_create", "plan", row.id, {"code": row.code, "demo": True}
                    )
                else:
                    _describe_demo(plan, raw)
            for raw in DEMO_VAS:
                service = await store.vas_by_code(uow.session, raw["code"])
                if service is None:
                    vas_data = rules.validate_vas(raw)
                    vas = await self._new_vas(uow, vas_data, start, now)
                    audit.record(uow, now, actor, "tariff.vas_create", "vas", vas.id, {"code": vas.code, "demo": True})
                else:
                    _describe_demo(service, raw)
            await uow.commit()

    @staticmethod
    async def _flush(uow: UnitOfWork, field_name: str, code: str) -> None:
        """Flush; a unique-index race (same code or same price date at once) is a field error."""
        try:
            await uow.session.flush()
        except IntegrityError:
            raise ValidationFailed([FieldError(field_name, code)]) from None

"""The catalog: plans, value-added services and their effective-dated prices (``plans``,
``plan_prices``, ``value_added_services``, ``vas_prices``; R-20)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from videophone.adapters.db.models import Plan, PlanPrice, ValueAddedService, VasPrice

# Every plan price as rating and the bill run need it (a small table, read once per run).
_PRICES = select(
    PlanPrice.id,
    PlanPrice.plan_id,
    PlanPrice.effective_from,
    PlanPrice.monthly_rent_fen,
    PlanPrice.included_minutes,
    PlanPrice.rate_per_minute,
    PlanPrice.first_increment_seconds,
    PlanPrice.next_increment_seconds,
).order_by(PlanPrice.plan_id, PlanPrice.effective_from)


# -- plans ---------------------------------------------------------------------------------------------------
async def plan_by_code(s: AsyncSession, code: str, *, lock: bool = False) -> Plan | None:
    """The plan of ``code`` (exactly as given); ``lock``: its row locked for the transaction."""
    stmt = select(Plan).where(Plan.code == code)
    return await s.scalar(stmt.with_for_update() if lock else stmt)


async def plan_id_by_code(s: AsyncSession, code: str) -> int | None:
    return await s.scalar(select(Plan.id).where(Plan.code == code))


async def plans(s: AsyncSession, *, active_only: bool) -> list[Plan]:
    """Every plan (or the active ones), by code."""
    stmt = select(Plan).order_by(Plan.code)
    if active_only:
        stmt = stmt.where(Plan.active.is_(True))
    return list(await s.scalars(stmt))


async def plan_codes(s: AsyncSession, plan_ids: Sequence[int]) -> list[Row[int, str]]:
    """``(id, code)`` of the plans ``plan_ids``."""
    return list(await s.execute(select(Plan.id, Plan.code).where(Plan.id.in_(plan_ids))))


async def plan_names(s: AsyncSession) -> list[Row[int, str, str]]:
    """``(id, Chinese name, English name)`` of every plan."""
    return list(await s.execute(select(Plan.id, Plan.name_zh, Plan.name_en)))


# -- plan prices ------------------------------------------------------------------------------------------
async def prices_of_plan(s: AsyncSession, plan_id: int) -> list[PlanPrice]:
    return list(await s.scalars(select(PlanPrice).where(PlanPrice.plan_id == plan_id)))


async def all_plan_prices(s: AsyncSession) -> list[PlanPrice]:
    return list(await s.scalars(select(PlanPrice)))


async def plan_price_terms(conn: AsyncConnection) -> list[Row[int, int, date, int, int, Decimal, int, int]]:
    """Every plan price's terms (id, plan, effective from, rent, included minutes, rate, increments),
    by plan and effective date."""
    return list(await conn.execute(_PRICES))


# -- value-added services -------------------------------------------------------------------------------
async def vas_by_code(s: AsyncSession, code: str, *, lock: bool = False) -> ValueAddedService | None:
    """The service of ``code`` (exactly as given); ``lock``: its row locked for the transaction."""
    stmt = select(ValueAddedService).where(ValueAddedService.code == code)
    return await s.scalar(stmt.with_for_update() if lock else stmt)


async def vas_id_by_code(s: AsyncSession, code: str) -> int | None:
    return await s.scalar(select(ValueAddedService.id).where(ValueAddedService.code == code))


async def value_added_services(s: AsyncSession, *, active_only: bool) -> list[ValueAddedService]:
    """Every value-added service (or the active ones), by code."""
    stmt = select(ValueAddedService).order_by(ValueAddedService.code)
    if active_only:
        stmt = stmt.where(ValueAddedService.active.is_(True))
    return list(await s.scalars(stmt))


async def vas_names(s: AsyncSession) -> list[Row[int, str, str]]:
    """``(id, Chinese name, English name)`` of every value-added service."""
    return list(await s.execute(select(ValueAddedService.id, ValueAddedService.name_zh, ValueAddedService.name_en)))


# -- value-added prices --------------------------------------------------------------------------------
async def prices_of_vas(s: AsyncSession, vas_id: int) -> list[VasPrice]:
    return list(await s.scalars(select(VasPrice).where(VasPrice.vas_id == vas_id)))


async def all_vas_prices(s: AsyncSession) -> list[VasPrice]:
    return list(await s.scalars(select(VasPrice)))


async def vas_fees(s: AsyncSession) -> list[Row[int, date, int]]:
    """``(vas_id, effective_from, monthly_fee_fen)`` of every value-added price, by service, oldest first."""
    return list(
        await s.execute(
            select(VasPrice.vas_id, VasPrice.effective_from, VasPrice.monthly_fee_fen).order_by(
                VasPrice.vas_id, VasPrice.effective_from
            )
        )
    )

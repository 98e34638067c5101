"""Orders and their items (``orders``, ``order_items``; R-21): immutable once written."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Order, OrderItem


async def orders_of(s: AsyncSession, subscriber_id: int) -> list[Order]:
    """The subscriber's orders, newest first."""
    return list(await s.scalars(select(Order).where(Order.subscriber_id == subscriber_id).order_by(Order.id.desc())))


async def items_of_orders(s: AsyncSession, order_ids: Sequence[int]) -> list[OrderItem]:
    """The items of the orders ``order_ids`` (not empty), in id order."""
    return list(await s.scalars(select(OrderItem).where(OrderItem.order_id.in_(order_ids)).order_by(OrderItem.id)))


async def items_of_order(s: AsyncSession, order_id: int) -> list[OrderItem]:
    """The order's items, in id order."""
    return list(await s.scalars(select(OrderItem).where(OrderItem.order_id == order_id).order_by(OrderItem.id)))

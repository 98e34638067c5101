"""Subscribers' block lists (``blocks``, R-12): the numbers whose calls an owner does not want."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Block
from videophone.calling.domain.contacts import normalize_number


def blocked_clause(owner_id: int, caller_number: str) -> ColumnElement[bool]:
    """SQL for "``owner_id`` has blocked ``caller_number``" — the signaling hub folds the same test into
    the one query it makes at invite (``store.signaling.INVITE_FLAGS``, with bound parameters)."""
    number = normalize_number(caller_number)
    if not number:
        return false()
    return exists().where(Block.owner_id == owner_id, Block.blocked_number == number)


async def is_blocked(s: AsyncSession, owner_id: int, caller_number: str) -> bool:
    """Whether ``owner_id`` has blocked calls from ``caller_number``."""
    return bool(await s.scalar(select(blocked_clause(owner_id, caller_number))))


async def blocks_of(s: AsyncSession, owner_id: int) -> list[Block]:
    """The owner's blocks, newest first."""
    return list(
        await s.scalars(
            select(Block).where(Block.owner_id == owner_id).order_by(Block.created_at.desc(), Block.id.desc())
        )
    )


async def block_of_number(s: AsyncSession, owner_id: int, number: str) -> int | None:
    """The id of the owner's block of ``number``, if they blocked it."""
    return await s.scalar(select(Block.id).where(Block.owner_id == owner_id, Block.blocked_number == number).limit(1))

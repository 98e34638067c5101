"""Subscribers' address books (``contacts``, R-12)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Contact


async def page_of_contacts(
    s: AsyncSession,
    owner_id: int,
    *,
    text: str,
    digits: str,
    favourites_only: bool,
    offset: int,
    limit: int,
) -> tuple[int, list[Contact]]:
    """The owner's contacts whose name, note or number holds ``text`` (unless empty) — or whose number
    holds ``digits``, the text as a number, if that differs — optionally favourites only: how many, and
    a page of them, favourites first then by name."""
    stmt = select(Contact).where(Contact.owner_id == owner_id)
    if text:
        conditions: list[ColumnElement[bool]] = [
            Contact.name.icontains(text, autoescape=True),
            Contact.note.icontains(text, autoescape=True),
            Contact.number.contains(text, autoescape=True),
        ]
        if digits and digits != text:
            conditions.append(Contact.number.contains(digits, autoescape=True))
        stmt = stmt.where(or_(*conditions))
    if favourites_only:
        stmt = stmt.where(Contact.favourite.is_(True))
    total = await s.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await s.scalars(
        stmt.order_by(Contact.favourite.desc(), Contact.name, Contact.id).offset(offset).limit(limit)
    )
    return int(total or 0), list(rows)


async def contact_with_number(s: AsyncSession, owner_id: int, number: str) -> int | None:
    """The id of one of the owner's contacts with ``number``, if any."""
    return await s.scalar(select(Contact.id).where(Contact.owner_id == owner_id, Contact.number == number).limit(1))


async def names_of_numbers(s: AsyncSession, owner_id: int, numbers: Collection[str]) -> dict[str, str]:
    """The owner's contact names of ``numbers`` (no query for none), by number."""
    if not numbers:
        return {}
    contacts = await s.execute(
        select(Contact.number, Contact.name)
        .where(Contact.owner_id == owner_id, Contact.number.in_(numbers))
        .order_by(Contact.id.desc())
    )
    # Oldest contact wins if the same number was saved twice (later rows overwrite earlier ones).
    return {number: name for number, name in contacts}

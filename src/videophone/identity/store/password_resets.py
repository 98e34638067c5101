"""One-time password-reset tokens (``password_resets``), found by the digest of the token."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import PasswordReset


async def lock_reset(s: AsyncSession, token_hash: str) -> PasswordReset | None:
    """The reset, its row locked until the transaction ends: two uses of one token queue here, and the
    second sees it used."""
    return await s.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_hash).with_for_update())

"""Login sessions and API tokens (``auth_sessions``), found by the digest of their token."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import AuthSession


async def session_by_token_hash(s: AsyncSession, token_hash: str) -> AuthSession | None:
    return await s.scalar(select(AuthSession).where(AuthSession.token_hash == token_hash))


async def live_sessions_of(
    s: AsyncSession, principal_type: str, principal_id: int, now: datetime
) -> Sequence[AuthSession]:
    """The principal's sessions neither revoked nor expired at ``now``, last used first."""
    return (
        await s.scalars(
            select(AuthSession)
            .where(
                AuthSession.principal_type == principal_type,
                AuthSession.principal_id == principal_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > now,
            )
            .order_by(AuthSession.last_seen_at.desc())
        )
    ).all()


async def unrevoked_sessions_of(s: AsyncSession, principal_type: str, principal_id: int) -> Sequence[AuthSession]:
    return (
        await s.scalars(
            select(AuthSession).where(
                AuthSession.principal_type == principal_type,
                AuthSession.principal_id == principal_id,
                AuthSession.revoked_at.is_(None),
            )
        )
    ).all()


async def other_unrevoked_sessions(
    s: AsyncSession, principal_type: str, principal_id: int, session_id: int
) -> Sequence[AuthSession]:
    """The principal's unrevoked sessions but ``session_id`` (the one in use)."""
    return (
        await s.scalars(
            select(AuthSession).where(
                AuthSession.principal_type == principal_type,
                AuthSession.principal_id == principal_id,
                AuthSession.id != session_id,
                AuthSession.revoked_at.is_(None),
            )
        )
    ).all()


async def sessions_of(s: AsyncSession, principal_type: str, principal_id: int) -> Sequence[AuthSession]:
    """Every session of the principal, ended or not, in no particular order (the data export)."""
    return (
        await s.scalars(
            select(AuthSession).where(
                AuthSession.principal_type == principal_type, AuthSession.principal_id == principal_id
            )
        )
    ).all()


async def delete_ended_before(s: AsyncSession, cutoff: datetime) -> int:
    """Delete the sessions that expired or were revoked before ``cutoff``; how many went."""
    result = await s.execute(
        delete(AuthSession).where(
            or_(
                AuthSession.expires_at < cutoff,
                AuthSession.revoked_at < cutoff,
            )
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

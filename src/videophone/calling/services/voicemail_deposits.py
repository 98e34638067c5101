"""The seam between signaling and video voicemail (R-18): when a call is diverted to the callee's
mailbox, signaling asks :func:`open_deposit` for a single-use permission to leave one message, and puts
its answer into the caller's ``ended`` message (``"voicemail": {"token", "max_seconds", "greeting_url"}``,
docs/signaling.md).  The caller's browser then records and uploads to
``POST /api/v1/voicemail/deposits/{token}`` (``services.voicemail``).

Only the SHA-256 of the token is stored; the deposit is bound to the call, its caller and its callee,
and expires a few minutes after the longest message could have been recorded (``domain.voicemail``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from videophone.adapters.db.models_voicemail import VoicemailDeposit
from videophone.adapters.db.uow import UnitOfWork
from videophone.calling.domain import voicemail as rules
from videophone.calling.domain.features import Feature
from videophone.calling.services import entitlements
from videophone.calling.store import voicemail as store
from videophone.common import policy as policy_service
from videophone.common.deps import Deps
from videophone.identity.domain.policy import OperatorPolicy

TOKEN_BYTES = 32


@dataclass(frozen=True)
class Deposit:
    """What the caller's ``ended`` message carries as ``voicemail``."""

    token: str
    max_seconds: int
    greeting_url: str | None  # the callee's own greeting (served to this token's caller); None: the default


def limits_of(pol: OperatorPolicy) -> rules.Limits:
    return rules.Limits(
        max_seconds=pol.voicemail_max_seconds,
        max_bytes=pol.voicemail_max_bytes,
        retention_days=pol.voicemail_retention_days,
        quota_bytes=pol.voicemail_quota_bytes,
        max_messages=pol.voicemail_max_messages,
        rated=pol.voicemail_deposit_rated == 1,
    )


def greeting_url(token: str) -> str:
    return f"/api/v1/voicemail/deposits/{token}/greeting"


async def open_deposit(
    uow: UnitOfWork, deps: Deps, *, callee_id: int, caller_id: int, call_id: str, now: datetime
) -> Deposit | None:
    """A permission for ``caller_id`` to leave one message about ``call_id`` in ``callee_id``'s mailbox,
    or ``None`` when the callee has no ``voicemail`` feature now or their mailbox is full.

    The deposit row is added to ``uow``: **the caller commits it** (signaling's transaction), and the
    token works once that commit is done.  A few reads (policy, features, mailbox usage): only a call
    that is being diverted pays for them, never a plain call."""
    if callee_id == caller_id:
        return None
    if not await entitlements.has(uow, deps, callee_id, Feature.VOICEMAIL, now):
        return None
    _, pol = await policy_service.current(uow)
    limits = limits_of(pol)
    if not rules.has_room(await store.usage_of(uow.session, callee_id), limits):
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    uow.session.add(
        VoicemailDeposit(
            token_hash=rules.token_hash(token),
            call_id=call_id,
            caller_id=caller_id,
            callee_id=callee_id,
            max_seconds=limits.max_seconds,
            created_at=now,
            expires_at=rules.deposit_expires_at(now, limits.max_seconds),
            used_at=None,
        )
    )
    await uow.session.flush()
    box = await store.box_of(uow.session, callee_id)
    has_greeting = box is not None and bool(box.greeting_content_type)
    return Deposit(token, limits.max_seconds, greeting_url(token) if has_greeting else None)

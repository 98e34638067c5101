"""THE SEAM to video voicemail (R-18), for call forwarding's diversion (``services.signaling_diversion``).

Placeholder until the voicemail mailbox lands: it is replaced at merge by the voicemail feature's
module of the same name.  ``open_deposit`` answers whether the caller may leave a message in the
callee's mailbox now — ``None`` (no voicemail feature, no room), or an object with ``token: str``,
``max_seconds: int`` and ``greeting_url: str | None``.  This placeholder always answers ``None``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from videophone.adapters.db.uow import UnitOfWork
from videophone.common.deps import Deps


async def open_deposit(
    uow: UnitOfWork, deps: Deps, *, callee_id: int, caller_id: int, call_id: str, now: datetime
) -> Any:
    return None

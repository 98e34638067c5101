"""The agreement's version in force (the newest), as both halves of the agreement service and the other
contexts read it."""

from __future__ import annotations

from videophone.adapters.db.uow import UnitOfWork
from videophone.identity.store import agreements as store
from videophone.kernel.errors import NotFound


async def current_version_number(uow: UnitOfWork) -> int:
    row = await store.newest_version(uow.session)
    if row is None:
        raise NotFound("agreement_missing")
    return int(row)

"""What the other contexts may use of `terminals` (import-linter keeps every other module of it private):
the SIP phones as the calling context's gateway sees them (issue 16, ADR 0012)."""

from __future__ import annotations

from datetime import datetime

from videophone.common.deps import Deps
from videophone.terminals.domain import sip_credentials as rules
from videophone.terminals.services.sip_credentials import SipDevices
from videophone.terminals.store import sip_credentials as store

__all__ = ["SipDevices", "phone_of", "registered_phones"]


async def phone_of(deps: Deps, auth_user: str) -> tuple[int, int] | None:
    """(subscriber, credential) of a digest user whose phone may use the service now; None if unknown,
    revoked, or its subscriber's service ended or is lawfully suspended (as the edge's REGISTER check)."""
    if not rules.valid_auth_user(auth_user):
        return None
    async with deps.uow() as uow:
        cred = await store.with_auth_user(uow.session, auth_user)
        service = await store.service_of(uow.session, cred.subscriber_id) if cred is not None else None
    if cred is None or service is None or rules.refusal(cred.revoked_at is not None, service[1], service[2]):
        return None
    return cred.subscriber_id, cred.id


async def registered_phones(deps: Deps, now: datetime) -> list[tuple[int, int, str, datetime]]:
    """The phones registered at ``now``: (subscriber, credential, digest user, until)."""
    async with deps.uow() as uow:
        return await store.registered_at(uow.session, now)

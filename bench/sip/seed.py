"""Fast set-up of the SIP benchmark: subscribers (bench/signaling/seed.py) each with one SIP credential.

The credentials are softphone credentials written straight into ``sip_credentials`` with the service's
own HA1 rule (``terminals.domain.sip_credentials.ha1``); one password is shared by all the phones of a
run (it is generated per run and never leaves the benchmark's process), so the client can compute every
digest.  The subscribers are active with their identity verified, so the call rules let them call.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select

from bench.signaling.seed import cleanup as cleanup_subscribers
from bench.signaling.seed import number_prefix
from bench.signaling.seed import seed as seed_subscribers
from videophone.adapters.db.engine import make_engine
from videophone.adapters.db.models import Subscriber
from videophone.adapters.db.models_terminals import SipCredential
from videophone.terminals.domain.sip_credentials import CredentialKind, ha1, valid_auth_user


@dataclass(frozen=True)
class BenchPhone:
    number: str  # the subscriber's number: what another phone dials
    auth_user: str  # the digest user (and the phone's AoR user)


def auth_user_of(run_tag: int, index: int) -> str:
    return f"bench{run_tag:05d}-s-{index:06d}"


def new_password() -> str:
    return secrets.token_urlsafe(24).replace("-", "x").replace("_", "y")


async def seed(
    database_url: str, data_key_b64: str, count: int, run_tag: int, realm: str, password: str
) -> list[BenchPhone]:
    """``count`` subscribers (verified, active) with one softphone credential each, all with ``password``."""
    subscribers = await seed_subscribers(database_url, data_key_b64, count, run_tag)
    now = datetime.now(UTC)
    phones = [BenchPhone(s.number, auth_user_of(run_tag, i)) for i, s in enumerate(subscribers)]
    for phone in phones:
        if not valid_auth_user(phone.auth_user):
            raise RuntimeError(f"not a valid digest user: {phone.auth_user}")
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(SipCredential),
                [
                    {
                        "subscriber_id": s.id,
                        "terminal_id": None,
                        "kind": CredentialKind.SOFTPHONE.value,
                        "label": "bench",
                        "auth_user": p.auth_user,
                        "ha1": ha1(p.auth_user, realm, password),
                        "realm": realm,
                        "created_at": now,
                        "revoked_at": None,
                        "last_register_at": None,
                        "registered_until": None,
                        "last_user_agent": "",
                        "last_address": "",
                    }
                    for s, p in zip(subscribers, phones, strict=True)
                ],
            )
    finally:
        await engine.dispose()
    return phones


async def cleanup(database_url: str, run_tag: int) -> None:
    """Remove what one run put into a shared database (PostgreSQL): credentials, then the subscribers."""
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            ids = select(Subscriber.id).where(Subscriber.number.like(f"{number_prefix(run_tag)}%")).scalar_subquery()
            await conn.execute(delete(SipCredential).where(SipCredential.subscriber_id.in_(ids)))
    finally:
        await engine.dispose()
    await cleanup_subscribers(database_url, run_tag)

"""A password hasher that counts how many passwords it verified (throttling tests)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from tests.conftest import _empty_tables, make_settings
from videophone.adapters.clock import FakeClock
from videophone.adapters.mail import MemoryMailer
from videophone.adapters.passwords import Argon2Hasher
from videophone.bootstrap import Container, build


class CountingHasher(Argon2Hasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified = 0

    async def verify_async(self, stored: str | None, password: str) -> bool:
        self.verified += 1
        return await super().verify_async(stored, password)


async def counting_container(
    database_url: str, clock: FakeClock, tmp_path: Path, mailer: MemoryMailer, hasher: CountingHasher
) -> AsyncIterator[Container]:
    """The ``container`` fixture's container, built with ``hasher``."""
    await _empty_tables(database_url)
    c = build(make_settings(database_url, tmp_path), clock=clock, hasher=hasher, mailer=mailer)
    await c.ensure_reference_data()
    try:
        yield c
    finally:
        await c.close()

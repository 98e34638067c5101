"""argon2id password hashing."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2Hasher:
    def __init__(self, *, time_cost: int = 2, memory_cost: int = 19_456, parallelism: int = 1) -> None:
        self._ph = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
        # A hash to verify against when the account does not exist, so timing does not tell.
        self._dummy = self._ph.hash("not-a-real-password-videophone")

    def hash(self, password: str) -> str:
        return self._ph.hash(password)

    async def hash_async(self, password: str) -> str:
        """Hash off the event loop: argon2 is deliberately slow and memory-hard."""
        return await asyncio.to_thread(self.hash, password)

    async def verify_async(self, stored: str | None, password: str) -> bool:
        return await asyncio.to_thread(self.verify, stored, password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            return self._ph.verify(stored or self._dummy, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

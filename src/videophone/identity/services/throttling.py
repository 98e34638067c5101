"""Login and password-reset throttling (R-05, R-54): which keys an attempt counts against, and
counting them before the password is checked.

Policy, with the defaults of ``config.py``:

* **per account and source address** — three attempts free, then 1 s, 2 s, 4 s … up to 15 min
  between attempts; a successful login clears it.  An attacker's failures slow that attacker only:
  the owner, logging in from another address, has a key of their own.
* **per source address**, across accounts — 30 failed attempts in 15 min lock that address out
  for 15 min (successful logins give their attempt back, so a shared address is not locked out by
  its users' logins).
* No per-account limit across addresses: any such limit is a switch an attacker can hold to lock the
  owner out.  An attacker spread over many addresses still gets at most a few guesses per address
  per day once the delays are long, against a password with a minimum strength (domain/passwords.py).
* Password-reset requests: three per account and window (the owner already holds the links those
  requests sent), and the per-address limit.

Every attempt reserves its keys in one short transaction — one conditional upsert per key
(adapters/db/throttles.py), all or none — so concurrent attempts cannot pass one count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from videophone.adapters.crypto import token_digest
from videophone.adapters.db.uow import UnitOfWork
from videophone.common.deps import Deps
from videophone.identity.domain.throttling import ThrottleRule, retry_after
from videophone.identity.store import throttles
from videophone.kernel.errors import Throttled


@dataclass(frozen=True)
class Counted:
    """An attempt counted against a key: the ``attempts``-th in its window, at ``at``."""

    key: str
    rule: ThrottleRule
    attempts: int
    at: datetime


def account_key(kind: str, account_id: int | None, login: str) -> str:
    """The throttling identity of an account: its id, or (no such account) a digest of the login, so
    that unknown logins are throttled alike and keys stay short whatever was typed."""
    return f"{kind}:{account_id}" if account_id is not None else f"{kind}?{token_digest(login.lower())[:32]}"


class Throttling:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        lim = deps.limits
        self.account_source = ThrottleRule(
            free=lim.free_attempts,
            first_delay=lim.first_delay_seconds,
            max_delay=lim.max_delay_seconds,
            window=lim.forget_seconds,
        )
        self.source = ThrottleRule(
            free=lim.max_failures_per_ip,
            first_delay=lim.ip_lockout_seconds,
            max_delay=lim.ip_lockout_seconds,
            window=lim.window_seconds,
        )
        self.reset_target = ThrottleRule(
            free=3, first_delay=lim.window_seconds, max_delay=lim.window_seconds, window=lim.window_seconds
        )

    def login_keys(self, account: str, ip: str) -> list[tuple[str, ThrottleRule]]:
        return [(f"{account}|{ip}", self.account_source), (f"ip:{ip}", self.source)]

    def reset_keys(self, account: str, ip: str) -> list[tuple[str, ThrottleRule]]:
        return [(f"reset:{account}", self.reset_target), (f"reset-ip:{ip}", self.source)]

    async def attempt(self, keys: list[tuple[str, ThrottleRule]], now: datetime) -> list[Counted]:
        """Count one attempt against every key, or against none and raise :class:`Throttled` with the
        seconds until every key allows one."""
        ordered = sorted(keys, key=lambda k: k[0])  # one lock order for every attempt: no deadlock
        async with self.deps.uow() as uow:
            counted: list[Counted] = []
            for key, rule in ordered:
                attempts = await throttles.reserve(uow.session, key, rule, now)
                if attempts is None:
                    break
                counted.append(Counted(key, rule, attempts, now))
            else:
                await uow.commit()
                return counted
        # Refused: the transaction rolled back, nothing was counted.
        async with self.deps.uow() as uow:
            until = await throttles.allowed_at(uow.session, [key for key, _ in ordered])
        wait = (until - now).total_seconds() if until is not None else 0.0
        raise Throttled(params={"retry_after": retry_after(wait)})

    async def waiting(self, keys: list[str], now: datetime) -> float:
        """Seconds until every one of ``keys`` allows an attempt (0: none waits); counts nothing."""
        async with self.deps.uow() as uow:
            until = await throttles.allowed_at(uow.session, keys)
        return max(0.0, (until - now).total_seconds()) if until is not None else 0.0

    async def forget(self, uow: UnitOfWork, keys: list[str]) -> None:
        """These keys start afresh (in the caller's transaction)."""
        await throttles.clear(uow.session, keys)

    async def succeeded(self, uow: UnitOfWork, counted: list[Counted]) -> None:
        """The attempt was a successful login: its account-and-address key starts afresh, and the
        address gets its attempt back (in the caller's transaction)."""
        for c in counted:
            if c.rule is self.account_source:
                await throttles.clear(uow.session, [c.key])
            else:
                await throttles.give_back(uow.session, c.key, c.rule, c.attempts, c.at)

    async def forget_account(self, uow: UnitOfWork, account: str) -> None:
        """A new password was set: the account's delays from every address end."""
        await throttles.clear_prefix(uow.session, f"{account}|")

    async def purge(self, uow: UnitOfWork, now: datetime) -> int:
        longest = max(self.account_source.window, self.source.window, self.reset_target.window)
        return await throttles.purge(uow.session, now, timedelta(seconds=longest))

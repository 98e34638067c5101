"""Login throttling through the public routes (R-54 item 4): 100 wrong passwords sent at once to
``/api/v1/auth/login`` check three, the rest are 429 with ``Retry-After``; the owner logs in from
another address at once; one address is locked out across accounts (console included)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import PASSWORD, person
from tests.support.counting_hasher import CountingHasher, counting_container
from videophone.adapters.clock import FakeClock
from videophone.adapters.mail import MemoryMailer
from videophone.bootstrap import Container

ATTACKER, OWNER = "198.51.100.7", "203.0.113.20"


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
async def container(
    database_url: str, clock: FakeClock, tmp_path: Path, mailer: MemoryMailer, hasher: CountingHasher
) -> AsyncIterator[Container]:
    async for c in counting_container(database_url, clock, tmp_path, mailer, hasher):
        yield c


def client_from(app: FastAPI, ip: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 40000)), base_url="http://testserver")


async def test_a_hundred_wrong_passwords_at_once(app: FastAPI, hasher: CountingHasher) -> None:
    data = person()
    async with client_from(app, ATTACKER) as attacker, client_from(app, OWNER) as owner:
        assert (await owner.post("/api/v1/subscribers", json=data)).status_code == 201
        wrong = {"login": data["email"], "password": "Wr0ng-Guess-Passw0rd"}
        answers = await asyncio.gather(*(attacker.post("/api/v1/auth/login", json=wrong) for _ in range(100)))
        assert hasher.verified == 3
        assert sorted(r.status_code for r in answers) == [401] * 3 + [429] * 97
        throttled = next(r for r in answers if r.status_code == 429)
        assert throttled.headers["retry-after"] == "1"
        assert throttled.json()["code"] == "too_many_attempts" and throttled.json()["params"]["retry_after"] == 1
        r = await owner.post("/api/v1/auth/login", json={"login": data["email"], "password": PASSWORD})
        assert r.status_code == 200, r.text


async def test_an_address_is_locked_out_across_accounts_and_the_console(app: FastAPI, hasher: CountingHasher) -> None:
    data = person()
    async with client_from(app, ATTACKER) as attacker, client_from(app, OWNER) as owner:
        assert (await owner.post("/api/v1/subscribers", json=data)).status_code == 201
        answers = await asyncio.gather(
            *(
                attacker.post("/api/v1/auth/login", json={"login": f"n{i}@example.com", "password": "x"})
                for i in range(60)
            ),
            *(
                attacker.post("/api/v1/console/auth/login", json={"username": f"staff{i}", "password": "x"})
                for i in range(60)
            ),
        )
        assert hasher.verified == 30
        assert sorted(r.status_code for r in answers) == [401] * 30 + [429] * 90
        r = await attacker.post("/api/v1/auth/login", json={"login": data["email"], "password": PASSWORD})
        assert r.status_code == 429 and r.headers["retry-after"] == "900"
        r = await owner.post("/api/v1/auth/login", json={"login": data["email"], "password": PASSWORD})
        assert r.status_code == 200, r.text


async def test_reset_requests_are_throttled(app: FastAPI, mailer: MemoryMailer) -> None:
    data = person()
    async with client_from(app, ATTACKER) as attacker:
        assert (await attacker.post("/api/v1/subscribers", json=data)).status_code == 201
        answers = await asyncio.gather(
            *(attacker.post("/api/v1/auth/password-reset", json={"login": data["email"]}) for _ in range(20))
        )
        assert sorted(r.status_code for r in answers) == [202] * 3 + [429] * 17
        assert len(mailer.sent) == 3
        assert next(r for r in answers if r.status_code == 429).headers["retry-after"] == "900"

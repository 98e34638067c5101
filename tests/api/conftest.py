from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import PASSWORD, person
from videophone.bootstrap import Container
from videophone.services.deps import Actor
from videophone.web.app import create_app

STAFF_PASSWORD = "Staff-Passw0rd!"


@pytest.fixture
def app(container: Container) -> FastAPI:
    return create_app(container, manage_lifecycle=False)


def client_for(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as c:
        yield c


class Session:
    """A logged-in browser: cookies plus the CSRF header for writes."""

    def __init__(self, client: httpx.AsyncClient, csrf: str, account: dict[str, Any]) -> None:
        self.client, self.csrf, self.account = client, csrf, account

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        headers.setdefault("X-CSRF-Token", self.csrf)
        return await self.client.request(method, url, headers=headers, **kwargs)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(url, **kwargs)


async def register_and_login(app: FastAPI, **overrides: Any) -> Session:
    client = client_for(app)
    data = person(**overrides)
    r = await client.post("/api/v1/subscribers", json=data)
    assert r.status_code == 201, r.text
    r = await client.post("/api/v1/auth/login", json={"login": data["email"], "password": PASSWORD})
    assert r.status_code == 200, r.text
    return Session(
        client,
        r.json()["csrf_token"],
        {**r.json(), **data, "number": (await client.get("/api/v1/me")).json()["number"]},
    )


async def staff_login(app: FastAPI, container: Container, role: str) -> Session:
    username = f"{role}_{id(app) % 10000}"
    existing = {s.username for s in await container.staff.list()}
    if username not in existing:
        await container.staff.create(Actor.system(), username, username, STAFF_PASSWORD, [role])
    client = client_for(app)
    r = await client.post("/api/v1/console/auth/login", json={"username": username, "password": STAFF_PASSWORD})
    assert r.status_code == 200, r.text
    return Session(client, r.json()["csrf_token"], r.json())

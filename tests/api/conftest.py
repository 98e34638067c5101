from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.conftest import CONSOLE_READS_WITH_A_BODY
from tests.factories import PASSWORD, person
from videophone.adapters.db.models import AuditRecord
from videophone.bootstrap import Container
from videophone.common.deps import Actor
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


# R-50 "every staff action is audited", checked on every console write the API tests make: a
# successful POST/PUT/PATCH/DELETE under /api/v1/console must add at least one audit record.
NOT_ACTIONS = ("/api/v1/console/auth/", *CONSOLE_READS_WITH_A_BODY)  # signing in and out; previews
AUDITED: set[tuple[str, str]] = set()  # console writes (method, path) seen audited in this test run


async def audit_count(container: Container) -> int:
    async with container.deps.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(AuditRecord)) or 0)


class Session:
    """A logged-in browser: cookies plus the CSRF header for writes.  A staff session (``container``
    given) also checks that each successful console write was audited."""

    def __init__(
        self, client: httpx.AsyncClient, csrf: str, account: dict[str, Any], container: Container | None = None
    ) -> None:
        self.client, self.csrf, self.account, self.container = client, csrf, account, container
        self.done: set[str] = set()  # console writes that succeeded: sent again, they are replays

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        headers.setdefault("X-CSRF-Token", self.csrf)
        noop = kwargs.pop("noop", False)  # the test expects this write to change nothing (no audit)
        path = httpx.URL(url).path
        key = f"{method.upper()} {url} {kwargs.get('json')!r} {kwargs.get('data')!r}"
        checked = (
            self.container is not None
            and method.upper() in ("POST", "PUT", "PATCH", "DELETE")
            and path.startswith("/api/v1/console/")
            and not path.startswith(NOT_ACTIONS)
            and key not in self.done  # an idempotent replay changes nothing, so it audits nothing
            and not noop
        )
        before = await audit_count(self.container) if checked and self.container is not None else 0
        response = await self.client.request(method, url, headers=headers, **kwargs)
        if checked and self.container is not None and response.is_success:
            after = await audit_count(self.container)
            assert after > before, f"{method} {path} succeeded ({response.status_code}) without an audit record"
        if response.is_success:
            self.done.add(key)
            if checked:
                AUDITED.add((method.upper(), path))
        return response

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
    return Session(client, r.json()["csrf_token"], r.json(), container)

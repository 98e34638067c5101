"""The password policy on every route that sets a password (R-54 item 9): registration, password
change, password reset and a staff account all refuse the guessable and the control characters,
with a coded error in zh-CN and English."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI

from tests.api.conftest import client_for, register_and_login, staff_login
from tests.factories import PASSWORD, person
from videophone.adapters.mail import MemoryMailer
from videophone.bootstrap import Container

WEAK = ["aaaaaaaaaaaaaaaa", "1111111111111111"]
STRONG = "mulberry-Quartz-7-Harbor"


def codes(body: dict[str, object]) -> list[tuple[object, object]]:
    return [(e["field"], e["code"]) for e in body["errors"]]  # type: ignore[attr-defined, index]


@pytest.mark.parametrize("password", WEAK)
async def test_registration_refuses_guessable_passwords(app: FastAPI, password: str) -> None:
    async with client_for(app) as client:
        r = await client.post("/api/v1/subscribers", json=person(password=password), headers={"Accept-Language": "en"})
        assert r.status_code == 422
        assert codes(r.json()) == [("password", "password_too_weak")]
        assert "too easy to guess" in r.json()["errors"][0]["message"]
        r = await client.post("/api/v1/subscribers", json=person(password=password), headers={"Accept-Language": "zh"})
        assert "太容易被猜中" in r.json()["errors"][0]["message"]
        assert (await client.post("/api/v1/subscribers", json=person(password=STRONG))).status_code == 201


async def test_registration_refuses_a_password_made_of_the_subscribers_own_data(app: FastAPI) -> None:
    async with client_for(app) as client:
        data = person(email="qiaolinzhuo@example.cn", password="Q1a0l1nzhu0#7")
        r = await client.post("/api/v1/subscribers", json=data)
        assert codes(r.json()) == [("password", "password_too_weak")]


async def test_registration_refuses_control_characters(container: Container) -> None:
    from videophone.identity.services.subscribers import RequestInfo
    from videophone.kernel.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as err:
        await container.subscribers.register(person(password="Good-Passw0rd\x00x"), RequestInfo())
    assert [e.code for e in err.value.errors] == ["password_control_characters"]


async def test_password_change_and_reset_refuse_guessable_passwords(app: FastAPI, mailer: MemoryMailer) -> None:
    s = await register_and_login(app)
    for weak in WEAK:
        r = await s.request("POST", "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": weak})
        assert r.status_code == 422 and codes(r.json()) == [("new_password", "password_too_weak")]
    r = await s.request("POST", "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": STRONG})
    assert r.status_code == 204
    assert (await s.client.post("/api/v1/auth/password-reset", json={"login": s.account["email"]})).status_code == 202
    match = re.search(r"token=([\w-]+)", mailer.sent[-1].body)
    assert match
    for weak in WEAK:
        r = await s.client.post("/api/v1/auth/password-reset/confirm", json={"token": match[1], "new_password": weak})
        assert r.status_code == 422 and codes(r.json()) == [("new_password", "password_too_weak")]
    r = await s.client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": match[1], "new_password": "Tr4in-Lamp-Mosaic-91"}
    )
    assert r.status_code == 204


async def test_staff_accounts_refuse_guessable_passwords(app: FastAPI, container: Container) -> None:
    admin = await staff_login(app, container, "administrator")
    for weak in WEAK:
        r = await admin.request(
            "POST",
            "/api/v1/console/staff",
            json={"username": "clerk", "display_name": "Clerk", "password": weak, "roles": ["support"]},
        )
        assert r.status_code == 422 and codes(r.json()) == [("password", "password_too_weak")]

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.api.conftest import register_and_login
from tests.factories import PASSWORD, organization, person


async def test_register_person_then_see_masked_account(client: httpx.AsyncClient, app: FastAPI) -> None:
    data = person()
    r = await client.post("/api/v1/subscribers", json=data, headers={"X-Client": "web"})
    assert r.status_code == 201
    body = r.json()
    assert body["id_number"] == data["id_number"][:6] + "********" + data["id_number"][-4:]
    assert body["number"].startswith("951")
    assert data["address"] not in r.text and data["employer"] not in r.text
    session = await register_and_login(app)
    me = (await session.get("/api/v1/me")).json()
    assert me["review_state"] == "pending" and me["agreement_version"] == 1
    assert session.account["id_number"] not in (await session.get("/api/v1/me")).text


async def test_register_organization(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/subscribers", json=organization())
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "organization" and r.json()["id_type"] == "uscc"


async def test_field_errors_in_chinese_by_default_and_english_on_request(client: httpx.AsyncClient) -> None:
    bad = person(id_number="110105199003071230", postal_code="12345")
    r = await client.post("/api/v1/subscribers", json=bad)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == "validation_failed"
    fields = {e["field"]: e for e in body["errors"]}
    assert fields["id_number"]["code"] == "id_number_checksum"
    assert "校验" in fields["id_number"]["message"]
    assert fields["postal_code"]["code"] == "postal_code_format"
    r = await client.post("/api/v1/subscribers", json=bad, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "check character" in {e["field"]: e for e in r.json()["errors"]}["id_number"]["message"]
    client.cookies.set("vp_lang", "en")
    r = await client.post("/api/v1/subscribers", json=bad)
    assert r.json()["message"].startswith("Some information")


async def test_wrong_json_shapes_are_field_errors(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/subscribers", json={"kind": "person", "name": ["x"], "unknown": 1})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"name", "unknown"}
    r = await client.post("/api/v1/subscribers", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


async def test_outdated_agreement_version_is_refused(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/subscribers", json=person(agreement_version=99))
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "agreement_version_outdated"


async def test_public_documents(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/agreement")
    assert r.status_code == 200 and r.json()["version"] == 1
    assert any("仲裁委员会" in p["text"] for p in r.json()["paragraphs"])
    pdf = await client.get("/api/v1/agreement.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    policy = (await client.get("/api/v1/policy")).json()
    assert policy["values"]["warranty_years"] == 1
    assert {p["name"] for p in policy["parameters"]} >= {"late_fee_per_mille_per_day", "number_pool_start"}
    assert (await client.get("/api/v1/id-types")).json()[0]["value"] == "resident_id"
    assert (await client.get("/api/v1/health")).json()["status"] == "ok"


async def test_login_errors(client: httpx.AsyncClient, app: FastAPI) -> None:
    session = await register_and_login(app)
    r = await client.post("/api/v1/auth/login", json={"login": session.account["email"], "password": "nope"})
    assert r.status_code == 401 and r.json()["code"] == "login_failed"
    for _ in range(4):
        await client.post("/api/v1/auth/login", json={"login": session.account["email"], "password": "nope"})
    r = await client.post("/api/v1/auth/login", json={"login": session.account["email"], "password": PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    assert r.headers["retry-after"] in r.json()["message"]


async def test_bearer_tokens_for_api_clients(client: httpx.AsyncClient, app: FastAPI) -> None:
    session = await register_and_login(app)
    r = await client.post(
        "/api/v1/auth/login",
        json={"login": session.account["number"], "password": PASSWORD, "kind": "api", "label": "terminal"},
    )
    token = r.json()["token"]
    assert "vp_session" not in r.cookies
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as fresh:
        me = await fresh.get("/api/v1/me", headers=headers)
        assert me.status_code == 200 and me.json()["number"] == session.account["number"]
        # No CSRF token is needed with a bearer token (no ambient credentials).
        r = await fresh.patch("/api/v1/me", json={"postal_code": "100000"}, headers=headers)
        assert r.status_code == 200 and r.json()["postal_code"] == "100000"
        r = await fresh.post("/api/v1/me/tokens", json={"label": "tv"}, headers=headers)
        assert r.status_code == 201 and r.json()["token"] != token


async def test_password_reset_through_the_api(client: httpx.AsyncClient, app: FastAPI, mailer) -> None:  # type: ignore[no-untyped-def]
    session = await register_and_login(app)
    r = await client.post("/api/v1/auth/password-reset", json={"login": session.account["email"]})
    assert r.status_code == 202
    r2 = await client.post("/api/v1/auth/password-reset", json={"login": "ghost@example.com"})
    assert r2.status_code == 202 and r2.json() == r.json()
    token = mailer.sent[-1].body.split("token=")[1].split()[0]
    r = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "Fresh-Passw0rd-9"}
    )
    assert r.status_code == 204
    assert (await session.get("/api/v1/me")).status_code == 401
    r = await client.post(
        "/api/v1/auth/login", json={"login": session.account["email"], "password": "Fresh-Passw0rd-9"}
    )
    assert r.status_code == 200 and r.cookies.get("vp_lang") is None  # logging in keeps the chosen language
    r = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "Fresh-Passw0rd-9"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "reset_token_invalid"

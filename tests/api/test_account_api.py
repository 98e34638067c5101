from __future__ import annotations

import json

from fastapi import FastAPI

from tests.api.conftest import register_and_login
from tests.factories import PASSWORD


async def test_writes_need_the_csrf_token(app: FastAPI) -> None:
    s = await register_and_login(app)
    r = await s.client.patch("/api/v1/me", json={"postal_code": "100000"})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    r = await s.client.patch("/api/v1/me", json={"postal_code": "100000"}, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403
    r = await s.request("PATCH", "/api/v1/me", json={"postal_code": "100000"})
    assert r.status_code == 200


async def test_contact_details_update_and_validation(app: FastAPI) -> None:
    s = await register_and_login(app)
    r = await s.request("PATCH", "/api/v1/me", json={"postal_code": "12", "email": "bad"})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"postal_code", "email"}
    assert (await s.get("/api/v1/me")).json()["postal_code"] == "100022"  # nothing half-written
    r = await s.request(
        "PATCH", "/api/v1/me", json={"address": "上海市黄浦区南京东路1号", "contact_phone": "13911112222"}
    )
    assert r.status_code == 200
    assert r.json()["contact_phone"] == "13911112222"
    assert "南京东路" not in r.text  # masked


async def test_sessions_list_and_revoke(app: FastAPI) -> None:
    s = await register_and_login(app)
    other = await s.client.post(
        "/api/v1/auth/login", json={"login": s.account["email"], "password": PASSWORD, "kind": "api", "label": "phone"}
    )
    token = other.json()["token"]
    sessions = (await s.get("/api/v1/me/sessions")).json()
    assert len(sessions) == 2
    theirs = next(x for x in sessions if not x["current"])
    assert (await s.request("DELETE", f"/api/v1/me/sessions/{theirs['id']}")).status_code == 204
    r = await s.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


async def test_password_change_and_logout(app: FastAPI) -> None:
    s = await register_and_login(app)
    r = await s.request("POST", "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "abc"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "new_password"
    r = await s.request(
        "POST", "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "Another-Passw0rd"}
    )
    assert r.status_code == 204
    assert (await s.request("POST", "/api/v1/auth/logout")).status_code == 204
    assert (await s.get("/api/v1/me")).status_code == 401


async def test_export_and_agreement_documents(app: FastAPI) -> None:
    s = await register_and_login(app)
    r = await s.get("/api/v1/me/export")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    data = json.loads(r.content)
    assert data["subscriber"]["id_number"] == s.account["id_number"]
    agreement = (await s.get("/api/v1/me/agreement")).json()
    flat = " ".join(p["text"] for p in agreement["paragraphs"])
    assert s.account["name"] in flat and s.account["id_number"] not in flat
    pdf = await s.get("/api/v1/me/agreement.pdf")
    assert pdf.content.startswith(b"%PDF")


async def test_documents_upload_only_when_requested(app: FastAPI) -> None:
    s = await register_and_login(app)
    r = await s.request("POST", "/api/v1/me/documents", files={"file": ("id.png", b"\x89PNG\r\n\x1a\nxx", "image/png")})
    assert r.status_code == 403 and r.json()["code"] == "documents_not_requested"


async def test_language_preference(app: FastAPI) -> None:
    """The account's language is the one of its notices: setting it leaves the interface language alone."""
    s = await register_and_login(app)
    r = await s.request("PUT", "/api/v1/me/language", json={"language": "en"})
    assert r.status_code == 204 and r.cookies.get("vp_lang") is None
    assert (await s.get("/api/v1/me")).json()["language"] == "en"
    r = await s.request("PUT", "/api/v1/me/language", json={"language": "fr"})
    assert r.status_code == 422


async def test_turn_credentials_need_a_login_and_expire(app: FastAPI, container) -> None:  # type: ignore[no-untyped-def]
    container.settings.turn_urls = "turn:127.0.0.1:3478?transport=udp"
    container.settings.turn_secret = "test-secret"
    s = await register_and_login(app)
    body = (await s.get("/api/v1/me/turn-credentials")).json()
    (turn,) = body["ice_servers"]
    assert turn["urls"] == ["turn:127.0.0.1:3478?transport=udp"]
    assert turn["username"].endswith(":" + str((await s.get("/api/v1/me")).json()["id"]))
    assert body["ttl_seconds"] == 3600

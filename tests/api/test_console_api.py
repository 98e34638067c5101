from __future__ import annotations

from fastapi import FastAPI

from tests.api.conftest import register_and_login, staff_login
from tests.support.files import PNG
from videophone.bootstrap import Container


async def test_review_flow_through_the_api(app: FastAPI, container: Container) -> None:
    sub = await register_and_login(app)
    reviewer = await staff_login(app, container, "reviewer")
    queue = (await reviewer.get("/api/v1/console/review-queue")).json()
    sid = queue["items"][0]["subscriber_id"]
    r = await reviewer.request(
        "POST", f"/api/v1/console/subscribers/{sid}/review", json={"action": "request_documents"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "review_reason_required"
    r = await reviewer.request(
        "POST",
        f"/api/v1/console/subscribers/{sid}/review",
        json={"action": "request_documents", "reason": "请上传身份证正反面"},
    )
    assert r.json() == {"review_state": "documents_requested"}
    r = await sub.request("POST", "/api/v1/me/documents", files={"file": ("id.png", PNG, "image/png")})
    assert r.status_code == 201, r.text
    detail = (await reviewer.get(f"/api/v1/console/subscribers/{sid}")).json()
    doc_id = detail["documents"][0]["id"]
    doc = await reviewer.get(f"/api/v1/console/subscribers/{sid}/documents/{doc_id}")
    assert doc.content == PNG and doc.headers["content-type"] == "image/png"
    r = await reviewer.request("POST", f"/api/v1/console/subscribers/{sid}/review", json={"action": "verify"})
    assert r.json() == {"review_state": "verified"}
    assert (await sub.get("/api/v1/me")).json()["review_state"] == "verified"
    r = await reviewer.request("POST", f"/api/v1/console/subscribers/{sid}/review", json={"action": "verify"})
    assert r.status_code == 409 and r.json()["code"] == "review_transition_invalid"


async def test_search_reveal_and_number_change(app: FastAPI, container: Container) -> None:
    sub = await register_and_login(app)
    reviewer = await staff_login(app, container, "reviewer")
    support = await staff_login(app, container, "support")
    found = (await reviewer.get("/api/v1/console/subscribers", params={"q": sub.account["id_number"]})).json()
    assert found["total"] == 1  # exact ID number search through the blind index
    sid = found["items"][0]["id"]
    assert sub.account["id_number"] not in str(found)
    r = await reviewer.request(
        "POST", f"/api/v1/console/subscribers/{sid}/reveal", json={"field": "address", "reason": ""}
    )
    assert r.status_code == 422
    r = await reviewer.request(
        "POST", f"/api/v1/console/subscribers/{sid}/reveal", json={"field": "address", "reason": "用户来电核对地址"}
    )
    assert r.json()["value"] == sub.account["address"]
    r = await support.request(
        "POST", f"/api/v1/console/subscribers/{sid}/reveal", json={"field": "address", "reason": "用户来电核对地址"}
    )
    assert r.status_code == 403  # support staff may not unmask personal data
    r = await support.request(
        "POST",
        f"/api/v1/console/subscribers/{sid}/number-change",
        json={"reason": "subscriber_request", "note": "用户申请"},
    )
    assert r.status_code == 200 and r.json()["number"] != sub.account["number"]
    assert (await sub.get("/api/v1/me")).json()["number"] == r.json()["number"]


async def test_policy_editing(app: FastAPI, container: Container) -> None:
    admin = await staff_login(app, container, "administrator")
    billing = await staff_login(app, container, "billing")
    current = (await admin.get("/api/v1/console/policy")).json()
    r = await billing.request("PUT", "/api/v1/console/policy", json={"values": {"warranty_years": 2}, "reason": "r"})
    assert r.status_code == 403
    r = await admin.request(
        "PUT",
        "/api/v1/console/policy",
        json={
            "values": {"warranty_years": 2, "months_overdue_before_termination": 1},
            "reason": "调整",
            "version": current["version"],
        },
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "months_overdue_before_termination"
    r = await admin.request(
        "PUT",
        "/api/v1/console/policy",
        json={"values": {"warranty_years": 2}, "reason": "调整", "version": current["version"]},
    )
    assert r.status_code == 200 and r.json()["version"] == current["version"] + 1
    history = (await admin.get("/api/v1/console/policy/history")).json()
    assert history[0]["changes"] == {"warranty_years": {"before": 1, "after": 2}}
    agreement = (await admin.get("/api/v1/agreement")).json()
    assert any("2年" in p["text"].replace(" ", "") for p in agreement["paragraphs"])
    audit = (await admin.get("/api/v1/console/audit", params={"action": "policy.update"})).json()
    assert audit["total"] == 1 and audit["items"][0]["actor_id"] == admin.account["staff_id"]


async def test_staff_management(app: FastAPI, container: Container) -> None:
    admin = await staff_login(app, container, "administrator")
    r = await admin.request(
        "POST",
        "/api/v1/console/staff",
        json={
            "username": "lawyer",
            "display_name": "法务",
            "password": "Legal-Passw0rd!",
            "roles": ["legal", "wizard"],
        },
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "role_unknown"
    r = await admin.request(
        "POST",
        "/api/v1/console/staff",
        json={"username": "lawyer", "display_name": "法务", "password": "Legal-Passw0rd!", "roles": ["legal"]},
    )
    assert r.status_code == 201
    sid = r.json()["id"]
    r = await admin.request("POST", f"/api/v1/console/staff/{sid}/active", json={"active": False})
    assert r.json()["active"] is False
    r = await admin.client.post(
        "/api/v1/console/auth/login", json={"username": "lawyer", "password": "Legal-Passw0rd!"}
    )
    assert r.status_code == 401
    me = (await admin.get("/api/v1/console/me")).json()
    assert "manage_staff" in me["permissions"]

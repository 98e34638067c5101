"""The price list, orders and tariff management over HTTP (R-20, R-21)."""

from __future__ import annotations

import io

from fastapi import FastAPI
from pypdf import PdfReader

from tests.api.conftest import Session, client_for, register_and_login, staff_login
from videophone.bootstrap import Container


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


async def verified(app: FastAPI, container: Container) -> Session:
    sub = await register_and_login(app)
    reviewer = await staff_login(app, container, "reviewer")
    sub_id = (await sub.get("/api/v1/me")).json()["id"]
    r = await reviewer.request("POST", f"/api/v1/console/subscribers/{sub_id}/review", json={"action": "verify"})
    assert r.status_code == 200, r.text
    return sub


async def test_the_price_list_is_public(app: FastAPI, container: Container) -> None:
    await container.tariffs.ensure_demo_catalog()
    async with client_for(app) as anonymous:
        r = await anonymous.get("/api/v1/prices")
    assert r.status_code == 200
    body = r.json()
    assert [p["code"] for p in body["plans"]] == ["basic", "plus"]
    basic = body["plans"][0]["price"]
    assert (basic["monthly_rent"], basic["included_minutes"], basic["rate_per_minute"]) == ("18.00", 100, "0.15")
    assert {v["code"]: v["price"]["monthly_fee"] for v in body["vas"]} == {
        "caller_id": "2.00",
        "forwarding": "3.00",
        "voicemail": "5.00",
        "second_number": "10.00",
    }
    assert body["upcoming_changes"] == []
    async with client_for(app) as anonymous:
        page = await anonymous.get("/prices")
    assert page.status_code == 200 and 'data-page="prices"' in page.text


async def test_ordering_through_the_api(app: FastAPI, container: Container) -> None:
    await container.tariffs.ensure_demo_catalog()
    pending = await register_and_login(app)
    r = await pending.request("POST", "/api/v1/me/orders", json={"action": "add_vas", "code": "voicemail"})
    assert r.status_code == 403 and r.json()["code"] == "capability_missing"

    me = await verified(app, container)
    r = await me.request("POST", "/api/v1/me/orders", json={"action": "add_vas", "code": "voicemail"})
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["kind"] == "vas_add" and order["number"].startswith("OD") and order["monthly_fee"] == "5.00"
    r = await me.request("POST", "/api/v1/me/orders", json={"action": "add_vas", "code": "voicemail"})
    assert r.status_code == 409 and r.json()["code"] == "vas_already_active"
    r = await me.request("POST", "/api/v1/me/orders", json={"action": "change_plan", "code": "plus"})
    assert r.status_code == 201 and r.json()["effective_date"] == "2026-12-01"
    r = await me.request("POST", "/api/v1/me/orders", json={"action": "remove_vas", "code": "nothing"})
    assert r.status_code == 404 and r.json()["code"] == "vas_not_found"
    r = await me.request("POST", "/api/v1/me/orders", json={"action": "cancel_everything", "code": "x"})
    assert r.status_code == 422

    services = (await me.get("/api/v1/me/services")).json()
    assert services["plan"]["code"] == "basic" and services["pending_plan"]["code"] == "plus"
    assert [v["code"] for v in services["vas"]] == ["voicemail"] and services["monthly_fee"] == "23.00"
    orders = (await me.get("/api/v1/me/orders")).json()
    assert [o["kind"] for o in orders] == ["plan_change", "vas_add", "initial_plan"]

    detail = await me.get(f"/api/v1/me/orders/{order['id']}")
    assert detail.status_code == 200 and detail.json()["items"][0]["code"] == "voicemail"
    pdf = await me.get(f"/api/v1/me/orders/{order['id']}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert order["number"] in text and "5.00" in text and "视频留言" in text
    assert "可视电话业务订单（协议附件）" in text and "第1版" in text and "同等法律效力" in text
    assert me.account["number"] in text

    # Orders are immutable: there is no route to change or delete one.
    for method in ("PUT", "PATCH", "DELETE"):
        r = await me.request(method, f"/api/v1/me/orders/{order['id']}", json={})
        assert r.status_code == 405, method


async def test_another_subscriber_gets_not_found(app: FastAPI, container: Container) -> None:
    await container.tariffs.ensure_demo_catalog()
    me = await verified(app, container)
    order = (await me.request("POST", "/api/v1/me/orders", json={"action": "add_vas", "code": "caller_id"})).json()
    other = await register_and_login(app)
    for path in (f"/api/v1/me/orders/{order['id']}", f"/api/v1/me/orders/{order['id']}.pdf"):
        r = await other.get(path)
        assert r.status_code == 404 and r.json()["code"] == "order_not_found", path
    assert order["number"] not in (await other.get("/api/v1/me/orders")).text


async def test_staff_manage_tariffs(app: FastAPI, container: Container) -> None:
    admin = await staff_login(app, container, "administrator")
    r = await admin.request(
        "POST",
        "/api/v1/console/tariffs/plans",
        json={
            "code": "family",
            "name_zh": "家庭套餐",
            "name_en": "Family",
            "monthly_rent": "58.00",
            "included_minutes": 1000,
            "rate_per_minute": "0.08",
            "first_increment_seconds": 60,
            "next_increment_seconds": 6,
        },
    )
    assert r.status_code == 201, r.text
    r = await admin.request(
        "POST", "/api/v1/console/tariffs/plans", json={"code": "F", "monthly_rent": 1.5, "rate_per_minute": "x"}
    )
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"code", "monthly_rent", "rate_per_minute", "name_zh"} <= fields
    price = {
        "effective_from": "2027-01-01",
        "monthly_rent": "68.00",
        "included_minutes": 1000,
        "rate_per_minute": "0.08",
        "first_increment_seconds": 60,
        "next_increment_seconds": 6,
    }
    r = await admin.request("POST", "/api/v1/console/tariffs/plans/family/prices", json=price)
    assert r.status_code == 201 and len(r.json()["history"]) == 2
    r = await admin.request("POST", "/api/v1/console/tariffs/plans/family/prices", json=price)
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "price_date_taken"
    r = await admin.request(
        "POST",
        "/api/v1/console/tariffs/vas",
        json={"code": "hd_video", "name_zh": "高清视频", "name_en": "HD video", "monthly_fee": "8.00"},
    )
    assert r.status_code == 201
    r = await admin.request(
        "POST", "/api/v1/console/tariffs/vas/hd_video/prices", json={"effective_from": "2026-12-01", "monthly_fee": "9"}
    )
    assert r.status_code == 201
    async with client_for(app) as anonymous:
        prices = (await anonymous.get("/api/v1/prices")).json()
    assert {(c["code"], c["effective_from"]) for c in prices["upcoming_changes"]} == {
        ("family", "2027-01-01"),
        ("hd_video", "2026-12-01"),
    }
    r = await admin.request("POST", "/api/v1/console/tariffs/vas/hd_video/active", json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    r = await admin.request("POST", "/api/v1/console/tariffs/plans/family/active", json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    r = await admin.request("POST", "/api/v1/console/tariffs/plans/family/active", json={"active": True})
    assert r.status_code == 200 and r.json()["active"] is True
    catalog = (await admin.get("/api/v1/console/tariffs")).json()
    assert {v["code"]: v["active"] for v in catalog["vas"]} == {"hd_video": False}
    async with client_for(app) as anonymous:
        assert (await anonymous.get("/api/v1/prices")).json()["vas"] == []

    for role in ("billing", "support", "reviewer", "legal"):
        staff = await staff_login(app, container, role)
        assert (await staff.get("/api/v1/console/tariffs")).status_code == 403
        r = await staff.request("POST", "/api/v1/console/tariffs/plans/family/active", json={"active": False})
        assert r.status_code == 403


async def test_the_console_sees_the_calling_features_a_subscriber_has(app: FastAPI, container: Container) -> None:
    await container.tariffs.ensure_demo_catalog()
    me = await verified(app, container)
    sub_id = (await me.get("/api/v1/me")).json()["id"]
    viewer = await staff_login(app, container, "support")
    r = await viewer.get(f"/api/v1/console/subscribers/{sub_id}/features")
    assert r.status_code == 200 and r.json() == {
        "subscriber_id": sub_id,
        "features": [],
        "second_number": None,
        "forwarding": [],
    }

    for code in ("voicemail", "caller_id"):
        r = await me.request("POST", "/api/v1/me/orders", json={"action": "add_vas", "code": code})
        assert r.status_code == 201, r.text
    r = await viewer.get(f"/api/v1/console/subscribers/{sub_id}/features")
    assert r.json()["features"] == ["caller_id", "voicemail"]  # in the catalogue's order

    # With forwarding and a second number the console sees the rules and the number too.
    for code in ("forwarding", "second_number"):
        r = await me.request("POST", "/api/v1/me/orders", json={"action": "add_vas", "code": code})
        assert r.status_code == 201, r.text
    rule = {"condition": "busy", "target": "voicemail"}
    r = await me.request("PUT", "/api/v1/me/forwarding", json={"rules": [rule]})
    assert r.status_code == 200, r.text
    seen = (await viewer.get(f"/api/v1/console/subscribers/{sub_id}/features")).json()
    assert seen["features"] == ["caller_id", "forwarding", "voicemail", "second_number"]
    assert seen["second_number"] and seen["second_number"] == (await me.get("/api/v1/me")).json()["second_number"]
    assert [(f["condition"], f["target"], f["number"]) for f in seen["forwarding"]] == [("busy", "voicemail", "")]
    for code in ("forwarding", "second_number"):
        r = await me.request("POST", "/api/v1/me/orders", json={"action": "remove_vas", "code": code})
        assert r.status_code == 201, r.text
    r = await me.request("POST", "/api/v1/me/orders", json={"action": "remove_vas", "code": "voicemail"})
    assert r.status_code == 201
    assert (await viewer.get(f"/api/v1/console/subscribers/{sub_id}/features")).json()["features"] == ["caller_id"]

    r = await viewer.get("/api/v1/console/subscribers/99999999/features")
    assert r.status_code == 404 and r.json()["code"] == "subscriber_not_found"
    r = await viewer.get("/api/v1/console/subscribers/99999999999999999999/features")
    assert r.status_code == 422

    # A feature-bound service offered by the operator: the API says which feature.
    prices = (await me.get("/api/v1/prices")).json()
    assert {v["code"]: v["feature"] for v in prices["vas"]}["second_number"] == "second_number"

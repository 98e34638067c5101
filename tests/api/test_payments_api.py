"""Payments over HTTP (R-23): the portal's pay flow through the (in-process) gateway, the notification
endpoint, counter payments and refunds in the console."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.api.conftest import register_and_login, staff_login
from tests.api.test_billing_api import subscriber_id
from videophone.adapters.clock import FakeClock
from videophone.adapters.payment_gateway import BuiltinGatewayClient, signed
from videophone.bootstrap import Container
from videophone.gateway.app import Gateway, GatewayConfig

MERCHANT = "videophone-demo"
SECRET = "api-test-gateway-secret-000000000000000000"


@pytest.fixture
async def gateway(app: FastAPI, container: Container, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Gateway]:
    gw = Gateway(
        GatewayConfig(
            merchants={MERCHANT: SECRET},
            db_path=tmp_path / "gateway.sqlite3",
            clock=clock,
            notify_transport=httpx.ASGITransport(app=app),
        )
    )
    transport = httpx.ASGITransport(app=gw.app(run_notifier=False))
    container.payments.gateway = BuiltinGatewayClient("http://gateway", MERCHANT, SECRET, transport=transport)
    gw.browser = httpx.AsyncClient(transport=transport, base_url="http://gateway")  # type: ignore[attr-defined]
    yield gw
    await gw.browser.aclose()  # type: ignore[attr-defined]
    gw.store.close()


async def test_subscriber_pays_through_the_gateway(app: FastAPI, gateway: Gateway) -> None:
    alice = await register_and_login(app, language="en")
    r = await alice.request("POST", "/api/v1/me/payments", json={"amount_yuan": "0"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "amount_zero"
    r = await alice.request("POST", "/api/v1/me/payments", json={"amount_yuan": "12.345"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "money_format"
    r = await alice.request("POST", "/api/v1/me/payments", json={"amount_yuan": "5", "bill_id": 424242})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "payment_bill_unknown"

    alice.client.cookies.set("vp_lang", "en")  # the portal is in English
    r = await alice.request("POST", "/api/v1/me/payments", json={"amount_yuan": "66.60"})
    assert r.status_code == 200, r.text
    intent_id, redirect = r.json()["intent_id"], r.json()["redirect_url"]
    assert intent_id.startswith("pi_") and redirect.startswith("http://gateway/pay?") and "lang=en" in redirect

    browser: httpx.AsyncClient = gateway.browser  # type: ignore[attr-defined]
    page = await browser.get(redirect, headers={"Accept-Language": "zh-CN"})  # the portal's language wins
    assert page.status_code == 200 and "¥66.60" in page.text and MERCHANT in page.text and ">Pay<" in page.text
    assert '<html lang="en">' in page.text
    tampered = await browser.get(redirect.replace("amount_fen=6660", "amount_fen=1"))
    assert tampered.status_code == 400 and 'data-testid="gateway-error"' in tampered.text
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text))
    forged = await browser.post("/pay/confirm", data={**fields, "token": "0" * 64, "action": "pay"})
    assert forged.status_code == 400
    back = await browser.post("/pay/confirm", data={**fields, "action": "pay"})
    assert back.status_code == 303 and back.headers["location"].endswith(f"/payments?intent={intent_id}")
    assert (await alice.get(f"/api/v1/me/payments/{intent_id}")).json()["state"] == "pending"
    assert await gateway.deliver_due() == 1
    assert (await alice.get(f"/api/v1/me/payments/{intent_id}")).json()["state"] == "paid"
    again = await browser.get(redirect)  # the link again shows the result, it cannot pay twice
    assert 'data-status="paid"' in again.text

    mine = (await alice.get("/api/v1/me/payments")).json()
    assert mine["credit"] == "66.60" and mine["owed"] == "0.00"
    assert mine["payments"][0]["amount"] == "66.60" and mine["payments"][0]["method"] == "gateway"
    assert mine["intents"][0]["id"] == intent_id

    bob = await register_and_login(app)
    assert (await bob.get(f"/api/v1/me/payments/{intent_id}")).status_code == 404  # not his
    assert (await bob.get("/api/v1/me/payments")).json()["payments"] == []


async def test_the_gateway_page_follows_the_portal_language(app: FastAPI, gateway: Gateway) -> None:
    """The portal passes its language in the (signed) link; a language the gateway does not know, or a
    link whose language was changed, is not shown."""
    browser: httpx.AsyncClient = gateway.browser  # type: ignore[attr-defined]
    alice = await register_and_login(app, language="en")  # notices in English, the portal in Chinese
    alice.client.cookies.set("vp_lang", "zh-CN")
    redirect = (await alice.request("POST", "/api/v1/me/payments", json={"amount_yuan": "1"})).json()["redirect_url"]
    assert "lang=zh-CN" in redirect
    page = await browser.get(redirect, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and '<html lang="zh-CN">' in page.text and "确认支付" in page.text
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text))
    assert fields["lang"] == "zh-CN"  # the confirmation keeps it
    changed = await browser.get(redirect.replace("lang=zh-CN", "lang=en"))
    assert changed.status_code == 400  # the language is signed with the rest of the link
    client = BuiltinGatewayClient("http://gateway", MERCHANT, SECRET)
    odd = client.checkout_url(
        out_trade_no="pi_odd",
        amount_fen=100,
        subject="x",
        notify_url="http://svc/notify",
        return_url="http://svc/payments",
        now=gateway.config.clock.now(),
        language="<fr>",
    )
    page = await browser.get(odd, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert page.status_code == 200 and '<html lang="en">' in page.text and "<fr>" not in page.text


async def test_notification_endpoint(app: FastAPI, container: Container, gateway: Gateway) -> None:
    alice = await register_and_login(app)
    intent_id = (await alice.request("POST", "/api/v1/me/payments", json={"amount_yuan": 3})).json()["intent_id"]
    body = {
        "merchant_id": MERCHANT,
        "out_trade_no": intent_id,
        "trade_no": "T1",
        "amount_fen": "300",
        "status": "paid",
        "paid_at": "",
        "notify_id": "n1",
    }
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as gw:
        bad = await gw.post("/api/v1/payments/gateway/notify", data={**body, "sign": "f" * 64})
        assert bad.status_code == 400 and bad.text == "fail"
        ok = await gw.post("/api/v1/payments/gateway/notify", json=signed(body, SECRET))  # JSON is accepted too
        assert ok.status_code == 200 and ok.text == "success"
    staff = await staff_login(app, container, "billing")
    log = (await staff.get("/api/v1/console/payments")).json()["notifications"]
    assert [(n["outcome"], n["signature_ok"]) for n in log] == [("applied", True), ("bad_signature", False)]
    assert (await alice.get(f"/api/v1/me/payments/{intent_id}")).json()["state"] == "paid"


async def test_counter_payment_and_refund_in_the_console(app: FastAPI, container: Container) -> None:
    alice = await register_and_login(app)
    number = alice.account["number"]
    sub_id = await subscriber_id(container, number)
    billing = await staff_login(app, container, "billing")
    support = await staff_login(app, container, "support")

    found = (await billing.get(f"/api/v1/console/payments?number={number}")).json()["subscriber"]
    assert found["id"] == sub_id and found["balance"] == "0.00"
    r = await billing.get("/api/v1/console/payments?number=00000000")
    assert r.status_code == 404 and r.json()["code"] == "payment_subscriber_unknown"

    url = f"/api/v1/console/subscribers/{sub_id}/payments"
    body = {"amount_yuan": "120", "method": "cash", "receipt_no": "NO.2026-0001", "note": "营业厅现金"}
    assert (await support.request("POST", url, json=body)).status_code == 403
    r = await billing.request("POST", url, json=body)
    assert r.status_code == 200, r.text
    assert r.json()["balance"] == "-120.00" and r.json()["receipt_no"] == "NO.2026-0001"
    again = await billing.request("POST", url, json=body)
    assert again.json()["id"] == r.json()["id"]
    clash = await billing.request("POST", url, json={**body, "amount_yuan": "12"}, headers={"Accept-Language": "en"})
    assert clash.status_code == 422
    assert clash.json()["errors"][0] == {
        "field": "receipt_no",
        "code": "receipt_no_taken",
        "message": "Receipt number NO.2026-0001 is already used for another payment; check the receipt number.",
    }
    r = await billing.request("POST", url, json={"amount_yuan": "1", "method": "cheque", "receipt_no": ""})
    assert {e["field"] for e in r.json()["errors"]} == {"method", "receipt_no"}

    refunds = f"/api/v1/console/subscribers/{sub_id}/refunds"
    r = await billing.request("POST", refunds, json={"amount_yuan": "200", "method": "cash", "reason": "多缴"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "refund_exceeds_credit"
    r = await billing.request("POST", refunds, json={"amount_yuan": "20", "method": "cash", "reason": "多缴退回"})
    assert r.status_code == 200 and r.json()["balance"] == "-100.00"

    overview = (await billing.get("/api/v1/console/payments")).json()
    assert overview["payments"][0]["subscriber_number"] == number
    mine = (await alice.get("/api/v1/me/payments")).json()
    assert mine["credit"] == "100.00" and mine["refunds"][0]["amount"] == "20.00"
    kinds = [n.kind for n in await container.notifications.list(sub_id, "zh-CN")]
    assert kinds[:2] == ["refund_issued", "payment_received"]


async def test_a_late_confirmation_is_credited_and_shown_to_billing_staff(
    app: FastAPI, container: Container, gateway: Gateway
) -> None:
    """The gateway confirms a payment after the intent was closed (cancelled), and again under a
    second trade number (paid twice): both are money received, credited once each, visible to the
    subscriber and listed for billing staff with how they arrived."""
    alice = await register_and_login(app, language="en")
    intent_id = (await alice.request("POST", "/api/v1/me/payments", json={"amount_yuan": "25"})).json()["intent_id"]
    base = {"merchant_id": MERCHANT, "out_trade_no": intent_id, "amount_fen": "2500", "paid_at": ""}

    async def notify(status: str, trade_no: str) -> httpx.Response:
        body = {**base, "status": status, "trade_no": trade_no, "notify_id": f"n-{status}-{trade_no}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as gw:
            return await gw.post("/api/v1/payments/gateway/notify", data=signed(body, SECRET))

    assert (await notify("closed", "T-1")).text == "success"
    assert (await alice.get(f"/api/v1/me/payments/{intent_id}")).json()["state"] == "cancelled"
    for _ in range(2):  # confirmed after all, and the gateway's retry
        r = await notify("paid", "T-1")
        assert r.status_code == 200 and r.text == "success"
    for _ in range(2):  # paid a second time under another trade number
        assert (await notify("paid", "T-2")).text == "success"

    mine = (await alice.get("/api/v1/me/payments")).json()
    assert mine["credit"] == "50.00" and mine["owed"] == "0.00"
    assert mine["intents"][0]["state"] == "paid"
    assert [(p["arrival"], p["gateway_trade_no"], p["amount"]) for p in mine["payments"]] == [
        ("double_payment", "T-2", "25.00"),
        ("late_after_cancel", "T-1", "25.00"),
    ]

    billing = await staff_login(app, container, "billing")
    data = (await billing.get("/api/v1/console/payments")).json()
    late = data["late_confirmations"]
    assert [(p["arrival"], p["late"], p["intent_id"], p["subscriber_number"]) for p in late] == [
        ("double_payment", True, intent_id, alice.account["number"]),
        ("late_after_cancel", True, intent_id, alice.account["number"]),
    ]
    outcomes = [n["outcome"] for n in reversed(data["notifications"])]
    assert outcomes == ["closed", "late_credit", "duplicate", "double_credit", "duplicate"]
    admin = await staff_login(app, container, "administrator")
    audit = (await admin.get("/api/v1/console/audit", params={"actor_type": "system"})).json()
    assert {"payment.late_after_cancel", "payment.double_payment"} <= {r["action"] for r in audit["items"]}

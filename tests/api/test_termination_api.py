"""Termination over HTTP (R-32): the subscriber asks with the password, sees what remains, pays at the
counter and the account closes; staff terminate for breach; bad input is refused with coded messages."""

from __future__ import annotations

from datetime import date

from fastapi import FastAPI

from tests.api.conftest import register_and_login, staff_login
from tests.api.test_billing_api import subscriber_id
from tests.factories import PASSWORD
from tests.integration.test_billing import insert, make_plan, subscription
from videophone.bootstrap import Container


async def test_request_pay_and_close(app: FastAPI, container: Container) -> None:
    alice = await register_and_login(app)
    a_id = await subscriber_id(container, alice.account["number"])
    plan_id = await make_plan(container, rent_fen=3000)
    await insert(container, subscription(a_id, plan_id, date(2026, 1, 1)))

    r = await alice.get("/api/v1/me/termination")
    assert r.status_code == 200 and r.json()["request"] is None and r.json()["service_state"] == "active"

    r = await alice.request("POST", "/api/v1/me/termination", json={"password": "wrong", "note": ""})
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"] == "密码不正确，未提交终止申请。"
    assert (await alice.get("/api/v1/me/bills")).json()["items"] == []

    r = await alice.request("POST", "/api/v1/me/termination", json={"password": PASSWORD, "note": "moving"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["request"]["state"] == "awaiting_payment" and body["service_state"] == "suspended"
    remaining = body["remaining"]
    assert remaining != "0.00" and body["request"]["final_bills"]
    r = await alice.request("POST", "/api/v1/me/termination", json={"password": PASSWORD})
    assert r.status_code == 409
    assert r.json()["code"] == "termination_already_requested"

    billing = await staff_login(app, container, "billing")
    support = await staff_login(app, container, "support")
    admin = await staff_login(app, container, "administrator")
    assert (await support.get("/api/v1/console/terminations")).status_code == 403
    r = await admin.get("/api/v1/console/terminations")
    assert r.status_code == 200
    assert [(p["subscriber_id"], p["balance"]) for p in r.json()["pending"]] == [(a_id, remaining)]

    r = await billing.request(
        "POST",
        f"/api/v1/console/subscribers/{a_id}/payments",
        json={"amount_yuan": remaining, "method": "cash", "receipt_no": "T-1"},
    )
    assert r.status_code in (200, 201), r.text
    body = (await alice.get("/api/v1/me/termination")).json()
    assert body["request"]["state"] == "closed" and body["service_state"] == "terminated"
    assert body["remaining"] == "0.00"
    assert (await admin.get("/api/v1/console/terminations")).json()["pending"] == []


async def test_operator_terminates_for_breach(app: FastAPI, container: Container) -> None:
    bob = await register_and_login(app)
    b_id = await subscriber_id(container, bob.account["number"])
    admin = await staff_login(app, container, "administrator")
    r = await admin.request("POST", "/api/v1/console/terminations", json={"subscriber_id": b_id, "reason": "x"})
    assert r.status_code == 422
    assert {e["code"] for e in r.json()["errors"]} == {"termination_reason_unknown", "termination_note_required"}
    r = await admin.request(
        "POST",
        "/api/v1/console/terminations",
        json={"subscriber_id": b_id, "reason": "illegal", "note": "police case 9"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["initiator"] == "operator"
    assert (await bob.get("/api/v1/me/termination")).json()["service_state"] == "terminated"
    r = await admin.request(
        "POST", "/api/v1/console/terminations", json={"subscriber_id": 999999, "reason": "illegal", "note": "n"}
    )
    assert r.status_code == 404

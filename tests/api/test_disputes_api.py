"""Billing disputes over HTTP (R-25): the subscriber files, billing staff investigate and decide."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import FastAPI

from tests.api.conftest import register_and_login, staff_login
from tests.api.test_billing_api import record, subscriber_id
from tests.integration.test_billing import insert, make_plan, subscription
from videophone.adapters.clock import FakeClock
from videophone.bootstrap import Container


async def test_file_investigate_and_decide(app: FastAPI, container: Container, clock: FakeClock) -> None:
    alice = await register_and_login(app)
    bob = await register_and_login(app)
    a_id = await subscriber_id(container, alice.account["number"])
    b_id = await subscriber_id(container, bob.account["number"])
    numbers = (alice.account["number"], bob.account["number"])
    plan_id = await make_plan(container, rent_fen=3800, included=0, rate="0.25")
    now = clock.now()
    await insert(
        container,
        subscription(a_id, plan_id, date(2026, 10, 1)),
        record("c-1", a_id, b_id, numbers, now - timedelta(days=5), 120),  # 2 min → 0.50
        record("c-2", a_id, b_id, numbers, now - timedelta(days=4), 300),  # 5 min → 1.25
    )
    billing = await staff_login(app, container, "billing")
    support = await staff_login(app, container, "support")
    assert (await billing.request("POST", "/api/v1/console/bill-runs", json={"period": "2026-10"})).status_code == 200
    bill_id = (await alice.get("/api/v1/me/bills")).json()["items"][0]["id"]

    r = await alice.get(f"/api/v1/me/bills/{bill_id}/disputable")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["new_charges"] == "39.75" and [(x["call_id"], x["amount"]) for x in body["calls"]] == [
        ("c-1", "0.50"),
        ("c-2", "1.25"),
    ]
    assert (await bob.get(f"/api/v1/me/bills/{bill_id}/disputable")).status_code == 404

    # Bad input: coded errors in the user's language, nothing stored.
    r = await alice.request(
        "POST",
        "/api/v1/me/disputes",
        json={"bill_id": bill_id, "call_id": "c-2", "amount_yuan": "2", "reason": ""},
    )
    assert r.status_code == 422
    errors = {e["field"]: e for e in r.json()["errors"]}
    assert errors["amount_yuan"]["code"] == "dispute_amount_too_high"
    assert errors["amount_yuan"]["message"] == "争议金额不能超过所收费用 ¥1.25。"
    assert errors["reason"]["code"] == "required"
    alice.client.cookies.set("vp_lang", "en")
    r = await alice.request(
        "POST", "/api/v1/me/disputes", json={"bill_id": bill_id, "call_id": "c-2", "amount_yuan": "2", "reason": "x"}
    )
    assert r.json()["errors"][0]["message"] == "The amount disputed cannot exceed the charge of ¥1.25."
    alice.client.cookies.set("vp_lang", "zh-CN")
    r = await alice.request("POST", "/api/v1/me/disputes", json={"bill_id": bill_id, "call_id": "c-9", "reason": "x"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "dispute_call_not_on_bill"
    assert "该通话不在所选账单中计费" in r.json()["errors"][0]["message"]
    r = await bob.request("POST", "/api/v1/me/disputes", json={"bill_id": bill_id, "reason": "x"})
    assert r.status_code == 404 and r.json()["code"] == "dispute_bill_not_found"
    r = await alice.request("POST", "/api/v1/me/disputes", json={"bill_id": bill_id, "reason": "x", "extra": 1})
    assert r.status_code == 422
    assert (await alice.get("/api/v1/me/disputes")).json() == {"items": []}

    r = await alice.request(
        "POST", "/api/v1/me/disputes", json={"bill_id": bill_id, "call_id": "c-2", "reason": "只通话了一分钟"}
    )
    assert r.status_code == 201, r.text
    call_dispute = r.json()
    assert (call_dispute["amount"], call_dispute["state"], call_dispute["call_number"]) == ("1.25", "open", numbers[1])
    r = await alice.request(
        "POST", "/api/v1/me/disputes", json={"bill_id": bill_id, "call_id": "c-2", "reason": "再次"}
    )
    assert r.status_code == 409 and r.json()["code"] == "dispute_already_open"
    r = await alice.request(
        "POST", "/api/v1/me/disputes", json={"bill_id": bill_id, "amount_yuan": "5", "reason": "月租有误"}
    )
    assert r.status_code == 201
    bill_dispute = r.json()

    # Staff: only billing (handle_disputes) may work the queue.
    assert (await support.get("/api/v1/console/disputes")).status_code == 403
    queue = (await billing.get("/api/v1/console/disputes")).json()
    assert (queue["total"], queue["open"], queue["overdue"]) == (2, 2, 0)
    assert [d["id"] for d in queue["items"]] == [call_dispute["id"], bill_dispute["id"]]
    assert queue["items"][0]["subscriber_number"] == numbers[0]
    r = await billing.get("/api/v1/console/disputes?state=bogus")
    assert r.status_code == 422
    detail = (await billing.get(f"/api/v1/console/disputes/{call_dispute['id']}")).json()
    assert detail["bill"]["id"] == bill_id and [line["kind"] for line in detail["bill"]["lines"]] == ["rent", "usage"]
    (call,) = detail["calls"]
    assert (call["id"], call["billable_seconds"], call["charge"], call["charged_seconds"]) == ("c-2", 300, "1.25", 300)
    assert set(call["quality"]) == {"caller", "callee"} and call["samples"] == []
    assert (await billing.get("/api/v1/console/disputes/999")).json()["code"] == "dispute_not_found"

    r = await billing.request(
        "POST",
        f"/api/v1/console/disputes/{call_dispute['id']}/adjust",
        json={"credit_yuan": "1.26", "explanation": "x"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "dispute_credit_too_high"
    r = await billing.request(
        "POST",
        f"/api/v1/console/disputes/{call_dispute['id']}/adjust",
        json={"credit_yuan": "0.75", "explanation": "计费时长有误，退还 3 分钟"},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["credit"]) == ("adjusted", "0.75")
    r = await billing.request(
        "POST", f"/api/v1/console/disputes/{call_dispute['id']}/reject", json={"explanation": "again"}
    )
    assert r.status_code == 409 and r.json()["code"] == "dispute_already_decided"
    r = await billing.request("POST", f"/api/v1/console/disputes/{bill_dispute['id']}/reject", json={"explanation": ""})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "explanation"
    r = await billing.request(
        "POST",
        f"/api/v1/console/disputes/{bill_dispute['id']}/reject",
        json={"explanation": "月租按整月计收，符合套餐约定"},
    )
    assert r.status_code == 200 and r.json()["state"] == "rejected"

    mine = {d["id"]: d for d in (await alice.get("/api/v1/me/disputes")).json()["items"]}
    assert (mine[call_dispute["id"]]["state"], mine[call_dispute["id"]]["credit"]) == ("adjusted", "0.75")
    assert mine[bill_dispute["id"]]["resolution"] == "月租按整月计收，符合套餐约定"
    assert (await bob.get("/api/v1/me/disputes")).json() == {"items": []}
    audit = (await staff_login(app, container, "administrator")).get
    actions = [a["action"] for a in (await audit("/api/v1/console/audit?subject_type=dispute")).json()["items"]]
    assert sorted(set(actions)) == ["dispute.adjust", "dispute.open", "dispute.reject", "dispute.view"]

"""Debts, notifications, account history and the arrears console over HTTP (R-24, R-35)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi import FastAPI

from tests.api.conftest import PASSWORD, Session, client_for, register_and_login, staff_login
from tests.api.test_billing_api import subscriber_id
from tests.integration.test_billing import insert, make_plan, subscription
from videophone.adapters.clock import FakeClock
from videophone.bootstrap import Container


async def login_again(app: FastAPI, old: Session) -> Session:
    client = client_for(app)
    r = await client.post("/api/v1/auth/login", json={"login": old.account["email"], "password": PASSWORD})
    assert r.status_code == 200, r.text
    return Session(client, r.json()["csrf_token"], old.account)


async def test_overdue_subscriber_is_suspended_sees_why_and_staff_see_the_account(
    app: FastAPI, container: Container, clock: FakeClock
) -> None:
    c = container
    alice = await register_and_login(app)
    a_id = await subscriber_id(c, alice.account["number"])
    plan_id = await make_plan(c, rent_fen=3100)
    await insert(c, subscription(a_id, plan_id, date(2026, 9, 1)))
    clock.set(datetime(2026, 11, 1, 2, 0, tzinfo=UTC))
    await c.billing.run("2026-10")
    debts = (await alice.get("/api/v1/me/debts")).json()
    assert (debts["balance_yuan"], debts["overdue_yuan"], debts["oldest_overdue_due"]) == ("31.00", "0.00", None)
    [bill] = debts["bills"]
    due = date.fromisoformat(bill["due_date"])
    assert (bill["remaining_yuan"], bill["settled"], bill["overdue"]) == ("31.00", False, False)

    clock.set(datetime(due.year, due.month, due.day, 4, tzinfo=UTC) + timedelta(days=33))
    await c.late_fees.run()
    await c.arrears.run()
    alice = await login_again(app, alice)  # a month later: the first session has expired
    debts = (await alice.get("/api/v1/me/debts")).json()
    assert debts["oldest_overdue_due"] == due.isoformat() and debts["bills"][0]["overdue"] is True
    assert float(debts["late_fees_unpaid_yuan"]) > 0
    notes = (await alice.get("/api/v1/me/notifications")).json()
    assert notes["unread"] == 2
    assert [n["kind"] for n in notes["items"]] == ["service_suspended_arrears", "bill_issued"]
    assert notes["items"][0]["title"] == "因欠费，服务已中止"
    history = (await alice.get("/api/v1/me/account-history")).json()["items"]
    assert [(e["kind"], e["params"]["reason"]) for e in history] == [("service_restricted", "arrears")]

    bad = await alice.request("POST", "/api/v1/me/notifications/read", json={"up_to_id": 0})
    assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "notifications_up_to_invalid"
    read = await alice.request("POST", "/api/v1/me/notifications/read", json={})
    assert read.json() == {"marked": 2, "unread": 0}  # the suspension and the bill

    staff = await staff_login(app, c, "billing")
    listing = (await staff.get("/api/v1/console/arrears")).json()
    [row] = [r for r in listing["items"] if r["subscriber_id"] == a_id]
    assert (row["service_state"], row["service_reason"], row["bucket"]) == ("suspended", "arrears", "31-60")
    assert listing["buckets"]["31-60"] >= 1
    assert (await staff.get("/api/v1/console/arrears", params={"bucket": "0-30"})).json()["items"] == []
    wrong = await staff.get("/api/v1/console/arrears", params={"bucket": "old"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["code"] == "arrears_bucket_invalid"
    account = (await staff.get(f"/api/v1/console/subscribers/{a_id}/account")).json()
    assert account["service_state"] == "suspended"
    assert [r["reason"] for r in account["restrictions"]] == ["arrears"]
    assert account["debts"]["overdue_yuan"] == debts["overdue_yuan"]
    assert account["history"][0]["kind"] == "service_restricted"
    missing = await staff.get("/api/v1/console/subscribers/999999/account")
    assert missing.status_code == 404

    # A counter payment of everything overdue restores the service at once.
    paid = await staff.request(
        "POST",
        f"/api/v1/console/subscribers/{a_id}/payments",
        json={"amount_yuan": debts["overdue_yuan"], "method": "cash", "receipt_no": "R-API-1"},
    )
    assert paid.status_code in (200, 201), paid.text
    account = (await staff.get(f"/api/v1/console/subscribers/{a_id}/account")).json()
    assert (account["service_state"], account["restrictions"]) == ("active", [])
    assert account["debts"]["overdue_yuan"] == "0.00" and account["debts"]["bills"][0]["settled"] is True
    notes = (await alice.get("/api/v1/me/notifications")).json()
    assert notes["unread"] >= 1 and "service_restored" in [n["kind"] for n in notes["items"]]

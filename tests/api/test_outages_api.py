"""Outages (R-27) and the dashboard (R-52) over HTTP: record, close, credits, coded errors, the
dashboard's series."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import FastAPI

from tests.api.conftest import register_and_login, staff_login
from tests.api.test_billing_api import subscriber_id
from tests.integration.test_billing import insert, make_plan, subscription
from videophone.adapters.clock import FakeClock
from videophone.bootstrap import Container


async def test_record_close_and_credit(app: FastAPI, container: Container, clock: FakeClock) -> None:
    alice = await register_and_login(app)
    number = alice.account["number"]
    a_id = await subscriber_id(container, number)
    plan_id = await make_plan(container, rent_fen=3100)
    await insert(container, subscription(a_id, plan_id, date(2026, 1, 1)))
    support = await staff_login(app, container, "support")
    reviewer = await staff_login(app, container, "reviewer")
    start = (clock.now() - timedelta(days=3)).isoformat()

    # Bad input: every field at fault, in the staff member's language, nothing stored.
    r = await support.request(
        "POST", "/api/v1/console/outages", json={"title": "", "started_at": "yesterday", "scope": "listed"}
    )
    assert r.status_code == 422, r.text
    errors = {e["field"]: e["code"] for e in r.json()["errors"]}
    assert errors == {"started_at": "outage_time_format"}
    r = await support.request(
        "POST", "/api/v1/console/outages", json={"title": "", "started_at": start, "scope": "listed", "numbers": ""}
    )
    errors = {e["field"]: e for e in r.json()["errors"]}
    assert errors["title"]["code"] == "required" and errors["numbers"]["code"] == "outage_numbers_required"
    assert errors["numbers"]["message"] == "请填写受影响的号码，或选择“全部用户”。"
    r = await support.request(
        "POST", "/api/v1/console/outages", json={"title": "x", "started_at": start, "scope": "listed", "numbers": "0"}
    )
    assert r.json()["errors"][0]["code"] == "outage_unknown_numbers"
    assert (await support.get("/api/v1/console/outages")).json()["total"] == 0
    assert (await reviewer.get("/api/v1/console/outages")).status_code == 403

    r = await support.request(
        "POST",
        "/api/v1/console/outages",
        json={"title": "核心网故障", "started_at": start, "scope": "listed", "numbers": number},
    )
    assert r.status_code == 201, r.text
    outage = r.json()
    assert outage["state"] == "open" and outage["affected_numbers"] == [number]
    end = (clock.now() - timedelta(days=1)).isoformat()  # 48 hours
    r = await support.request("POST", f"/api/v1/console/outages/{outage['id']}/close", json={"ended_at": end})
    assert r.status_code == 200, r.text
    closed = r.json()
    assert closed["state"] == "closed" and closed["qualifies"] and closed["duration_hours"] == 48.0
    assert [(x["number"], x["amount_fen"] > 0) for x in closed["credits"]] == [(number, True)]
    again = await support.request("POST", f"/api/v1/console/outages/{outage['id']}/close", json={}, noop=True)
    assert again.json()["credited_total_fen"] == closed["credited_total_fen"]
    r = await support.request(
        "POST", f"/api/v1/console/outages/{outage['id']}/close", json={"ended_at": start[:10] + "T23:00"}
    )
    assert r.status_code == 409 and r.json()["code"] == "outage_already_closed"
    assert (await support.get("/api/v1/console/outages/999")).status_code == 404
    listed = (await support.get("/api/v1/console/outages")).json()
    assert listed["total"] == 1 and listed["items"][0]["credited_accounts"] == 1

    notes = (await alice.get("/api/v1/me/notifications")).json()["items"]
    assert any(n["kind"] == "outage_credit" for n in notes)


async def test_dashboard_series(app: FastAPI, container: Container) -> None:
    await register_and_login(app)
    reviewer = await staff_login(app, container, "reviewer")
    r = await reviewer.get("/api/v1/console/dashboard")
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["subscribers"]["total"] == 1
    assert len(data["calls"]["days"]) == 30 and len(data["revenue"]["months"]) == 12
    assert [b["bucket"] for b in data["arrears"]["buckets"]] == ["0-30", "31-60", "61-90", "90+", "late_fees"]
    assert {d["key"] for d in data["disputes"]["counts"]} == {
        "open_in_time",
        "open_overdue",
        "answered_in_time",
        "answered_late",
    }

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
        "POST",
        "/api/v1/console/outages",
        json={"title": "", "started_at": start, "scope": "listed", "numbers": "", "cause": "internet"},
    )
    errors = {e["field"]: e for e in r.json()["errors"]}
    assert errors["title"]["code"] == "required" and errors["numbers"]["code"] == "outage_numbers_required"
    assert errors["numbers"]["message"] == "请填写受影响的号码，或选择“全部用户”。"
    assert errors["evidence"]["code"] == "outage_evidence_required"
    r = await support.request("POST", "/api/v1/console/outages", json={"title": "x", "started_at": start})
    assert r.json()["errors"][0]["field"] == "cause" and r.json()["errors"][0]["code"] == "required"
    r = await support.request(
        "POST",
        "/api/v1/console/outages",
        json={"title": "x", "started_at": start, "scope": "listed", "numbers": "0", "cause": "operator"},
    )
    assert r.json()["errors"][0]["code"] == "outage_unknown_numbers"
    assert (await support.get("/api/v1/console/outages")).json()["total"] == 0
    assert (await reviewer.get("/api/v1/console/outages")).status_code == 403

    r = await support.request(
        "POST",
        "/api/v1/console/outages",
        json={"title": "核心网故障", "started_at": start, "scope": "listed", "numbers": number, "cause": "operator"},
    )
    assert r.status_code == 201, r.text
    outage = r.json()
    assert outage["state"] == "open" and outage["affected_numbers"] == [number]
    end = (clock.now() - timedelta(days=1)).isoformat()  # 48 hours
    r = await support.request("POST", f"/api/v1/console/outages/{outage['id']}/close", json={"ended_at": end})
    assert r.status_code == 200, r.text
    closed = r.json()
    assert closed["state"] == "closed" and closed["qualifies"] and closed["duration_hours"] == 48.0
    assert closed["cause"] == "operator" and closed["earns_credit"] and closed["credit_round"] == 0
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


async def test_a_force_majeure_outage_credits_nothing_and_a_corrected_cause_reverses_the_credit(
    app: FastAPI, container: Container, clock: FakeClock
) -> None:
    alice = await register_and_login(app)
    number = alice.account["number"]
    a_id = await subscriber_id(container, number)
    plan_id = await make_plan(container, rent_fen=3000)
    await insert(container, subscription(a_id, plan_id, date(2026, 1, 1)))
    support = await staff_login(app, container, "support")
    reviewer = await staff_login(app, container, "reviewer")
    start, end = clock.now() - timedelta(hours=40), clock.now() - timedelta(hours=10)  # 30 hours
    body = {"started_at": start.isoformat(), "ended_at": end.isoformat(), "scope": "listed", "numbers": number}

    r = await support.request(
        "POST",
        "/api/v1/console/outages",
        json={**body, "title": "台风", "cause": "force_majeure", "evidence": "气象台台风红色预警 2026-17"},
    )
    assert r.status_code == 201, r.text
    storm = r.json()
    assert storm["qualifies"] and not storm["earns_credit"] and storm["credits"] == []
    assert storm["cause"] == "force_majeure" and storm["evidence"] == "气象台台风红色预警 2026-17"
    notes = (await alice.get("/api/v1/me/notifications")).json()["items"]
    told = [n for n in notes if n["kind"] == "outage_no_credit"]
    assert len(told) == 1 and "不可抗力" in told[0]["body"] and "台风" in told[0]["body"]

    r = await support.request(
        "POST", "/api/v1/console/outages", json={**body, "title": "核心路由器故障", "cause": "operator"}
    )
    ours = r.json()
    assert ours["earns_credit"] and [c["number"] for c in ours["credits"]] == [number]
    given = ours["credits"][0]["amount_fen"]  # 30 hours of 30 yuan a month
    assert 100 <= given <= 125 and ours["credited_total_fen"] == given

    # The cause corrected: not ours after all → the credit is reversed; evidence required; audited.
    path = f"/api/v1/console/outages/{ours['id']}/cause"
    r = await support.request("POST", path, json={"cause": "third_party"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "outage_evidence_required"
    assert (await reviewer.request("POST", path, json={"cause": "operator"})).status_code == 403
    r = await support.request("POST", path, json={"cause": "bogus", "evidence": "x"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "invalid_choice"
    assert (
        await support.request("POST", "/api/v1/console/outages/999/cause", json={"cause": "operator"})
    ).status_code == 404
    r = await support.request("POST", path, json={"cause": "third_party", "evidence": "电信骨干网故障单 CT-88"})
    assert r.status_code == 200, r.text
    corrected = r.json()
    assert corrected["cause"] == "third_party" and corrected["credit_round"] == 1 and not corrected["earns_credit"]
    assert corrected["credits"] == [] and corrected["credited_total_fen"] == 0
    assert corrected["reversed_accounts"] == 1 and corrected["reversed_total_fen"] == given
    again = await support.request(
        "POST", path, json={"cause": "third_party", "evidence": "电信骨干网故障单 CT-88"}, noop=True
    )
    assert again.json()["credit_round"] == 1 and again.json()["reversed_total_fen"] == given
    notes = (await alice.get("/api/v1/me/notifications")).json()["items"]
    assert any(n["kind"] == "outage_credit_reversed" and corrected["reversed_total"] in n["body"] for n in notes)
    admin = await staff_login(app, container, "administrator")
    audit = (await admin.get("/api/v1/console/audit", params={"action": "outage.cause"})).json()
    assert audit["total"] == 1, audit


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

"""The credit limit over HTTP (R-26): choose, see, validation, the bar following the limit."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import FastAPI

from tests.api.conftest import register_and_login
from tests.api.test_billing_api import record, subscriber_id
from tests.integration.test_billing import insert, make_plan, subscription
from videophone.adapters.clock import FakeClock
from videophone.bootstrap import Container


async def test_choose_see_and_change_the_credit_limit(app: FastAPI, container: Container, clock: FakeClock) -> None:
    alice = await register_and_login(app)
    bob = await register_and_login(app)
    a_id = await subscriber_id(container, alice.account["number"])
    b_id = await subscriber_id(container, bob.account["number"])
    plan_id = await make_plan(container, included=0, rate="1.00")
    await insert(
        container,
        subscription(a_id, plan_id, date(2026, 11, 1)),
        record("c-1", a_id, b_id, (alice.account["number"], bob.account["number"]),
               clock.now() - timedelta(hours=1), 45 * 60),
    )  # fmt: skip

    status = (await alice.get("/api/v1/me/credit-limit")).json()
    assert status["limit_yuan"] is None and status["options"] == [50, 100, 200, 500, 1000]
    assert status["used"] == "45.00" and status["remaining"] is None and status["barred"] is False

    r = await alice.request("PUT", "/api/v1/me/credit-limit", json={"limit_yuan": 75})
    assert r.status_code == 422
    error = r.json()["errors"][0]
    assert error["field"] == "limit_yuan" and error["code"] == "credit_limit_not_offered"
    assert "50, 100, 200, 500, 1000" in error["message"]
    alice.client.cookies.set("vp_lang", "en")
    r = await alice.request("PUT", "/api/v1/me/credit-limit", json={"limit_yuan": 75})
    assert r.json()["errors"][0]["message"] == "Choose one of the credit limits offered: ¥50, 100, 200, 500, 1000."
    alice.client.cookies.set("vp_lang", "zh-CN")
    for bad in ({"limit_yuan": "abc"}, {"limit_yuan": 50, "extra": 1}, {}):
        r = await alice.request("PUT", "/api/v1/me/credit-limit", json=bad)
        assert r.status_code == 422, bad
    assert (await alice.get("/api/v1/me/credit-limit")).json()["limit_yuan"] is None  # nothing changed

    # 45 of 50: the 80 % warning; below the usage nothing is barred yet.
    r = await alice.request("PUT", "/api/v1/me/credit-limit", json={"limit_yuan": 50})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["limit_yuan"], body["percent"], body["remaining"], body["warnings"]) == (50, 90, "5.00", [80])
    assert body["barred"] is False and body["service_state"] == "active"

    # Bob cannot see Alice's figures, only his own.
    bob_status = (await bob.get("/api/v1/me/credit-limit")).json()
    assert bob_status["used"] == "0.00" and bob_status["limit_yuan"] is None

    r = await alice.request("PUT", "/api/v1/me/credit-limit", json={"limit_yuan": None})
    assert r.status_code == 200 and r.json()["limit_yuan"] is None
    events = [(e.kind, e.params) for e in reversed(await container.account_history.list(a_id))]
    assert events[0] == ("credit_limit_changed", {"limit": "50.00"})
    assert events[-1] == ("credit_limit_changed", {"limit": ""})
    assert ("credit_limit_warning", {"level": 80, "limit": "50.00", "used": "45.00"}) in events

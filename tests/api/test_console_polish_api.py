"""The console without raw codes (issue 15): the audit log with names and filters, the policy preview,
the bill-run period from the operator's calendar, one subscriber history."""

from __future__ import annotations

import json
import re

from fastapi import FastAPI

from tests.api.conftest import register_and_login, staff_login
from videophone.adapters.clock import FakeClock
from videophone.bootstrap import Container


async def test_the_audit_log_names_people_and_filters_by_actor_action_and_days(
    app: FastAPI, container: Container, clock: FakeClock
) -> None:
    sub = await register_and_login(app)
    admin = await staff_login(app, container, "administrator")
    reviewer = await staff_login(app, container, "reviewer")
    sid = (await sub.get("/api/v1/me")).json()["id"]
    reviewer_name = (await reviewer.get("/api/v1/console/me")).json()["username"]
    r = await reviewer.request(
        "POST", f"/api/v1/console/subscribers/{sid}/review", json={"action": "verify", "reason": ""}
    )
    assert r.status_code == 200, r.text

    filters = (await admin.get("/api/v1/console/audit/filters")).json()
    me = next(s for s in filters["staff"] if s["username"] == reviewer_name)
    assert "review.verify" in filters["actions"] and "policy.update" in filters["actions"]

    page = (await admin.get("/api/v1/console/audit", params={"actor_id": me["id"], "actor_type": "staff"})).json()
    actions = [i["action"] for i in page["items"]]
    assert "review.verify" in actions and "subscriber.register" not in actions
    verify = next(i for i in page["items"] if i["action"] == "review.verify")
    assert verify["actor_username"] == reviewer_name
    assert verify["subject_number"] == sub.account["number"] and verify["subject_name"] == sub.account["name"]

    only = (await admin.get("/api/v1/console/audit", params={"action": "subscriber.register"})).json()
    assert only["total"] >= 1 and {i["action"] for i in only["items"]} == {"subscriber.register"}
    registered = only["items"][0]
    assert registered["actor_type"] == "subscriber" and registered["actor_number"] == sub.account["number"]

    # Days of the operator's calendar (Asia/Shanghai): the fake clock is 2026-11-01 10:00 there.
    today = (
        await admin.get("/api/v1/console/audit", params={"date_from": "2026-11-01", "date_to": "2026-11-01"})
    ).json()
    everything = (await admin.get("/api/v1/console/audit")).json()
    assert today["total"] == everything["total"] >= 2
    before = (await admin.get("/api/v1/console/audit", params={"date_to": "2026-10-31"})).json()
    assert before["total"] == 0
    after = (await admin.get("/api/v1/console/audit", params={"date_from": "2026-11-02"})).json()
    assert after["total"] == 0

    for params, field in (
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"date_from": "2026-11-02", "date_to": "2026-11-01"}, "date_to"),
        ({"action": "no.such_action"}, "action"),
        ({"actor_type": "robot"}, "actor_type"),
    ):
        r = await admin.get("/api/v1/console/audit", params=params)
        assert r.status_code == 422, (params, r.text)
        assert field in json.dumps(r.json()["errors"]), r.json()


async def test_a_policy_preview_renders_the_new_values_and_saves_nothing(app: FastAPI, container: Container) -> None:
    await container.tariffs.ensure_demo_catalog()
    admin = await staff_login(app, container, "administrator")
    policy = (await admin.get("/api/v1/console/policy")).json()
    specs = {p["name"]: p for p in policy["parameters"]}
    assert specs["credit_limit_action"]["input"] == "select"
    assert specs["credit_limit_action"]["choices"] == ["outgoing_barred", "suspended"]
    assert specs["default_plan_code"]["input"] == "plan"
    assert policy["values"]["default_plan_code"] in {p["code"] for p in policy["plans"]}
    assert specs["voicemail_deposit_rated"]["input"] == "switch"
    assert specs["warranty_years"]["unit"] == "years"

    r = await admin.request(
        "POST", "/api/v1/console/policy/preview", json={"values": {"late_fee_per_mille_per_day": "5"}}, noop=True
    )
    assert r.status_code == 200, r.text
    preview = r.json()
    assert preview["changes"] == {"late_fee_per_mille_per_day": {"before": "3", "after": "5"}}
    [clause] = preview["clauses"]
    assert "千分之3支付违约金" in clause["before"]
    assert [s["text"] for s in clause["after"] if s["changed"]] == ["5"]
    assert "千分之5支付违约金" in "".join(s["text"] for s in clause["after"])
    assert (await admin.get("/api/v1/console/policy")).json()["version"] == policy["version"]  # nothing saved

    # A parameter the agreement does not quote changes no clause.
    r = await admin.request(
        "POST", "/api/v1/console/policy/preview", json={"values": {"reconnect_grace_seconds": 30}}, noop=True
    )
    assert r.status_code == 200 and r.json()["clauses"] == []

    for values, field in (
        ({"warranty_years": 99}, "warranty_years"),
        ({"credit_limit_action": "explode"}, "credit_limit_action"),
        ({"default_plan_code": "no-such-plan"}, "default_plan_code"),
        ({"late_fee_per_mille_per_day": "3"}, "values"),
    ):
        r = await admin.request("POST", "/api/v1/console/policy/preview", json={"values": values})
        assert r.status_code == 422, (values, r.text)
        assert r.json()["errors"][0]["field"].endswith(field), r.json()
    r = await admin.request(
        "PUT", "/api/v1/console/policy", json={"values": {"default_plan_code": "no-such-plan"}, "reason": "x"}
    )
    assert r.status_code == 422

    history = (await admin.get("/api/v1/console/policy/history")).json()
    assert history[-1]["reason"] == "initial" and history[-1]["changed_by_username"] is None


async def test_console_pages_carry_the_operators_today(app: FastAPI, container: Container) -> None:
    """The bill-run form defaults to last month of this day (bills-console.js), not the browser's."""
    admin = await staff_login(app, container, "administrator")
    html = (await admin.get("/console/bills")).text
    found = re.search(r"operator: (\{[^}]*\})", html)
    assert found, html[-800:]
    assert json.loads(found.group(1)) == {"today": "2026-11-01", "zone": "Asia/Shanghai"}


async def test_a_subscribers_history_is_one_timeline(app: FastAPI, container: Container) -> None:
    sub = await register_and_login(app)
    support = await staff_login(app, container, "support")
    sid = (await sub.get("/api/v1/me")).json()["id"]
    r = await support.request(
        "POST",
        f"/api/v1/console/subscribers/{sid}/number-change",
        json={"reason": "subscriber_request", "note": "用户申请"},
    )
    assert r.status_code == 200
    detail = (await support.get(f"/api/v1/console/subscribers/{sid}")).json()
    history = detail["history"]
    assert {h["source"] for h in history} <= {"audit", "account"}
    change = next(h for h in history if h["action"] == "subscriber.number_change")
    assert change["actor_username"] == (await support.get("/api/v1/console/me")).json()["username"]
    assert [h["at"] for h in history] == sorted((h["at"] for h in history), reverse=True)

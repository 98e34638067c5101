"""Announcements and agreement changes over HTTP (R-33, R-06): staff publish, subscribers read them,
see what changed, accept or object; staff decide the objection; coded errors in both languages."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from tests.api.conftest import register_and_login, staff_login
from videophone.adapters.clock import FakeClock
from videophone.bootstrap import Container
from videophone.identity.services.agreement import shipped_template


async def test_staff_announce_to_numbers_and_subscribers_read_it(
    app: FastAPI, container: Container, clock: FakeClock
) -> None:
    alice = await register_and_login(app)
    bob = await register_and_login(app)
    admin = await staff_login(app, container, "administrator")
    support = await staff_login(app, container, "support")
    effective = (clock.now() + timedelta(days=8)).isoformat()
    body = {
        "kind": "number_change",
        "title": "号码变更通知",
        "body": "因网络调整，您的号码将于下月变更。",
        "audience": "numbers",
        "numbers": [alice.account["number"]],
        "effective_at": effective,
    }
    assert (await support.request("POST", "/api/v1/console/announcements", json=body)).status_code == 403

    r = await admin.request("POST", "/api/v1/console/announcements", json={**body, "effective_at": None, "kind": "x"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "announcement_kind_unknown"
    assert r.json()["errors"][0]["message"] == "请选择公告类型。"
    admin.client.cookies.set("vp_lang", "en")
    short = {**body, "effective_at": (clock.now() + timedelta(days=1)).isoformat()}
    r = await admin.request("POST", "/api/v1/console/announcements", json=short)
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"].startswith(
        "Advance notice is required: the change may take effect no sooner than 168 hours"
    )
    admin.client.cookies.set("vp_lang", "zh-CN")

    r = await admin.request("POST", "/api/v1/console/announcements", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["numbers"] == [alice.account["number"]] and created["state"] == "scheduled"
    await container.announcements.deliver_due()

    mine = (await alice.get("/api/v1/me/announcements")).json()
    assert mine["unread"] == 1 and mine["items"][0]["title"] == "号码变更通知"
    assert (await bob.get("/api/v1/me/announcements")).json() == {"unread": 0, "items": []}
    r = await alice.request("POST", "/api/v1/me/announcements/read", json={"ids": [created["id"]]})
    assert r.json() == {"marked": 1}
    assert (await alice.get("/api/v1/me/announcements")).json()["items"][0]["read"] is True
    listed = (await admin.get("/api/v1/console/announcements")).json()
    assert listed["total"] == 1 and listed["items"][0]["delivered"] == 1


async def test_agreement_change_over_http(app: FastAPI, container: Container, clock: FakeClock) -> None:
    alice = await register_and_login(app)
    bob = await register_and_login(app)
    admin = await staff_login(app, container, "administrator")
    current = (await admin.get("/api/v1/console/agreement/template")).json()
    assert current["version"] == 1 and current["template"] == shipped_template(1)

    new = current["template"].replace("## 前言", "## 前言\n\n新条款：视频通话支持高清。", 1)
    payload = {"template": new, "summary": "新增高清条款", "title": "协议变更", "body": "服务协议有更新。"}
    r = await admin.request("POST", "/api/v1/console/agreement/versions", json={**payload, "template": "${nope}"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "agreement_unknown_placeholder"
    r = await admin.request("POST", "/api/v1/console/agreement/versions", json=payload)
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 2

    changes = (await alice.get("/api/v1/me/agreement/changes")).json()["items"]
    assert changes[0]["version"] == 2 and changes[0]["objection_open"] is True
    assert {"op": "added", "text": "新条款：视频通话支持高清。"} in changes[0]["diff"]

    r = await alice.request("POST", "/api/v1/me/agreement/changes/2/objection", json={"text": ""})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "required"
    r = await alice.request("POST", "/api/v1/me/agreement/changes/2/objection", json={"text": "不同意新条款"})
    assert r.status_code == 201, r.text
    r = await alice.request("POST", "/api/v1/me/agreement/changes/2/objection", json={"text": "再来"})
    assert r.status_code == 409 and r.json()["code"] == "objection_exists"
    r = await bob.request("POST", "/api/v1/me/agreement/changes/2/accept")
    assert r.status_code == 200 and r.json()["method"] == "explicit"
    assert (await bob.get("/api/v1/me/agreement")).json()["version"] == 2
    assert (await bob.request("POST", "/api/v1/me/agreement/changes/9/accept")).status_code == 404

    cases = (await admin.get("/api/v1/console/agreement/objections?state=open")).json()
    assert cases["open"] == 1 and cases["items"][0]["subscriber_number"] == alice.account["number"]
    case_id = cases["items"][0]["id"]
    r = await admin.request(
        "POST", f"/api/v1/console/agreement/objections/{case_id}/decide", json={"outcome": "maybe", "note": ""}
    )
    assert {e["code"] for e in r.json()["errors"]} == {"objection_outcome_unknown", "required"}
    r = await admin.request(
        "POST",
        f"/api/v1/console/agreement/objections/{case_id}/decide",
        json={"outcome": "not_agreed", "note": "用户保留原协议"},
    )
    assert r.status_code == 200 and r.json()["state"] == "not_agreed"
    assert (await admin.get("/api/v1/console/agreement/objections?state=bogus")).status_code == 422

"""Contacts, block list and harassment reports through the HTTP API (R-12)."""

from __future__ import annotations

from fastapi import FastAPI

from tests.api.conftest import register_and_login, staff_login
from videophone.bootstrap import Container


async def test_contacts_through_the_api(app: FastAPI) -> None:
    me = await register_and_login(app)
    r = await me.request("POST", "/api/v1/me/contacts", json={"name": "张三", "number": "010-8888 1234"})
    assert r.status_code == 201, r.text
    contact = r.json()
    assert (contact["number"], contact["favourite"], contact["note"]) == ("01088881234", False, "")

    r = await me.request("POST", "/api/v1/me/contacts", json={"name": "", "number": "12", "favourite": False})
    assert r.status_code == 422
    assert {e["field"]: e["code"] for e in r.json()["errors"]} == {
        "name": "required",
        "number": "contact_number_format",
    }
    assert all(e["message"] for e in r.json()["errors"])

    r = await me.request("POST", "/api/v1/me/contacts", json={"name": "又一个", "number": "01088881234"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "contact_number_taken"
    r = await me.request("POST", "/api/v1/me/contacts", json={"name": "x", "number": "12345", "extra": 1})
    assert r.status_code == 422  # unknown fields are refused

    r = await me.request("PATCH", f"/api/v1/me/contacts/{contact['id']}", json={"favourite": True})
    assert r.status_code == 200 and r.json()["favourite"] is True and r.json()["name"] == "张三"
    r = await me.get("/api/v1/me/contacts", params={"q": "8888", "favourites_only": "true"})
    assert r.json()["total"] == 1 and r.json()["items"][0]["id"] == contact["id"]
    assert (await me.get("/api/v1/me/contacts", params={"q": "nobody"})).json() == {"total": 0, "items": []}

    r = await me.request("DELETE", f"/api/v1/me/contacts/{contact['id']}")
    assert r.status_code == 204
    assert (await me.get("/api/v1/me/contacts")).json()["total"] == 0


async def test_english_messages(app: FastAPI) -> None:
    me = await register_and_login(app)
    me.client.cookies.set("vp_lang", "en")
    r = await me.request("POST", "/api/v1/me/reports", json={"number": "12345", "description": "abc"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"] == "Describe what happened in at least 5 characters."


async def test_another_subscriber_cannot_touch_my_contacts_or_blocks(app: FastAPI) -> None:
    alice = await register_and_login(app)
    bob = await register_and_login(app)
    contact = (
        await alice.request("POST", "/api/v1/me/contacts", json={"name": "秘密", "number": "13912345678"})
    ).json()
    block = (await alice.request("POST", "/api/v1/me/blocks", json={"number": "4008001234", "reason": "推销"})).json()
    await alice.request("POST", "/api/v1/me/reports", json={"number": "4008001234", "description": "推销电话很多次"})

    for path in ("/api/v1/me/contacts", "/api/v1/me/blocks", "/api/v1/me/reports"):
        body = (await bob.get(path)).text
        assert "13912345678" not in body and "4008001234" not in body
    r = await bob.request("PATCH", f"/api/v1/me/contacts/{contact['id']}", json={"name": "hijack"})
    assert r.status_code == 404 and r.json()["code"] == "contact_not_found"
    assert (await bob.request("DELETE", f"/api/v1/me/contacts/{contact['id']}")).status_code == 404
    r = await bob.request("DELETE", f"/api/v1/me/blocks/{block['id']}")
    assert r.status_code == 404 and r.json()["code"] == "block_not_found"

    assert (await alice.get("/api/v1/me/contacts")).json()["items"][0]["name"] == "秘密"
    assert len((await alice.get("/api/v1/me/blocks")).json()) == 1


async def test_writes_need_the_csrf_token(app: FastAPI) -> None:
    me = await register_and_login(app)
    r = await me.client.post("/api/v1/me/contacts", json={"name": "A", "number": "12345"})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    r = await me.client.post("/api/v1/me/blocks", json={"number": "12345"})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    assert (await me.get("/api/v1/me/contacts")).json()["total"] == 0


async def test_block_and_unblock(app: FastAPI) -> None:
    me = await register_and_login(app)
    other = await register_and_login(app)
    r = await me.request("POST", "/api/v1/me/blocks", json={"number": other.account["number"], "reason": "骚扰"})
    assert r.status_code == 201
    block = r.json()
    assert (block["number"], block["reason"]) == (other.account["number"], "骚扰")
    r = await me.request("POST", "/api/v1/me/blocks", json={"number": other.account["number"]})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "number_already_blocked"
    r = await me.request("POST", "/api/v1/me/blocks", json={"number": me.account["number"]})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "number_is_own"
    assert (await me.request("DELETE", f"/api/v1/me/blocks/{block['id']}")).status_code == 204
    assert (await me.get("/api/v1/me/blocks")).json() == []


async def test_reports_are_handled_by_staff_with_the_permission(app: FastAPI, container: Container) -> None:
    me = await register_and_login(app)
    pest = await register_and_login(app)
    pest_id = (await pest.get("/api/v1/me")).json()["id"]
    r = await me.request(
        "POST",
        "/api/v1/me/reports",
        json={"number": pest.account["number"], "description": "每天深夜打来骚扰", "block": True},
    )
    assert r.status_code == 201, r.text
    report = r.json()
    assert report["state"] == "open" and "reported_id" not in report
    assert [b["number"] for b in (await me.get("/api/v1/me/blocks")).json()] == [pest.account["number"]]

    reviewer = await staff_login(app, container, "reviewer")
    assert (await reviewer.get("/api/v1/console/reports")).status_code == 403
    r = await reviewer.request("POST", f"/api/v1/console/reports/{report['id']}/handle", json={"action": "start"})
    assert r.status_code == 403

    support = await staff_login(app, container, "support")
    queue = (await support.get("/api/v1/console/reports", params={"state": "open"})).json()
    assert queue["total"] == 1 and queue["items"][0]["reported_id"] == pest_id
    detail = (await support.get(f"/api/v1/console/reports/{report['id']}")).json()
    assert (detail["reporter_number"], detail["reported_number"]) == (me.account["number"], pest.account["number"])
    assert (await support.get("/api/v1/console/reports/999999")).status_code == 404
    assert (await support.get("/api/v1/console/reports", params={"state": "bogus"})).status_code == 422

    url = f"/api/v1/console/reports/{report['id']}/handle"
    r = await support.request("POST", url, json={"action": "resolve", "resolution": ""})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "resolution"
    r = await support.request("POST", url, json={"action": "start"})
    assert r.status_code == 200 and r.json()["state"] == "in_progress"
    r = await support.request("POST", url, json={"action": "start"})
    assert r.status_code == 409 and r.json()["code"] == "report_transition_invalid"
    r = await support.client.post(url, json={"action": "resolve", "resolution": "已警告"})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    r = await support.request("POST", url, json={"action": "resolve", "resolution": "已警告对方"})
    assert r.status_code == 200 and r.json()["state"] == "resolved"

    mine = (await me.get("/api/v1/me/reports")).json()
    assert mine["total"] == 1
    assert (mine["items"][0]["state"], mine["items"][0]["resolution"]) == ("resolved", "已警告对方")
    assert (await pest.get("/api/v1/me/reports")).json()["total"] == 0


async def test_a_report_names_only_a_call_of_the_reporter(app: FastAPI, container: Container) -> None:
    """Only a call the reporter took part in (caller or callee) may be reported; anybody else's call id
    answers 404 exactly like one that does not exist, so the answer is no oracle of call ids."""
    from tests.api.test_calls_api import insert_call, with_id

    me, pest, stranger, victim = [await with_id(await register_and_login(app)) for _ in range(4)]
    incoming = await insert_call(container, pest, me)  # me as the callee
    outgoing = await insert_call(container, me, pest, outcome="no_answer")  # me as the caller
    theirs = await insert_call(container, stranger, victim)  # a call between two others

    url = "/api/v1/me/reports"
    body = {"number": pest.account["number"], "description": "深夜反复来电骚扰"}
    for call_id in (incoming, outgoing):
        r = await me.request("POST", url, json={**body, "call_id": call_id})
        assert r.status_code == 201, r.text
        assert r.json()["call_id"] == call_id

    missing = await me.request("POST", url, json={**body, "call_id": "00000000-0000-4000-8000-000000000000"})
    foreign = await me.request("POST", url, json={**body, "call_id": theirs})
    odd = await me.request("POST", url, json={**body, "call_id": "x' OR '1'='1"})
    for r in (missing, foreign, odd):
        assert r.status_code == 404, r.text
        assert r.json()["code"] == "call_not_found"
    assert foreign.json() == missing.json()  # the same answer: nothing tells the two apart
    assert (await me.get(url)).json()["total"] == 2  # nothing filed by the refused ones
    r = await me.request("POST", url, json={**body, "call_id": theirs, "block": True})
    assert r.status_code == 404
    assert (await me.get("/api/v1/me/blocks")).json() == []  # nor blocked as a side effect

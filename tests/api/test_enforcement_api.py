"""Violations and lawful suspension over HTTP (R-30, R-31): support staff act with a reason and evidence
files, legal staff record an authority's request; the reference is shown on the legal routes only."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.api.conftest import register_and_login, staff_login
from tests.api.test_billing_api import subscriber_id
from tests.support.files import PNG
from videophone.adapters.db.models import Subscriber
from videophone.bootstrap import Container

REFERENCE = "(2026)沪检字第42号"


async def test_issue_with_evidence_lift_and_the_subscriber_sees_the_notice(app: FastAPI, container: Container) -> None:
    alice = await register_and_login(app)
    a_id = await subscriber_id(container, alice.account["number"])
    support = await staff_login(app, container, "support")

    r = await support.get("/api/v1/console/violations/subscriber", params={"number": alice.account["number"]})
    assert r.status_code == 200, r.text
    assert (r.json()["id"], r.json()["service_state"]) == (a_id, "active")
    assert (await support.get("/api/v1/console/violations/subscriber", params={"number": "1"})).status_code == 404

    # Bad input: coded errors in the staff member's language, nothing stored.
    r = await support.request(
        "POST",
        "/api/v1/console/violations",
        data={"subscriber_id": str(a_id), "action": "suspend", "reason": ""},
        files=[("files", ("x.txt", b"hello", "text/plain"))],
    )
    assert r.status_code == 422, r.text
    errors = {e["field"]: e for e in r.json()["errors"]}
    assert errors["reason"]["code"] == "required"
    assert errors["files"]["code"] == "upload_type_not_allowed"
    assert (await support.get("/api/v1/console/violations")).json()["total"] == 0

    r = await support.request(
        "POST",
        "/api/v1/console/violations",
        data={"subscriber_id": str(a_id), "action": "restrict_outgoing", "reason": "群发骚扰呼叫"},
        files=[("files", ("shot.png", PNG, "image/png"))],
    )
    assert r.status_code == 201, r.text
    violation = r.json()
    assert (violation["state"], violation["subscriber_number"]) == ("open", alice.account["number"])
    evidence = violation["evidence"][0]
    r = await support.get(f"/api/v1/console/violations/{violation['id']}/evidence/{evidence['id']}")
    assert (r.status_code, r.content, r.headers["content-type"]) == (200, PNG, "image/png")
    assert r.headers["x-content-type-options"] == "nosniff"

    async with container.deps.uow() as uow:
        sub = await uow.session.get(Subscriber, a_id)
        assert sub is not None and (sub.service_state, sub.service_reason) == ("outgoing_barred", "violation")
    items = (await alice.get("/api/v1/me/notifications")).json()["items"]
    notice = next(n for n in items if n["kind"] == "violation_restrict_outgoing")
    assert "群发骚扰呼叫" in notice["body"]

    r = await support.request("POST", f"/api/v1/console/violations/{violation['id']}/lift", json={"reason": ""})
    assert r.status_code == 422
    r = await support.request("POST", f"/api/v1/console/violations/{violation['id']}/lift", json={"reason": "已核实"})
    assert r.status_code == 200 and r.json()["state"] == "lifted"
    r = await support.request("POST", f"/api/v1/console/violations/{violation['id']}/lift", json={"reason": "again"})
    assert r.status_code == 409 and r.json()["code"] == "violation_not_liftable"


async def test_lawful_reference_only_for_legal_staff(app: FastAPI, container: Container) -> None:
    bob = await register_and_login(app)
    b_id = await subscriber_id(container, bob.account["number"])
    legal = await staff_login(app, container, "legal")
    admin_view = await staff_login(app, container, "administrator")
    support = await staff_login(app, container, "support")

    r = await legal.request(
        "POST",
        "/api/v1/console/lawful",
        json={"number": bob.account["number"], "authority": "上海市人民检察院", "reference": REFERENCE},
    )
    assert r.status_code == 201, r.text
    lawful = r.json()
    assert (lawful["reference"], lawful["state"]) == (REFERENCE, "active")
    listed = (await legal.get("/api/v1/console/lawful")).json()
    assert listed["items"][0]["reference"] == REFERENCE

    # Support staff cannot see the legal list; the audit log and the subscriber page never show it.
    assert (await support.get("/api/v1/console/lawful")).status_code == 403
    audit = await admin_view.get("/api/v1/console/audit")
    assert audit.status_code == 200 and REFERENCE not in audit.text and "****" in audit.text
    page = await admin_view.get(f"/api/v1/console/subscribers/{b_id}")
    assert page.status_code == 200 and REFERENCE not in page.text
    notes = (await bob.get("/api/v1/me/notifications")).json()["items"]
    assert [n["kind"] for n in notes] == ["lawful_suspended"] and REFERENCE not in str(notes)

    r = await legal.request("POST", "/api/v1/console/lawful", json={"number": "", "authority": "", "reference": ""})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"number", "authority", "reference"}

    r = await legal.request("POST", f"/api/v1/console/lawful/{lawful['id']}/lift", json={"reason": "协助期满"})
    assert r.status_code == 200 and r.json()["state"] == "lifted"


async def test_every_answer_carries_the_security_headers_once(client: httpx.AsyncClient) -> None:
    """Pages, API answers, problems and static files alike (edge/security_headers.py)."""
    for path in ("/api/v1/health", "/api/v1/nothing-here", "/login", "/static/app.css"):
        r = await client.get(path)
        assert r.headers.get_list("x-content-type-options") == ["nosniff"], path
        assert r.headers.get_list("x-frame-options") == ["DENY"], path
        assert r.headers.get_list("referrer-policy") == ["same-origin"], path

"""Terminals, warranty claims and client releases over HTTP (R-40, R-41, R-34)."""

from __future__ import annotations

from datetime import date

from fastapi import FastAPI

from tests.api.conftest import client_for, register_and_login, staff_login
from tests.support.files import PNG
from videophone.bootstrap import Container

PROVISIONING = "/api/v1/terminal/provisioning"


async def test_inventory_claim_and_replacement(app: FastAPI, container: Container) -> None:
    alice = await register_and_login(app)
    bob = await register_and_login(app)
    support = await staff_login(app, container, "support")
    billing = await staff_login(app, container, "billing")

    r = await support.request("POST", "/api/v1/console/terminals", json={"serial": "VP-9001", "model": "VP-100"})
    assert r.status_code == 201, r.text
    unit_id = r.json()["id"]
    r = await support.request("POST", "/api/v1/console/terminals", json={"serial": "x", "model": ""})
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} == {"serial", "model"}
    assert (
        await billing.request("POST", "/api/v1/console/terminals", json={"serial": "VP-9002", "model": "VP-100"})
    ).status_code == 403
    spare = await support.request("POST", "/api/v1/console/terminals", json={"serial": "VP-9002", "model": "VP-100"})
    assert spare.status_code == 201

    r = await support.request(
        "POST", f"/api/v1/console/terminals/{unit_id}/assign", json={"number": alice.account["number"]}
    )
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    assert r.json()["terminal"]["warranty_end"] == "2027-11-01"

    # The terminal authenticates with its own token; sessions of people are no terminal tokens.
    async with client_for(app) as device:
        r = await device.get(PROVISIONING, headers={"Authorization": f"Bearer {token}"}, params={"version": "1.0.0"})
        assert r.status_code == 200, r.text
        assert (r.json()["serial"], r.json()["number"], r.json()["upgrade"]) == (
            "VP-9001",
            alice.account["number"],
            False,
        )
        assert (await device.get(PROVISIONING)).status_code == 401
        assert (
            await device.get(PROVISIONING, headers={"Authorization": f"Bearer {alice.client.cookies['vp_session']}"})
        ).status_code == 401
    assert (await alice.get(PROVISIONING)).status_code == 401  # a browser session is not a terminal

    # Staff reissue the token (the old one stops working) and can revoke it.
    r = await support.request("POST", f"/api/v1/console/terminals/{unit_id}/token")
    assert r.status_code == 200, r.text
    fresh = r.json()["token"]
    async with client_for(app) as device:
        assert (await device.get(PROVISIONING, headers={"Authorization": f"Bearer {token}"})).status_code == 401
        assert (await device.get(PROVISIONING, headers={"Authorization": f"Bearer {fresh}"})).status_code == 200
        r = await support.request("DELETE", f"/api/v1/console/terminals/{unit_id}/token")
        assert r.status_code == 200, r.text
        assert (await device.get(PROVISIONING, headers={"Authorization": f"Bearer {fresh}"})).status_code == 401
    r = await support.request("POST", f"/api/v1/console/terminals/{unit_id}/token")
    token = r.json()["token"]

    # The subscriber sees the terminal and files a written claim with a photo.
    r = await alice.get("/api/v1/me/terminals")
    assert [(t["serial"], t["warranty_end"], t["in_warranty"]) for t in r.json()["items"]] == [
        ("VP-9001", "2027-11-01", True)
    ]
    assert (await bob.get("/api/v1/me/terminals")).json()["items"] == []
    files = [("photos", ("front.png", PNG, "image/png"))]
    r = await alice.request(
        "POST", "/api/v1/me/warranty-claims", data={"terminal_id": str(unit_id), "description": "short"}, files=files
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "warranty_description_too_short"
    r = await alice.request(
        "POST",
        "/api/v1/me/warranty-claims",
        data={"terminal_id": str(unit_id), "description": "No picture since yesterday."},
        files=[("photos", ("doc.pdf", b"%PDF-1.4 fake", "application/pdf"))],
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "warranty_photo_type"
    r = await bob.request(
        "POST",
        "/api/v1/me/warranty-claims",
        data={"terminal_id": str(unit_id), "description": "No picture since yesterday."},
        files=files,
    )
    assert r.status_code == 404
    r = await alice.request(
        "POST",
        "/api/v1/me/warranty-claims",
        data={"terminal_id": str(unit_id), "description": "No picture since yesterday."},
        files=files,
    )
    assert r.status_code == 201, r.text
    claim = r.json()
    photo_url = f"/api/v1/me/warranty-claims/{claim['id']}/photos/{claim['photos'][0]['id']}"
    r = await alice.get(photo_url)
    assert r.status_code == 200 and r.content == PNG and r.headers["content-type"] == "image/png"
    assert (await bob.get(photo_url)).status_code == 404

    # Support decides: replacement by a unit in stock, same warranty end.
    r = await support.get("/api/v1/console/warranty-claims", params={"state": "submitted"})
    assert r.json()["open"] == 1 and r.json()["items"][0]["id"] == claim["id"]
    r = await support.request(
        "POST",
        f"/api/v1/console/warranty-claims/{claim['id']}/decision",
        json={"decision": "deny", "cause": "defect", "note": ""},
    )
    assert r.status_code == 422
    assert {e["code"] for e in r.json()["errors"]} == {"warranty_cause_covered", "warranty_reason_required"}
    r = await support.request(
        "POST",
        f"/api/v1/console/warranty-claims/{claim['id']}/decision",
        json={"decision": "replace", "cause": "defect", "note": "", "replacement_serial": "VP-9002"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["claim"]["state"] == "replaced" and r.json()["replacement_token"]
    r = await alice.get("/api/v1/me/terminals")
    assert [(t["serial"], t["warranty_end"]) for t in r.json()["items"]] == [("VP-9002", "2027-11-01")]
    assert r.json()["claims"][0]["replacement_serial"] == "VP-9002"
    r = await support.get("/api/v1/console/terminals", params={"state": "returned"})
    assert [(t["serial"], t["owner"], t["subscriber_id"]) for t in r.json()["items"]] == [("VP-9001", "operator", None)]


async def test_out_of_warranty_claims_are_refused_with_the_reason(app: FastAPI, container: Container) -> None:
    alice = await register_and_login(app)
    support = await staff_login(app, container, "support")
    unit_id = (
        await support.request("POST", "/api/v1/console/terminals", json={"serial": "VP-7001", "model": "VP-100"})
    ).json()["id"]
    r = await support.request(
        "POST",
        f"/api/v1/console/terminals/{unit_id}/assign",
        json={"number": alice.account["number"], "installed_on": "2024-06-30"},
    )
    assert r.status_code == 200 and r.json()["terminal"]["warranty_end"] == "2025-06-30"
    files = [("photos", ("front.png", PNG, "image/png"))]
    alice.client.cookies.set("vp_lang", "en")
    r = await alice.request(
        "POST",
        "/api/v1/me/warranty-claims",
        data={"terminal_id": str(unit_id), "description": "It does not start any more."},
        files=files,
    )
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "warranty_expired"
    assert r.json()["message"] == "This terminal's warranty ended on 2025-06-30; the claim cannot be accepted."

    # Opened by others: the warranty ends at once, with the reason.
    await support.request(
        "POST",
        f"/api/v1/console/terminals/{unit_id}/installation",
        json={"installed_on": date(2026, 10, 1).isoformat()},
    )
    r = await support.request("POST", f"/api/v1/console/terminals/{unit_id}/opened", json={"note": "Seal cut."})
    assert r.status_code == 200 and r.json()["voided_on"] == "2026-11-01"
    r = await alice.request(
        "POST",
        "/api/v1/me/warranty-claims",
        data={"terminal_id": str(unit_id), "description": "It does not start any more."},
        files=files,
    )
    assert r.json()["code"] == "warranty_voided" and "2026-11-01" in r.json()["message"]


async def test_releases_are_published_by_release_managers(app: FastAPI, container: Container) -> None:
    admin = await staff_login(app, container, "administrator")
    support = await staff_login(app, container, "support")
    body = {"platform": "web", "version": "0.2.0", "notes": "Faster call setup", "mandatory": True}
    assert (await support.request("POST", "/api/v1/console/releases", json=body)).status_code == 403
    r = await admin.request("POST", "/api/v1/console/releases", json=body)
    assert r.status_code == 201, r.text
    r = await admin.request("POST", "/api/v1/console/releases", json={**body, "version": "0.1.9"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "release_not_newer"
    r = await admin.get("/api/v1/console/releases")
    assert [(x["platform"], x["version"], x["mandatory"]) for x in r.json()["items"]] == [("web", "0.2.0", True)]

"""SIP credentials over HTTP (issue 16): softphones on /account, terminals' SIP accounts in their
provisioning, and the SIP edge's routes (shared secret, HA1, registrations, throttling)."""

from __future__ import annotations

import hashlib

import httpx
from fastapi import FastAPI

from tests.api.conftest import client_for, register_and_login, staff_login
from videophone.bootstrap import Container

MINE = "/api/v1/me/sip-credentials"
PROVISIONING = "/api/v1/terminal/provisioning"
SECRET = "edge-secret-0123456789abcdef"
EDGE = {"X-Videophone-Edge-Secret": SECRET}


def md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


async def edge_auth(edge: httpx.AsyncClient, user: str, source: str = "192.0.2.10", realm: str = "") -> httpx.Response:
    return await edge.get(
        "/api/v1/sip/auth", params={"user": user, "realm": realm or "videophone.local", "source": source}, headers=EDGE
    )


async def test_softphone_credentials_are_shown_once_limited_and_revoked(app: FastAPI, container: Container) -> None:
    alice = await register_and_login(app)
    bob = await register_and_login(app)
    r = await alice.get(MINE)
    assert r.status_code == 200 and r.json()["items"] == [] and r.json()["max"] == 3
    assert r.json()["registrar"]["registrar_port"] == 5060 and r.json()["registrar"]["realm"] == "videophone.local"

    assert (await alice.request("POST", MINE, json={"label": "  "})).status_code == 422
    made = []
    for label in ("Laptop", "Phone", "Tablet"):
        r = await alice.request("POST", MINE, json={"label": label})
        assert r.status_code == 201, r.text
        body = r.json()
        assert len(body["password"]) == 26 and body["credential"]["kind"] == "softphone"
        assert body["credential"]["state"]["auth_user"].startswith(alice.account["number"])
        made.append(body)
    r = await alice.request("POST", MINE, json={"label": "Fourth"})
    assert r.status_code == 409 and r.json()["code"] == "sip_softphone_limit"

    listed = (await alice.get(MINE)).json()["items"]
    assert [c["label"] for c in listed] == ["Laptop", "Phone", "Tablet"]
    assert "password" not in str(listed) and made[0]["password"] not in str(listed)

    first = made[0]["credential"]["id"]
    assert (await bob.request("DELETE", f"{MINE}/{first}")).status_code == 404  # not Bob's
    assert (await alice.request("DELETE", f"{MINE}/{first}")).status_code == 204
    assert (await alice.request("DELETE", f"{MINE}/{first}")).status_code == 404  # already revoked
    assert len((await alice.get(MINE)).json()["items"]) == 2
    assert (await alice.request("POST", MINE, json={"label": "Again"})).status_code == 201  # room again


async def test_the_edge_routes_need_the_shared_secret(app: FastAPI, container: Container) -> None:
    async with client_for(app) as edge:
        # No secret configured: the routes do not exist.
        assert (await edge_auth(edge, "someone-s-1234")).status_code == 404
        container.settings.sip_edge_secret = SECRET
        r = await edge.get("/api/v1/sip/auth", params={"user": "someone-s-1234"})
        assert r.status_code == 401
        r = await edge.get("/api/v1/sip/auth", params={"user": "x"}, headers={"X-Videophone-Edge-Secret": SECRET[:-1]})
        assert r.status_code == 401
        r = await edge.post("/api/v1/sip/registered", data={"user": "a", "source": "b"})
        assert r.status_code == 401
        r = await edge.post("/api/v1/sip/registered", data={"user": "a" * 65, "source": "b"}, headers=EDGE)
        assert r.status_code == 422


async def test_the_edge_gets_the_ha1_and_reports_registrations(app: FastAPI, container: Container) -> None:
    container.settings.sip_edge_secret = SECRET
    alice = await register_and_login(app)
    issued = (await alice.request("POST", MINE, json={"label": "Linphone"})).json()
    user, password = issued["credential"]["state"]["auth_user"], issued["password"]
    async with client_for(app) as edge:
        r = await edge_auth(edge, user)
        assert r.status_code == 200, r.text
        assert r.json() == {"ha1": md5(f"{user}:videophone.local:{password}"), "number": alice.account["number"]}
        assert (await edge_auth(edge, user, realm="elsewhere.example")).status_code == 404
        assert (await edge_auth(edge, "nobody-s-00000000")).status_code == 404
        assert (await edge_auth(edge, "Not A User!")).status_code == 404

        r = await edge.post(
            "/api/v1/sip/registered",
            data={
                "user": user,
                "source": "192.0.2.10",
                "address": "192.0.2.10:5062",
                "user_agent": "Linphone/5.2",
                "expires": "600",
            },
            headers=EDGE,
        )
        assert r.status_code == 204, r.text
        (state,) = [c["state"] for c in (await alice.get(MINE)).json()["items"]]
        assert state["registered"] is True and state["user_agent"] == "Linphone/5.2"
        assert state["address"] == "192.0.2.10:5062"
        # An older contact's leaving, reported late (the edge's workers report in any order): no change.
        r = await edge.post(
            "/api/v1/sip/registered",
            data={"user": user, "source": "192.0.2.10", "address": "192.0.2.10:5999", "expires": "0"},
            headers=EDGE,
        )
        assert r.status_code == 204
        (state,) = [c["state"] for c in (await alice.get(MINE)).json()["items"]]
        assert state["registered"] is True and state["address"] == "192.0.2.10:5062"
        r = await edge.post(
            "/api/v1/sip/registered", data={"user": user, "source": "192.0.2.10", "expires": "0"}, headers=EDGE
        )
        assert r.status_code == 204
        (state,) = [c["state"] for c in (await alice.get(MINE)).json()["items"]]
        assert state["registered"] is False and state["last_register_at"] is not None

        # Revoked: the edge is told no (403), and hears of no registration any more.
        await alice.request("DELETE", f"{MINE}/{issued['credential']['id']}")
        r = await edge_auth(edge, user)
        assert r.status_code == 403 and r.json()["code"] == "sip_registration_refused"
        r = await edge.post("/api/v1/sip/registered", data={"user": user, "source": "192.0.2.10"}, headers=EDGE)
        assert r.status_code == 404


async def test_failed_digests_are_throttled_per_user_and_source(app: FastAPI, container: Container) -> None:
    container.settings.sip_edge_secret = SECRET
    alice = await register_and_login(app)
    user = (await alice.request("POST", MINE, json={"label": "Desk"})).json()["credential"]["state"]["auth_user"]
    async with client_for(app) as edge:
        for _ in range(5):  # the free failures of one user from one address
            r = await edge.post("/api/v1/sip/auth-failed", data={"user": user, "source": "192.0.2.1"}, headers=EDGE)
            assert r.status_code == 204
        r = await edge_auth(edge, user, source="192.0.2.1")
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        assert (await edge_auth(edge, user, source="192.0.2.2")).status_code == 200  # the owner elsewhere

        # A scanner trying many users from one address is locked out, for every user.
        for n in range(20):
            assert (await edge_auth(edge, f"guess{n:03d}-s-0000", source="198.51.100.7")).status_code == 404
        assert (await edge_auth(edge, user, source="198.51.100.7")).status_code == 429


async def test_terminals_get_a_sip_account_that_their_token_revocation_ends(app: FastAPI, container: Container) -> None:
    container.settings.sip_edge_secret = SECRET
    alice = await register_and_login(app)
    support = await staff_login(app, container, "support")
    unit = (
        await support.request("POST", "/api/v1/console/terminals", json={"serial": "VP-7001", "model": "GXV"})
    ).json()
    r = await support.request(
        "POST", f"/api/v1/console/terminals/{unit['id']}/assign", json={"number": alice.account["number"]}
    )
    token = r.json()["token"]
    async with client_for(app) as device, client_for(app) as edge:
        first = (await device.get(PROVISIONING, headers={"Authorization": f"Bearer {token}"})).json()["sip"]
        assert len(first["password"]) == 26 and first["registrar"]["transports"] == ["udp", "tcp"]
        again = (await device.get(PROVISIONING, headers={"Authorization": f"Bearer {token}"})).json()["sip"]
        assert again["auth_user"] == first["auth_user"] and again["password"] == ""
        assert (await edge_auth(edge, first["auth_user"])).status_code == 200

        page = (await support.get(f"/api/v1/console/terminals?q={unit['serial']}")).json()
        assert page["items"][0]["sip"]["auth_user"] == first["auth_user"]
        assert page["items"][0]["sip"]["registered"] is False

        # A new token rotates the SIP account: the old user is refused, the next provisioning shows a new one.
        fresh = (await support.request("POST", f"/api/v1/console/terminals/{unit['id']}/token")).json()["token"]
        assert (await edge_auth(edge, first["auth_user"])).status_code == 403
        second = (await device.get(PROVISIONING, headers={"Authorization": f"Bearer {fresh}"})).json()["sip"]
        assert second["auth_user"] != first["auth_user"] and len(second["password"]) == 26
        # Revoking the token revokes the SIP account.
        assert (await support.request("DELETE", f"/api/v1/console/terminals/{unit['id']}/token")).status_code == 200
        assert (await edge_auth(edge, second["auth_user"])).status_code == 403


async def test_a_terminals_sip_user_agent_reports_its_version_and_an_upgrade(
    app: FastAPI, container: Container
) -> None:
    container.settings.sip_edge_secret = SECRET
    alice = await register_and_login(app)
    support = await staff_login(app, container, "support")
    admin = await staff_login(app, container, "administrator")
    unit = (
        await support.request("POST", "/api/v1/console/terminals", json={"serial": "VP-7002", "model": "GXV3380"})
    ).json()
    r = await support.request(
        "POST", f"/api/v1/console/terminals/{unit['id']}/assign", json={"number": alice.account["number"]}
    )
    bearer = {"Authorization": f"Bearer {r.json()['token']}"}

    async def registered(user_agent: str) -> None:
        r = await edge.post(
            "/api/v1/sip/registered",
            data={
                "user": user,
                "source": "192.0.2.20",
                "address": "192.0.2.20:5060",
                "user_agent": user_agent,
                "expires": "600",
            },
            headers=EDGE,
        )
        assert r.status_code == 204, r.text

    async def console() -> dict[str, object]:
        (item,) = (await support.get(f"/api/v1/console/terminals?q={unit['serial']}")).json()["items"]
        return dict(item)

    async with client_for(app) as device, client_for(app) as edge:
        user = (await device.get(PROVISIONING, headers=bearer)).json()["sip"]["auth_user"]
        await registered("Grandstream GXV3380 1.0.3.35")
        item = await console()
        assert item["reported_version"] == "1.0.3.35" and item["upgrade_available"] is False  # no release yet

        release = {"platform": "terminal", "version": "1.0.4", "notes": "Video fixes", "mandatory": False}
        assert (await admin.request("POST", "/api/v1/console/releases", json=release)).status_code == 201
        item = await console()
        assert item["upgrade_available"] is True
        answer = (await device.get(PROVISIONING, headers=bearer)).json()  # no version in the call: the SIP one
        assert answer["upgrade"] is True and answer["release"]["version"] == "1.0.4"

        await registered("Grandstream GXV3380 1.0.4.2")
        item = await console()
        assert item["reported_version"] == "1.0.4.2" and item["upgrade_available"] is False
        assert (await device.get(PROVISIONING, headers=bearer)).json()["upgrade"] is False

        await registered("some phone without a version")  # keeps what it knew
        assert (await console())["reported_version"] == "1.0.4.2"

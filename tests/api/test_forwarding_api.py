"""Call-forwarding settings over HTTP (R-17), on SQLite and PostgreSQL: only while subscribed, every
rule checked with a clear message, hostile bodies refused without a half-write, audited."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import select

from tests.api.conftest import register_and_login
from tests.api.test_billing_api import subscriber_id
from tests.integration.test_entitlements import enforcer
from tests.integration.test_orders import reviewer
from videophone.adapters.db.models import AuditRecord, ForwardingRule
from videophone.bootstrap import Container
from videophone.common.deps import Actor


async def subscribed(container: Container, sub_id: int, *codes: str) -> None:
    await container.review.decide(await reviewer(container), sub_id, "verify", "")
    await container.tariffs.ensure_demo_catalog()
    for code in codes:
        await container.orders.add_vas(Actor("subscriber", sub_id, "198.51.100.7"), sub_id, code)


async def stored_rules(container: Container, sub_id: int) -> list[tuple[str, str, str, int | None]]:
    async with container.deps.uow() as uow:
        rows = await uow.session.scalars(select(ForwardingRule).where(ForwardingRule.subscriber_id == sub_id))
        return sorted((r.condition, r.target, r.target_number, r.delay_seconds) for r in rows)


async def test_forwarding_settings_only_while_subscribed(app: FastAPI, container: Container) -> None:
    alice, bob = await register_and_login(app), await register_and_login(app)
    a_id = await subscriber_id(container, alice.account["number"])
    bob_number = bob.account["number"]

    body = (await alice.get("/api/v1/me/forwarding")).json()
    assert body == {
        "subscribed": False,
        "voicemail": False,
        "rules": [],
        "delay_min": 5,
        "delay_max": 60,
        "delay_default": 20,
        "max_hops": 3,
    }
    r = await alice.request(
        "PUT",
        "/api/v1/me/forwarding",
        json={"rules": [{"condition": "busy", "target": "number", "number": bob_number}]},
    )
    assert r.status_code == 403 and r.json()["code"] == "forwarding_not_subscribed"
    assert "呼叫转移" in r.json()["message"] or "forwarding" in r.json()["message"]
    assert await stored_rules(container, a_id) == []

    await subscribed(container, a_id, "forwarding")
    rules = [
        {"condition": "unconditional", "target": "number", "number": f" {bob_number[:3]}-{bob_number[3:]} "},
        {"condition": "no_answer", "target": "number", "number": bob_number, "delay_seconds": 15},
    ]
    r = await alice.request("PUT", "/api/v1/me/forwarding", json={"rules": rules})
    assert r.status_code == 200, r.text
    saved = r.json()
    assert saved["subscribed"] is True
    assert [(x["condition"], x["number"], x["delay_seconds"]) for x in saved["rules"]] == [
        ("unconditional", bob_number, None),
        ("no_answer", bob_number, 15),
    ]
    assert await stored_rules(container, a_id) == [
        ("no_answer", "number", bob_number, 15),
        ("unconditional", "number", bob_number, None),
    ]
    got = (await alice.get("/api/v1/me/forwarding")).json()
    assert {x["condition"] for x in got["rules"]} == {"unconditional", "no_answer"}
    async with container.deps.uow() as uow:
        audited = list(await uow.session.scalars(select(AuditRecord).where(AuditRecord.action == "forwarding.update")))
    assert len(audited) == 1 and audited[0].subject_id == str(a_id)
    # Bob sees only his own (none).
    assert (await bob.get("/api/v1/me/forwarding")).json()["rules"] == []

    # Withdrawn by a violation measure: the rules stay but no longer apply, and cannot be changed
    # (turning forwarding off is always allowed).
    await container.violations.issue(await enforcer(container), a_id, "withdraw_vas", "滥用", vas_code="forwarding")
    assert (await alice.get("/api/v1/me/forwarding")).json()["subscribed"] is False
    r = await alice.request("PUT", "/api/v1/me/forwarding", json={"rules": rules})
    assert r.status_code == 403
    r = await alice.request("PUT", "/api/v1/me/forwarding", json={"rules": []})
    assert r.status_code == 200 and r.json()["rules"] == []
    assert await stored_rules(container, a_id) == []


async def test_bad_rules_are_refused_with_clear_messages_and_nothing_stored(app: FastAPI, container: Container) -> None:
    alice, bob = await register_and_login(app), await register_and_login(app)
    a_id = await subscriber_id(container, alice.account["number"])
    await subscribed(container, a_id, "forwarding")
    mine, other = alice.account["number"], bob.account["number"]

    async def errors(rules: object) -> dict[str, str]:
        r = await alice.request("PUT", "/api/v1/me/forwarding", json={"rules": rules})
        assert r.status_code == 422, r.text
        found = r.json()["errors"]
        assert all(e["message"] and e["message"] != e["code"] for e in found), found
        return {e["field"]: e["code"] for e in found}

    assert await errors([{"condition": "busy", "target": "number", "number": mine}]) == {
        "rules.busy.number": "forwarding_number_own"
    }
    assert await errors([{"condition": "busy", "target": "number", "number": "95199999999"}]) == {
        "rules.busy.number": "forwarding_number_unknown"
    }
    assert await errors([{"condition": "no_answer", "target": "number", "number": other, "delay_seconds": 3}]) == {
        "rules.no_answer.delay_seconds": "forwarding_delay_range"
    }
    assert await errors([{"condition": "busy", "target": "voicemail"}]) == {
        "rules.busy.target": "forwarding_voicemail_unavailable"
    }
    assert await errors([{"condition": "sometimes", "target": "number", "number": other}]) == {
        "rules.0.condition": "forwarding_condition_unknown"
    }
    twice = [{"condition": "busy", "target": "number", "number": other}] * 2
    assert await errors(twice) == {"rules.busy.condition": "forwarding_condition_twice"}
    # A good rule beside a bad one: nothing is stored.
    mixed = [
        {"condition": "unreachable", "target": "number", "number": other},
        {"condition": "busy", "target": "number", "number": mine},
    ]
    assert await errors(mixed) == {"rules.busy.number": "forwarding_number_own"}
    assert await stored_rules(container, a_id) == []

    # Hostile shapes: the route's schema refuses them (4xx problem JSON, never a 5xx).
    for bad in (
        {"rules": "busy"},
        {"rules": [{"condition": "busy", "target": "number", "number": other, "extra": 1}]},
        {"rules": [{"condition": "b" * 10_000, "target": "number"}]},
        {"rules": [{"condition": "busy", "target": "number", "number": "1\x00"}]},
        {"rules": [{"condition": "busy", "target": "number", "number": other}] * 50},
        {"rules": [{"condition": "no_answer", "target": "number", "number": other, "delay_seconds": 10**30}]},
        {},
    ):
        r = await alice.request("PUT", "/api/v1/me/forwarding", json=bad)
        assert 400 <= r.status_code < 500, (bad, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    assert await stored_rules(container, a_id) == []
    r = await alice.request(
        "PUT", "/api/v1/me/forwarding", json={"rules": [{"condition": "busy", "target": "number", "number": other}]}
    )
    assert r.status_code == 200


async def test_voicemail_as_a_target_needs_the_voicemail_service(app: FastAPI, container: Container) -> None:
    alice = await register_and_login(app)
    a_id = await subscriber_id(container, alice.account["number"])
    await subscribed(container, a_id, "forwarding", "voicemail")
    assert (await alice.get("/api/v1/me/forwarding")).json()["voicemail"] is True
    r = await alice.request(
        "PUT", "/api/v1/me/forwarding", json={"rules": [{"condition": "busy", "target": "voicemail"}]}
    )
    assert r.status_code == 200, r.text
    assert await stored_rules(container, a_id) == [("busy", "voicemail", "", None)]


async def test_anonymous_callers_are_refused(app: FastAPI) -> None:
    from tests.api.conftest import client_for

    async with client_for(app) as anonymous:
        assert (await anonymous.get("/api/v1/me/forwarding")).status_code == 401

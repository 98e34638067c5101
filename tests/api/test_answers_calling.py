"""Typed answers (issue 13): every JSON route declares its answer model, so ``/openapi.json`` shows the
fields of every answer, and the answers the routes send are exactly those models."""

from __future__ import annotations

import typing
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from tests.api.conftest import client_for, register_and_login, staff_login
from tests.api.test_calls_api import insert_call, with_id
from tests.support.files import PNG
from videophone.adapters.db.models import CallQualitySample, SignalingNode
from videophone.bootstrap import Container
from videophone.calling.api import calls_answers as calls
from videophone.calling.api import contacts_answers as contacts
from videophone.calling.api import forwarding_answers as forwarding
from videophone.calling.domain import call_quality, capabilities
from videophone.calling.domain import calls as call_rules
from videophone.calling.domain import contacts as contact_rules
from videophone.calling.domain import forwarding as forwarding_rules
from videophone.enforcement.api import enforcement_answers as enforcement
from videophone.enforcement.domain import violations as violation_rules
from videophone.terminals.api import terminals_answers as terminals
from videophone.terminals.domain import terminals as terminal_rules

# -- calling, enforcement and terminals: calls, contacts, enforcement, terminals ------------------------------
CALLING_ENFORCEMENT_TERMINAL_ROUTES = tuple(
    f"videophone.{module}"
    for module in (
        "calling.api.calls",
        "calling.api.contacts",
        "calling.api.forwarding",
        "calling.api.voicemail",
        "calling.api.features",
        "enforcement.api.enforcement",
        "terminals.api.terminals",
    )
)


def _deref(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _lists_fields(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """An object schema with its properties, or an array of them (``dict[str, Any]`` has none)."""
    schema = _deref(schema, components)
    if schema.get("type") == "array":
        return _lists_fields(schema.get("items", {}), components)
    return schema.get("type") == "object" and bool(schema.get("properties"))


def test_calling_enforcement_and_terminal_routes_document_every_json_answer(app: FastAPI) -> None:
    document = app.openapi()
    components = document["components"]["schemas"]
    seen, undocumented = 0, []
    for route in iter_route_contexts(app.routes):
        original = route.original_route
        if (
            not isinstance(original, APIRoute)
            or original.endpoint.__module__ not in CALLING_ENFORCEMENT_TERMINAL_ROUTES
        ):
            continue
        for method in route.methods:
            operation = document["paths"][route.path_format][method.lower()]
            for status, answer in operation["responses"].items():
                if not status.startswith("2"):
                    continue
                for media_type, content in answer.get("content", {}).items():
                    if media_type != "application/json":
                        continue  # photos and evidence files
                    seen += 1
                    if not content.get("schema") or not _lists_fields(content["schema"], components):
                        undocumented.append(f"{method} {route.path_format} {status}")
    assert (
        seen == 49
    )  # 7 call routes, 10 contact routes, 2 forwarding routes, 8 voicemail routes, 1 features route, 7 enforcement routes, 14 terminal routes
    assert undocumented == []


def _values(alias: Any) -> set[str]:
    return set(typing.get_args(alias))


def test_closed_sets_of_the_calling_enforcement_and_terminal_answers_are_the_domain_s() -> None:
    assert _values(calls.CallState) == {s.value for s in call_rules.CallState}
    assert _values(calls.CallOutcome) == {"", *(o.value for o in call_rules.Outcome)}
    assert _values(calls.EndReason) == {"", *(r.value for r in call_rules.EndReason)}
    assert _values(calls.QualityIssue) == {"loss", "rtt", "fps"}
    assert set(typing.get_args(calls.CallQualityAnswer.model_fields["assessment"].annotation)) == _values(
        call_quality.Grade
    )
    assert _values(contacts.ReportState) == {s.value for s in contact_rules.ReportState}
    assert _values(contacts.ReportAction) == {a.value for a in contact_rules.ReportAction}
    assert _values(forwarding.Condition) == set(forwarding_rules.CONDITIONS)
    assert _values(forwarding.TargetKind) == {k.value for k in forwarding_rules.TargetKind}
    assert _values(enforcement.ServiceState) == {s.value for s in capabilities.ServiceState}
    assert _values(enforcement.ViolationAction) == set(violation_rules.ACTIONS)
    assert _values(enforcement.ViolationState) == {s.value for s in violation_rules.ViolationState}
    assert _values(enforcement.LawfulState) == {s.value for s in violation_rules.LawfulState}
    assert _values(terminals.TerminalState) == {s.value for s in terminal_rules.TerminalState}
    assert _values(terminals.ClaimState) == {s.value for s in terminal_rules.ClaimState}
    assert _values(terminals.ClaimCause) == {"", *terminal_rules.CAUSES}
    assert _values(terminals.Platform) == set(terminal_rules.PLATFORMS)


def _is_its_model(model: type[BaseModel], body: Any) -> None:
    """The answer is the model: it validates, and written again it is the same JSON (no key more or less)."""
    assert model.model_validate(body).model_dump(mode="json") == body


async def test_real_calling_enforcement_and_terminal_answers_are_their_models(
    app: FastAPI, container: Container
) -> None:
    alice = await with_id(await register_and_login(app))
    bob = await with_id(await register_and_login(app))
    admin = await staff_login(app, container, "administrator")
    legal = await staff_login(app, container, "legal")
    now = container.deps.clock.now()
    call_id = await insert_call(container, alice, bob)
    await insert_call(container, bob, alice, state="answered", minutes_ago=1)
    async with container.deps.uow() as uow:
        uow.session.add_all(
            [
                SignalingNode(node_id="node-1", address="10.0.0.1", started_at=now, heartbeat_at=now),
                CallQualitySample(call_id=call_id, subscriber_id=alice.account["id"], at=now, rtt_ms=80.5),
                CallQualitySample(
                    call_id=call_id, subscriber_id=bob.account["id"], at=now, final=True, packet_loss_pct=7.25
                ),
            ]
        )
        await uow.commit()

    # Calls: the subscriber's and the console's, with samples, a node and a call going on.
    _is_its_model(calls.CallPage, (await alice.get("/api/v1/me/calls")).json())
    mine = (await alice.get(f"/api/v1/me/calls/{call_id}")).json()
    _is_its_model(calls.CallDetailAnswer, mine)
    assert (mine["quality"]["mine"]["summary"]["rtt_avg_ms"], mine["quality"]["peer"]["issues"]) == (80.5, ["loss"])
    _is_its_model(calls.MissedCount, (await alice.get("/api/v1/me/calls/missed-count")).json())
    _is_its_model(calls.MissedMarked, (await alice.request("POST", "/api/v1/me/calls/missed-seen")).json())
    _is_its_model(calls.StaffCallPage, (await admin.get("/api/v1/console/calls")).json())
    live = (await admin.get("/api/v1/console/calls/live")).json()
    _is_its_model(calls.LiveCalls, live)
    assert [c["node_fresh"] for c in live["items"]] == [True]
    detail = (await admin.get(f"/api/v1/console/calls/{call_id}")).json()
    _is_its_model(calls.StaffCallDetailAnswer, detail)
    assert [(s["side"], s["final"], s["at"]) for s in detail["samples"]] == [
        ("caller", False, now.isoformat().replace("+00:00", "Z")),  # as the answers have always written it
        ("callee", True, now.isoformat().replace("+00:00", "Z")),
    ]

    # Contacts, blocks, reports and the report queue.
    r = await alice.request("POST", "/api/v1/me/contacts", json={"name": "Bob", "number": bob.account["number"]})
    assert r.status_code == 201, r.text
    _is_its_model(contacts.ContactAnswer, r.json())
    _is_its_model(contacts.ContactPage, (await alice.get("/api/v1/me/contacts")).json())
    r = await alice.request(
        "POST",
        "/api/v1/me/reports",
        json={"number": bob.account["number"], "description": "Calls at night", "call_id": call_id, "block": True},
    )
    assert r.status_code == 201, r.text
    _is_its_model(contacts.ReportAnswer, r.json())
    report_id = r.json()["id"]
    _is_its_model(contacts.ReportPage, (await alice.get("/api/v1/me/reports")).json())
    blocks = (await alice.get("/api/v1/me/blocks")).json()
    assert len(blocks) == 1
    for block in blocks:
        _is_its_model(contacts.BlockAnswer, block)
    _is_its_model(contacts.StaffReportPage, (await admin.get("/api/v1/console/reports")).json())
    r = await admin.request("POST", f"/api/v1/console/reports/{report_id}/handle", json={"action": "start"})
    assert r.status_code == 200, r.text
    _is_its_model(contacts.StaffReportAnswer, r.json())
    assert r.json()["allowed_actions"] == ["resolve", "dismiss"]

    # Violations and lawful suspension.
    r = await admin.get("/api/v1/console/violations/subscriber", params={"number": bob.account["number"]})
    _is_its_model(enforcement.TargetAnswer, r.json())
    r = await admin.request(
        "POST",
        "/api/v1/console/violations",
        data={"subscriber_id": str(bob.account["id"]), "action": "restrict_outgoing", "reason": "骚扰呼叫"},
        files=[("files", ("shot.png", PNG, "image/png"))],
    )
    assert r.status_code == 201, r.text
    _is_its_model(enforcement.ViolationAnswer, r.json())
    r = await admin.request("POST", f"/api/v1/console/violations/{r.json()['id']}/lift", json={"reason": "核实"})
    _is_its_model(enforcement.ViolationAnswer, r.json())
    _is_its_model(enforcement.ViolationPage, (await admin.get("/api/v1/console/violations")).json())
    r = await legal.request(
        "POST",
        "/api/v1/console/lawful",
        json={"number": bob.account["number"], "authority": "法院", "reference": "R-1"},
    )
    assert r.status_code == 201, r.text
    _is_its_model(enforcement.LawfulAnswer, r.json())
    r = await legal.request("POST", f"/api/v1/console/lawful/{r.json()['id']}/lift", json={"reason": "期满"})
    _is_its_model(enforcement.LawfulAnswer, r.json())
    _is_its_model(enforcement.LawfulPage, (await legal.get("/api/v1/console/lawful")).json())

    # Terminals: a release to upgrade to, a claim decided by a replacement with its token.
    r = await admin.request(
        "POST",
        "/api/v1/console/releases",
        json={"platform": "terminal", "version": "2.0.0", "notes": "Sharper video", "mandatory": True},
    )
    assert r.status_code == 201, r.text
    _is_its_model(terminals.ReleaseAnswer, r.json())
    _is_its_model(terminals.ReleaseList, (await admin.get("/api/v1/console/releases")).json())
    units = []
    for serial in ("VP-7001", "VP-7002"):
        r = await admin.request("POST", "/api/v1/console/terminals", json={"serial": serial, "model": "VP-100"})
        assert r.status_code == 201, r.text
        _is_its_model(terminals.TerminalAnswer, r.json())
        units.append(r.json()["id"])
    r = await admin.request(
        "POST", f"/api/v1/console/terminals/{units[0]}/assign", json={"number": alice.account["number"]}
    )
    _is_its_model(terminals.IssuedTokenAnswer, r.json())
    token = r.json()["token"]
    async with client_for(app) as device:
        r = await device.get(
            "/api/v1/terminal/provisioning", headers={"Authorization": f"Bearer {token}"}, params={"version": "1.0.0"}
        )
    _is_its_model(terminals.ProvisioningAnswer, r.json())
    assert (r.json()["upgrade"], r.json()["release"]["version"]) == (True, "2.0.0")
    r = await admin.request(
        "POST", f"/api/v1/console/terminals/{units[0]}/installation", json={"installed_on": str(now.date())}
    )
    _is_its_model(terminals.TerminalAnswer, r.json())
    _is_its_model(
        terminals.IssuedTokenAnswer, (await admin.request("POST", f"/api/v1/console/terminals/{units[0]}/token")).json()
    )
    r = await alice.request(
        "POST",
        "/api/v1/me/warranty-claims",
        data={"terminal_id": str(units[0]), "description": "No picture since yesterday."},
        files=[("photos", ("front.png", PNG, "image/png"))],
    )
    assert r.status_code == 201, r.text
    _is_its_model(terminals.ClaimAnswer, r.json())
    _is_its_model(terminals.ClaimQueue, (await admin.get("/api/v1/console/warranty-claims")).json())
    r = await admin.request(
        "POST",
        f"/api/v1/console/warranty-claims/{r.json()['id']}/decision",
        json={"decision": "replace", "cause": "defect", "replacement_serial": "VP-7002"},
    )
    assert r.status_code == 200, r.text
    _is_its_model(terminals.DecidedAnswer, r.json())
    assert r.json()["replacement_token"]
    _is_its_model(terminals.MyTerminals, (await alice.get("/api/v1/me/terminals")).json())
    _is_its_model(terminals.TerminalPage, (await admin.get("/api/v1/console/terminals")).json())
    r = await admin.request("POST", f"/api/v1/console/terminals/{units[1]}/opened", json={"note": "Seal broken"})
    _is_its_model(terminals.TerminalAnswer, r.json())
    _is_its_model(
        terminals.TerminalAnswer, (await admin.request("DELETE", f"/api/v1/console/terminals/{units[1]}/token")).json()
    )

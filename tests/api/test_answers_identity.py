"""Typed answers (issue 13): every JSON route declares a Pydantic response model, so /openapi.json shows
every answer — and what a route really sends is what its model says, to the byte."""

from __future__ import annotations

import re
from datetime import date, timedelta
from types import ModuleType
from typing import Any, get_args

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, TypeAdapter

from tests.api.conftest import register_and_login, staff_login
from tests.api.test_billing_api import subscriber_id
from tests.factories import PASSWORD
from tests.integration.test_billing import insert, make_plan, subscription
from tests.support.files import PNG
from videophone.adapters.clock import FakeClock
from videophone.bootstrap import Container
from videophone.collections.api import arrears, credit, termination
from videophone.identity.api import console, me, public
from videophone.identity.api.me_answers import TurnCredentials
from videophone.notices.api import preferences
from videophone.notices.api.preferences_answers import Category, Channel
from videophone.notices.domain import notification_prefs as prefs

JSON = "application/json"


def routes_of(app: FastAPI, modules: tuple[ModuleType, ...]) -> list[tuple[str, APIRoute]]:
    names = {m.__name__ for m in modules}
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.include_in_schema and route.endpoint.__module__ in names:
            found.append((context.path_format, route))
    return found


def _named(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """A schema that is a declared model: a ``$ref`` to a component with properties, a list of such, or
    a choice between such (never ``{}`` or a free-form object)."""
    if "$ref" in schema:
        target = components[schema["$ref"].rsplit("/", 1)[-1]]
        return bool(target.get("properties")) or "enum" in target
    if schema.get("type") == "array":
        return _named(schema.get("items", {}), components)
    choices = schema.get("anyOf") or schema.get("oneOf")
    return bool(choices) and all(_named(c, components) for c in choices)


def untyped_answers(app: FastAPI, modules: tuple[ModuleType, ...]) -> list[str]:
    document = app.openapi()
    components = document["components"]["schemas"]
    missing = []
    for path, route in routes_of(app, modules):
        for method in route.methods:
            op = document["paths"][path][method.lower()]
            for status, answer in op["responses"].items():
                if not status.startswith("2") or JSON not in answer.get("content", {}):
                    continue
                if not _named(answer["content"][JSON]["schema"], components):
                    missing.append(f"{method} {path} {status}: {answer['content'][JSON]['schema']}")
    return missing


# -- answers1: public, me, console, preferences, credit, arrears, termination -------------------------------
ANSWERS1 = (public, me, console, preferences, credit, arrears, termination)


def test_answers1_routes_declare_their_answers(app: FastAPI) -> None:
    assert untyped_answers(app, ANSWERS1) == []
    json_routes = [r for _, r in routes_of(app, ANSWERS1) if r.status_code != 204]
    assert len(json_routes) > 40
    paths = app.openapi()["paths"]
    # The export is a file (an attachment) whose body is documented by its model.
    export = paths["/api/v1/me/export"]["get"]["responses"]["200"]["content"][JSON]["schema"]
    assert export == {"$ref": "#/components/schemas/Export"}
    login = paths["/api/v1/auth/login"]["post"]["responses"]["200"]["content"][JSON]["schema"]
    assert {c["$ref"].rsplit("/", 1)[-1] for c in login["anyOf"]} == {"ApiLogin", "BrowserLogin"}


def test_closed_sets_follow_the_domain() -> None:
    assert get_args(Category) == prefs.CATEGORIES
    assert get_args(Channel) == prefs.CHANNELS


def test_ice_servers_keep_their_shape() -> None:
    servers: list[dict[str, object]] = [
        {"urls": ["stun:turn.example.com:3478"]},
        {"urls": ["turn:turn.example.com:3478"], "username": "1700000000:7", "credential": "c2VjcmV0"},
    ]
    answer = TurnCredentials.of(servers, 3600)
    assert answer.model_dump(mode="json") == {"ice_servers": servers, "ttl_seconds": 3600}


def _model_of(route: APIRoute) -> Any:
    if route.response_model is not None:
        return route.response_model
    model = route.responses[200]["model"]  # a file answer (the export) documents its body this way
    assert isinstance(model, type) and issubclass(model, BaseModel)
    return model


async def assert_declared(app: FastAPI, response: httpx.Response, method: str = "GET") -> None:
    """The answer validates against the route's declared model, and the model writes it back the same,
    byte for byte (so the OpenAPI document describes exactly what is sent)."""
    assert response.is_success, response.text
    path = response.request.url.path
    candidates = [
        (template.count("{"), route)
        for template, route in routes_of(app, ANSWERS1)
        if method in route.methods and re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path)
    ]
    route = min(candidates, key=lambda c: c[0])[1]  # a literal segment wins over a parameter
    adapter: TypeAdapter[Any] = TypeAdapter(_model_of(route))
    value = adapter.validate_json(response.content)
    if route.response_model is not None:
        assert adapter.dump_json(value, by_alias=True) == response.content, route.path
    else:
        assert adapter.dump_python(value, mode="json", by_alias=True) == response.json(), route.path


async def test_answers1_real_answers_match_their_models(app: FastAPI, container: Container, clock: FakeClock) -> None:
    clock.advance(timedelta(microseconds=123456))  # moments with a fraction of a second
    alice = await register_and_login(app)
    a_id = await subscriber_id(container, alice.account["number"])
    await insert(container, subscription(a_id, await make_plan(container, rent_fen=3000), date(2026, 1, 1)))
    anon = alice.client
    for url in ("/api/v1/health", "/api/v1/id-types", "/api/v1/policy", "/api/v1/agreement"):
        await assert_declared(app, await anon.get(url))
    login = {"login": alice.account["email"], "password": PASSWORD}
    await assert_declared(app, await anon.post("/api/v1/auth/login", json={**login, "kind": "api"}), "POST")
    r = await anon.post("/api/v1/auth/login", json=login)
    await assert_declared(app, r, "POST")
    alice.csrf = r.json()["csrf_token"]
    await assert_declared(app, await anon.post("/api/v1/auth/password-reset", json={"login": "x@example.com"}), "POST")
    writes = [
        ("PATCH", "/api/v1/me", {"employer": "Acme"}),
        ("POST", "/api/v1/me/tokens", {"label": "cli"}),
        ("PUT", "/api/v1/me/credit-limit", {"limit_yuan": 50}),
        (
            "PUT",
            "/api/v1/me/notification-preferences",
            {"preferences": [{"category": "billing", "channel": "sms", "enabled": True}]},
        ),
        ("POST", "/api/v1/me/termination", {"password": PASSWORD, "note": "moving"}),
    ]
    for method, url, body in writes:
        await assert_declared(app, await alice.request(method, url, json=body), method)
    admin = await staff_login(app, container, "administrator")
    await assert_declared(app, await admin.get("/api/v1/console/terminations"))
    await assert_declared(app, await alice.request("POST", "/api/v1/me/termination/withdraw"), "POST")
    r = await admin.request(
        "POST",
        f"/api/v1/console/subscribers/{a_id}/review",
        json={"action": "request_documents", "reason": "请上传证件"},
    )
    await assert_declared(app, r, "POST")
    r = await alice.request("POST", "/api/v1/me/documents", files={"file": ("id.png", PNG, "image/png")})
    await assert_declared(app, r, "POST")
    clock.advance(timedelta(days=90))  # overdue: the arrears run suspends, notifies and writes history
    await container.arrears.run()
    alice.csrf = (await anon.post("/api/v1/auth/login", json=login)).json()["csrf_token"]
    admin = await staff_login(app, container, "administrator")
    for url in (
        "/api/v1/me",
        "/api/v1/me/turn-credentials",
        "/api/v1/me/sessions",
        "/api/v1/me/agreement",
        "/api/v1/me/documents",
        "/api/v1/me/export",
        "/api/v1/me/credit-limit",
        "/api/v1/me/notification-preferences",
        "/api/v1/me/debts",
        "/api/v1/me/notifications",
        "/api/v1/me/account-history",
        "/api/v1/me/termination",
    ):
        await assert_declared(app, await alice.get(url))
    await assert_declared(app, await alice.request("POST", "/api/v1/me/notifications/read", json={}), "POST")
    for url in (
        "/api/v1/console/me",
        "/api/v1/console/review-queue",
        "/api/v1/console/subscribers",
        f"/api/v1/console/subscribers/{a_id}",
        f"/api/v1/console/subscribers/{a_id}/account",
        "/api/v1/console/policy",
        "/api/v1/console/policy/history",
        "/api/v1/console/audit",
        "/api/v1/console/staff",
        "/api/v1/console/arrears",
    ):
        await assert_declared(app, await admin.get(url))
    pol = (await admin.get("/api/v1/console/policy")).json()
    staff_writes = [
        (
            "PUT",
            "/api/v1/console/policy",
            {"values": {"document_max_bytes": 4000000}, "reason": "smaller", "version": pol["version"]},
        ),
        ("POST", f"/api/v1/console/subscribers/{a_id}/reveal", {"field": "address", "reason": "a check"}),
        ("POST", f"/api/v1/console/subscribers/{a_id}/number-change", {"reason": "network_change", "note": ""}),
        (
            "POST",
            "/api/v1/console/staff",
            {"username": "zed", "display_name": "Zed", "password": "Very-Str0ng-Passw0rd!x", "roles": ["billing"]},
        ),
    ]
    for method, url, body in staff_writes:
        await assert_declared(app, await admin.request(method, url, json=body), method)
    await assert_declared(app, await admin.get("/api/v1/console/policy/history"))
    bob = await register_and_login(app)
    b_id = await subscriber_id(container, bob.account["number"])
    body = {"subscriber_id": b_id, "reason": "breach", "note": "fraud"}
    await assert_declared(app, await admin.request("POST", "/api/v1/console/terminations", json=body), "POST")
    await assert_declared(app, await admin.get("/api/v1/console/terminations"))

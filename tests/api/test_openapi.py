"""The OpenAPI document declares every error answer with the Problem schema (R-54), and the answers
match it: 405 says `method_not_allowed` with `Allow`, an unreadable body says `bad_request`."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from videophone.edge.openapi import PROBLEM_MEDIA_TYPE, PROBLEM_REF, needs_login
from videophone.edge.problems import Problem

# Operations whose error body is not a problem (the payment gateway's protocol answers `fail`).
OTHER_ERROR_BODIES = {("post", "/api/v1/payments/gateway/notify")}


def operations(app: FastAPI) -> list[tuple[str, str, dict[str, Any], Any]]:
    schema = app.openapi()
    found = []
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in sorted(route.methods):
            found.append((method.lower(), route.path_format, schema["paths"][route.path_format][method.lower()], route))
    return found


def test_every_error_answer_is_a_documented_problem(app: FastAPI) -> None:
    schema = app.openapi()
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "code", "message", "field", "errors"}
    assert "params" in problem["properties"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]  # never sent
    ops = operations(app)
    assert len(ops) > 100
    missing: list[str] = []
    for method, path, op, route in ops:
        statuses = {int(code) for code in op["responses"] if code.isdigit()}
        if route.dependant.path_params or route.dependant.query_params or route.dependant.body_params:
            missing += [f"{method} {path}: 422"] if 422 not in statuses else []
        if route.dependant.path_params and 404 not in statuses:
            missing.append(f"{method} {path}: 404")
        if needs_login(route) and not {401, 403} <= statuses:
            missing.append(f"{method} {path}: 401/403")
        if not needs_login(route) and path.startswith(("/api/v1/me", "/api/v1/console/")) and "login" not in path:
            missing.append(f"{method} {path}: no login dependency")
        for status in statuses - {s for s in statuses if s < 400}:
            content = op["responses"][str(status)].get("content", {})
            if (method, path) in OTHER_ERROR_BODIES:
                continue
            if content != {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}}:
                missing.append(f"{method} {path}: {status} is not a problem ({content})")
    assert missing == []


def test_only_routes_that_need_a_login_declare_401(app: FastAPI) -> None:
    ops = {(m, p): op for m, p, op, _ in operations(app)}
    assert "401" not in ops[("get", "/api/v1/health")]["responses"]
    assert "401" not in ops[("get", "/api/v1/prices")]["responses"]
    assert {"401", "403", "422", "404"} <= set(ops[("get", "/api/v1/me/bills/{bill_id}")]["responses"])
    assert {"401", "403", "429"} <= set(ops[("post", "/api/v1/auth/login")]["responses"])  # declared on the route
    assert set(ops[("get", "/api/v1/agreement.pdf")]["responses"]["200"]["content"]) == {"application/pdf"}


async def test_problem_bodies_match_the_schema(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get("/api/v1/me"),  # 401
        await client.post("/api/v1/auth/login", json={"login": 1}),  # 422
        await client.get("/api/v1/me/bills/x"),  # 401 before 422? either way a problem
    ):
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
        Problem.model_validate(response.json())


async def test_405_says_method_not_allowed_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/v1/health", headers={"Accept-Language": "en"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = response.json()
    assert body["code"] == "method_not_allowed"
    assert "not allowed" in body["message"]
    Problem.model_validate(body)
    zh = await client.put("/api/v1/me/bills", headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 405
    assert zh.headers["allow"] == "GET"
    assert zh.json()["code"] == "method_not_allowed"
    assert "Allow" in zh.json()["message"]


async def test_allow_lists_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    # GET and POST on one path are two routes: Starlette's 405 named only the first one's method.
    for path in ("/api/v1/console/lawful", "/api/v1/me/contacts", "/api/v1/me/documents"):
        response = await client.request("OPTIONS", path)
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, POST", path
    response = await client.put("/api/v1/me/contacts/7")
    assert response.headers["allow"] == "DELETE, PATCH"
    # Also matched by /me/calls/{call_id} (GET), another resource: not listed.
    response = await client.request("OPTIONS", "/api/v1/me/calls/missed-seen")
    assert response.headers["allow"] == "POST"


async def test_an_unreadable_body_is_a_documented_bad_request(app: FastAPI, client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/login", content=b"\xff\xfe{", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    assert "400" in app.openapi()["paths"]["/api/v1/auth/login"]["post"]["responses"]

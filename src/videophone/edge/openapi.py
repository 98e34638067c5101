"""The OpenAPI document: every operation declares the problem answers (``application/problem+json``,
the ``Problem`` schema) it can give.

The error answers are added to the generated document from each route itself rather than written on
every route or router (``responses=``): what a route can answer follows from its signature — a login
dependency gives 401/403, parameters or a body 422, a body that cannot be read 400, a path id or a
body naming something 404, a write by a logged-in caller 409 (the state does not allow it now) — so a
new route is documented correctly without anyone remembering to.  Answers a signature cannot show (a
login route's 401, a throttled route's 429, a file body) are declared on the route with ``responses=``
(``problem_responses``, ``binary_response``) and kept.  405 is never declared (a method a path does not
declare); its answer carries ``Allow``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from videophone.edge.deps import current_staff, current_subscriber
from videophone.edge.problems import Problem

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"
LOGIN_DEPENDENCIES: tuple[Callable[..., Any], ...] = (current_subscriber, current_staff)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

DESCRIPTIONS: dict[int, str] = {
    400: "The body could not be read (not UTF-8, or not parseable).",
    401: "Not logged in, or the login (session, API token) is not valid here.",
    403: "Logged in but not allowed: a missing permission, the account's state, or a failed CSRF check.",
    404: "No such resource, or not the caller's.",
    409: "The state does not allow this now, or the data changed meanwhile.",
    413: "The body is too large.",
    422: "The input is not valid: `errors` lists every field at fault.",
    429: "Too many attempts: retry after `Retry-After` seconds.",
    503: "Temporarily unavailable.",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """For a route's ``responses=``: problem answers its signature does not imply."""
    return {status: {"description": DESCRIPTIONS[status]} for status in statuses}


def binary_response(*media_types: str, description: str = "The file.") -> dict[int | str, dict[str, Any]]:
    """For a route's ``responses=``: a 200 whose body is a file of one of ``media_types``."""
    content = {m: {"schema": {"type": "string", "format": "binary"}} for m in media_types}
    return {200: {"description": description, "content": content}}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


# ``route`` below: what FastAPI's ``iter_route_contexts`` yields for an ``APIRoute`` (the route as included,
# with its router's prefix and dependencies).
def needs_login(route: Any) -> bool:
    return any(call in LOGIN_DEPENDENCIES for call in _calls(route.dependant))


def _has_input(dependant: Dependant) -> bool:
    own = (
        dependant.path_params
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
    )
    return bool(own) or any(_has_input(sub) for sub in dependant.dependencies)


def implied_statuses(route: Any, method: str) -> set[int]:
    """The problem answers ``route`` can give by its signature alone."""
    statuses: set[int] = set()
    login = needs_login(route)
    if login:
        statuses |= {401, 403}
    if _has_input(route.dependant):
        statuses.add(422)
    if route.dependant.body_params:
        statuses |= {400, 413}  # unreadable; larger than the guard lets through (web/guard.py)
    if route.dependant.path_params or (login and method in WRITE_METHODS and route.dependant.body_params):
        statuses.add(404)  # a path id, or a body naming a bill, a code, a terminal, a subscriber …
    if login and method in WRITE_METHODS:
        statuses.add(409)
    return statuses


def _is_generic(content: dict[str, Any]) -> bool:
    """Content FastAPI filled in by itself (its own 422 body, or an empty schema for ``responses=``)."""
    return set(content) <= {"application/json"}


def document_problems(schema: dict[str, Any], routes: list[Any]) -> None:
    """Add the ``Problem`` schema and every operation's problem answers to ``schema`` (in place)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem.pop("$defs", {}))
    components["Problem"] = problem
    for route in iter_route_contexts(routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = schema["paths"].get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            declared = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
            for status in sorted(declared | implied_statuses(route, method)):
                answer = responses.setdefault(str(status), {})
                if not _is_generic(answer.get("content", {})):
                    continue  # the route declared another body for this status (e.g. text/plain)
                answer["description"] = DESCRIPTIONS.get(status, answer.get("description", "Error."))
                answer["content"] = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}}
                if status == 429:
                    answer["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}}
    # FastAPI's own 422 body is never sent (problems.request_validation_handler answers instead).
    text = repr(schema["paths"])
    for name in ("HTTPValidationError", "ValidationError"):
        if f"#/components/schemas/{name}'" not in text and name in components:
            del components[name]


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the document with the problem answers."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()  # FastAPI's, cached until the routes change
        if "Problem" not in schema.get("components", {}).get("schemas", {}):
            document_problems(schema, app.routes)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

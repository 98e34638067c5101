"""Liveness and readiness for load balancers and orchestrators (issue 17): no session, no audit.

* ``/livez``: the process answers (no I/O at all).
* ``/readyz``: the node can serve — the database answers and is migrated to the head, Redis answers
  when configured; 503 with the checks that failed otherwise.

They stay out of the OpenAPI document: they are for the infrastructure, not API clients.
``/api/v1/health`` (the policy version) is kept for existing monitors."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from videophone.adapters import readiness
from videophone.edge.deps import ContainerDep

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/livez")
async def livez() -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


@router.get("/readyz")
async def readyz(c: ContainerDep) -> JSONResponse:
    checks = await readiness.checks(c.engine, c.redis)
    ready = all(v == readiness.OK for v in checks.values())
    not_ready = sorted(k for k, v in checks.items() if v != readiness.OK)
    body = {"status": "ready" if ready else "not ready", "checks": checks, "not_ready": not_ready}
    return JSONResponse(body, status_code=200 if ready else 503, headers=NO_STORE)

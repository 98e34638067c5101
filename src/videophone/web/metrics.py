"""``GET /metrics``: the node's metrics in the Prometheus text format (issue 17, docs/operations.md
"Monitor").  Off (404, as any unknown path) until ``VIDEOPHONE_METRICS_TOKEN`` is set; then only a
request bearing that token (``Authorization: Bearer …``, compared in constant time) is answered, others
get 401.  The gauges of state held elsewhere are read here, at scrape time: the hub's calls and devices
and the database pool from memory, the outbox and the bill run from the database within a short
timeout (``reporting.services.operations``)."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from videophone.adapters import metrics
from videophone.adapters.db.pool_usage import pool_usage
from videophone.bootstrap import Container
from videophone.calling.domain.calls import CallState
from videophone.reporting.services.operations import refresh_database_figures

router = APIRouter(include_in_schema=False)


def _authorized(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def _read_memory(container: Container) -> None:
    hub = container.signaling
    states = [call.state for call in list(hub.calls.values())]
    metrics.ACTIVE_CALLS.set(sum(1 for s in states if s is CallState.ANSWERED))
    metrics.RINGING_CALLS.set(sum(1 for s in states if s is CallState.RINGING))
    metrics.DEVICES.set(len(hub.local))
    pool = pool_usage(container.engine)
    metrics.DB_POOL_IN_USE.set(pool.in_use)
    metrics.DB_POOL_WAITING.set(pool.waiting)
    metrics.DB_POOL_SIZE.set(pool.size)


@router.get("/metrics")
async def scrape(request: Request) -> Response:
    container: Container = request.app.state.container
    token = container.settings.metrics_token
    if not token:
        raise StarletteHTTPException(status_code=404)
    if not _authorized(request, token):
        raise StarletteHTTPException(status_code=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    _read_memory(container)
    await refresh_database_figures(container.deps)
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})

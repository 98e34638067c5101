"""The database's figures for the metrics (issue 17): the outbox's backlog, the age of its oldest
message and how overdue its due ones are, the latest bill run's progress — read at scrape time, within a short timeout, into the gauges
of ``adapters.metrics``.  A scrape that cannot read them says so (``videophone_scrape_collector_up``)
and leaves the previous values: a slow database must not make the scrape itself time out."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import structlog

from videophone.adapters import metrics
from videophone.common.deps import Deps
from videophone.reporting.store import operations as store

log = structlog.get_logger(__name__)

SCRAPE_TIMEOUT_SECONDS = 2.0


def _age(now: datetime, then: datetime | None) -> float:
    if then is None:
        return 0.0
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return max(0.0, (now - then).total_seconds())


async def _read(deps: Deps) -> None:
    now = deps.clock.now()
    async with deps.uow() as uow:
        outbox = await store.outbox_backlog(uow.session, now)
        run = await store.latest_bill_run(uow.session)
    metrics.OUTBOX_PENDING.set(outbox.pending)
    metrics.OUTBOX_OLDEST.set(_age(now, outbox.oldest_created))
    metrics.OUTBOX_DUE.set(outbox.due)
    metrics.OUTBOX_OVERDUE.set(_age(now, outbox.oldest_due))
    metrics.OUTBOX_FAILED.set(outbox.failed)
    running = run is not None and run.state == "running"
    metrics.BILL_RUN_RUNNING.set(1 if running else 0)
    metrics.BILL_RUN_ACCOUNTS.set(run.accounts if run is not None else 0)
    metrics.BILL_RUN_BILLS.set(run.bills_created if run is not None else 0)
    metrics.BILL_RUN_HEARTBEAT_AGE.set(_age(now, run.heartbeat_at) if running and run is not None else 0.0)
    metrics.BILL_RUN_FAILED.set(1 if run is not None and run.state == "failed" else 0)


async def refresh_database_figures(deps: Deps, within: float = SCRAPE_TIMEOUT_SECONDS) -> bool:
    """Read the figures into the gauges; False (and the collector marked down) when it failed."""
    try:
        async with asyncio.timeout(within):
            await _read(deps)
    except Exception as exc:  # TimeoutError or the database's: the scrape goes on without them
        log.warning("metrics: the database figures could not be read", error=type(exc).__name__)
        metrics.SCRAPE_OK.labels("database").set(0)
        return False
    metrics.SCRAPE_OK.labels("database").set(1)
    return True

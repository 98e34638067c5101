"""A small in-process scheduler: each job runs every ``interval`` seconds; failures are logged and
retried at the next tick.  Jobs are idempotent, so several nodes running them is harmless."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import structlog

from videophone.adapters import metrics
from videophone.bootstrap import Container

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    interval: float
    run: Callable[[Container], Awaitable[object]]


async def _purge_sessions(c: Container) -> object:
    return await c.auth.purge_expired()


async def _monthly_bill_run(c: Container) -> object:
    """The bill run for last month (operator's calendar), unless one has finished already."""
    from videophone.billing.domain.billing import period_of

    today = c.deps.clock.now().astimezone(c.deps.operator_tz).date()
    period = period_of(today.replace(day=1) - timedelta(days=1))
    if await c.billing.last_run_finished(period):
        return {"period": period, "skipped": True}
    return (await c.billing.run(period)).to_dict()


async def _deliver_notifications(c: Container) -> object:
    return await c.notifications.deliver_due()


async def _payment_reconcile(c: Container) -> object:
    return await c.payments.reconcile()


async def _late_fees(c: Container) -> object:
    return await c.late_fees.run()


async def _arrears(c: Container) -> object:
    return await c.arrears.run()


async def _inactivity(c: Container) -> object:
    return await c.termination.run_inactivity()


async def _lawful_expiry(c: Container) -> object:
    return await c.lawful.expire_due()


async def _outage_credits(c: Container) -> object:
    return await c.outages.credit_pending()


async def _announcements(c: Container) -> object:
    return await c.announcements.deliver_due()


async def _agreement_deemed_acceptance(c: Container) -> object:
    return await c.agreement.deem_acceptances()


async def _voicemail_retention(c: Container) -> object:
    return await c.voicemail_admin.expire_due()


JOBS = [
    Job("deliver-notifications", 10, _deliver_notifications),
    Job("payment-reconcile", 60, _payment_reconcile),
    Job("purge-expired-sessions", 3600, _purge_sessions),
    Job("late-fees", 3600, _late_fees),
    Job("arrears", 3600, _arrears),
    Job("inactivity", 86400, _inactivity),
    Job("announcements", 60, _announcements),
    Job("agreement-deemed-acceptance", 3600, _agreement_deemed_acceptance),
    Job("lawful-expiry", 3600, _lawful_expiry),
    Job("outage-credits", 300, _outage_credits),
    Job("monthly-bill-run", 86400, _monthly_bill_run),
    Job("voicemail-retention", 3600, _voicemail_retention),
]


def _did_something(result: object) -> bool:
    """Whether a job's result reports any work (a mapping with a non-zero number, or anything else)."""
    if isinstance(result, dict):
        return any(isinstance(v, int) and not isinstance(v, bool) and v for v in result.values()) or not all(
            isinstance(v, int) for v in result.values()
        )
    return bool(result)


async def run_measured(job: Job, container: Container) -> object:
    """One run of ``job``, counted and timed for the metrics (runs, failures, duration by job)."""
    return await metrics.measured_job(job.name, job.run(container))


class Scheduler:
    def __init__(self, container: Container, jobs: list[Job] | None = None) -> None:
        self.container = container
        self.jobs = jobs if jobs is not None else JOBS
        self._tasks: list[asyncio.Task[None]] = []

    async def _loop(self, job: Job) -> None:
        while True:
            try:
                result = await run_measured(job, self.container)
                # Frequent jobs that found nothing to do stay out of the log.
                quiet = job.interval < 600 and not _did_something(result)
                (log.debug if quiet else log.info)("job done", job=job.name, result=result)
            except Exception:
                log.exception("job failed", job=job.name)
            await asyncio.sleep(job.interval)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._loop(job), name=job.name) for job in self.jobs]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

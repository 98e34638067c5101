"""A small in-process scheduler, once per cluster: every node runs the loop, but a job runs only on
the node that takes its lease (``job_runs``, jobs/store/leases.py), and only once its last run
finished at least ``interval`` seconds ago — so two nodes never run a job at once, and a node that
starts does not run again what another node (or its previous self) ran a moment ago.  Failures are
logged and recorded, and retried one interval later.  Jobs stay idempotent all the same: a run that
outlives a lost lease (a node paused for longer than the lease) may overlap the next one."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from videophone.adapters import metrics
from videophone.bootstrap import Container
from videophone.jobs.store import leases

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


LEASE_SECONDS = 60.0  # a run keeps its lease alive every third of this; a dead node's lapses after it
MIN_WAIT_SECONDS = 1.0
RETRY_SECONDS = 30.0  # after the database could not be asked (the loop itself never dies)


def _text(result: object) -> str:
    try:
        return json.dumps(result, default=str, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        return repr(result)


@dataclass(frozen=True)
class JobReport:
    """A job as `videophone jobs list` shows it: its record in the cluster and when it runs next."""

    job: Job
    state: leases.JobState | None
    next_run: datetime
    running: bool


async def reports(container: Container, jobs: list[Job] | None = None) -> list[JobReport]:
    async with container.deps.uow() as uow:
        found = await leases.states(uow.session)
    now = container.deps.clock.now()
    out = []
    for job in jobs if jobs is not None else JOBS:
        state = found.get(job.name)
        running = state is not None and state.lease_until is not None and state.lease_until > now
        out.append(JobReport(job, state, leases.next_due(state, job.interval, now), running))
    return out


@dataclass(frozen=True)
class Ran:
    """A run this node made: whether it succeeded, and the job's result."""

    ok: bool
    result: object


async def run_measured(job: Job, container: Container) -> object:
    """One run of ``job``, counted and timed for the metrics (runs, failures, duration by job)."""
    return await metrics.measured_job(job.name, job.run(container))


class Scheduler:
    def __init__(
        self,
        container: Container,
        jobs: list[Job] | None = None,
        *,
        node: str | None = None,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.container = container
        self.jobs = jobs if jobs is not None else JOBS
        self.node = node or container.signaling.node_id
        self.lease_seconds = lease_seconds
        self._tasks: list[asyncio.Task[None]] = []

    def _now(self) -> datetime:
        return self.container.deps.clock.now()

    async def run_once(self, job: Job, *, due_only: bool = True) -> Ran | None:
        """Run ``job`` here if this node can take its lease now (None: another node holds it, or —
        with ``due_only`` — its last run finished less than an interval ago)."""
        token = secrets.token_hex(16)
        async with self.container.deps.uow() as uow:
            await leases.ensure(uow.session, [job.name])
            taken = await leases.take(
                uow.session,
                job.name,
                node=self.node,
                token=token,
                now=self._now(),
                interval=job.interval if due_only else 0,
                lease=self.lease_seconds,
            )
            await uow.commit()
        if not taken:
            return None
        keeper = asyncio.create_task(self._keep(job, token), name=f"lease:{job.name}")
        try:
            result = await run_measured(job, self.container)
        except asyncio.CancelledError:
            await asyncio.shield(self._end(job, token, ok=None, text=""))
            raise
        except Exception as exc:
            log.exception("job failed", job=job.name)
            ok, text, result = False, f"{type(exc).__name__}: {exc}", None
        else:
            # Frequent jobs that found nothing to do stay out of the log.
            quiet = job.interval < 600 and not _did_something(result)
            (log.debug if quiet else log.info)("job done", job=job.name, result=result)
            ok, text = True, _text(result)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
        await self._end(job, token, ok=ok, text=text)
        return Ran(ok, result)

    async def _end(self, job: Job, token: str, *, ok: bool | None, text: str) -> None:
        """Record the end of a run (``ok`` None: interrupted, the lease only given back)."""
        async with self.container.deps.uow() as uow:
            if ok is None:
                await leases.release(uow.session, job.name, token=token)
            elif not await leases.finish(uow.session, job.name, token=token, now=self._now(), ok=ok, result=text):
                log.warning("job lease lost during its run", job=job.name)
            await uow.commit()

    async def _keep(self, job: Job, token: str) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                async with self.container.deps.uow() as uow:
                    until = self._now() + timedelta(seconds=self.lease_seconds)
                    kept = await leases.extend(uow.session, job.name, token=token, until=until)
                    await uow.commit()
                if not kept:
                    log.warning("job lease lost during its run", job=job.name)
                    return
            except Exception:
                log.exception("job lease not extended", job=job.name)

    async def _wait(self, job: Job) -> float:
        """Seconds until the job may be due again, as the cluster's record says."""
        async with self.container.deps.uow() as uow:
            state = (await leases.states(uow.session, [job.name])).get(job.name)
        now = self._now()
        wait = (leases.next_due(state, job.interval, now) - now).total_seconds()
        return min(max(wait, MIN_WAIT_SECONDS), job.interval)

    async def _loop(self, job: Job) -> None:
        while True:
            try:
                await self.run_once(job)
                wait = await self._wait(job)
            except Exception:
                log.exception("job could not be scheduled", job=job.name)
                wait = min(job.interval, RETRY_SECONDS)
            await asyncio.sleep(wait)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._loop(job), name=job.name) for job in self.jobs]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

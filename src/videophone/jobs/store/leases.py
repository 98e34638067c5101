"""Leases of the scheduled jobs (``job_runs``): one conditional UPDATE takes a job for one node.

The UPDATE's condition — no live lease, and the last run finished at least one interval ago — is
checked and written in one statement: on PostgreSQL a second node's UPDATE waits for the first one's
row lock and then re-reads the row, finds the lease taken and changes nothing; on SQLite every
transaction holds the database's write lock from BEGIN (``BEGIN IMMEDIATE``, adapters/db/engine.py).
So on either database two nodes never both take a job, whatever their timing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models_jobs import JobRun

RESULT_CHARS = 2000  # what a run's result or error keeps (the log has the rest)


@dataclass(frozen=True)
class JobState:
    """A job's row as `videophone jobs list` shows it."""

    name: str
    node: str
    lease_until: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    ok: bool | None
    result: str
    runs: int
    failures: int


def _changed(result: object) -> bool:
    """Whether an UPDATE changed its one row."""
    return int(getattr(result, "rowcount", 0) or 0) == 1


async def ensure(session: AsyncSession, names: list[str]) -> None:
    """A row for each job (a no-op for the rows that exist, even when nodes insert them at once)."""
    if not names:
        return
    values = [{"name": n, "node": "", "lease_token": "", "result": "", "runs": 0, "failures": 0} for n in names]
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(pg_insert(JobRun).values(values).on_conflict_do_nothing(index_elements=["name"]))
    else:
        await session.execute(sqlite_insert(JobRun).values(values).on_conflict_do_nothing(index_elements=["name"]))


async def take(
    session: AsyncSession, name: str, *, node: str, token: str, now: datetime, interval: float, lease: float
) -> bool:
    """Take the job for this node until ``now + lease`` if no one holds it and it is due."""
    due_after = now - timedelta(seconds=interval)
    statement = (
        update(JobRun)
        .where(
            JobRun.name == name,
            or_(JobRun.lease_until.is_(None), JobRun.lease_until <= now),
            or_(JobRun.finished_at.is_(None), JobRun.finished_at <= due_after),
        )
        .values(node=node, lease_token=token, lease_until=now + timedelta(seconds=lease), started_at=now)
        .execution_options(synchronize_session=False)
    )
    return _changed(await session.execute(statement))


async def extend(session: AsyncSession, name: str, *, token: str, until: datetime) -> bool:
    """Keep the lease of a run that is still going (False: it was lost, e.g. after a long pause)."""
    statement = (
        update(JobRun)
        .where(JobRun.name == name, JobRun.lease_token == token)
        .values(lease_until=until)
        .execution_options(synchronize_session=False)
    )
    return _changed(await session.execute(statement))


async def finish(session: AsyncSession, name: str, *, token: str, now: datetime, ok: bool, result: str) -> bool:
    """Record the run's end and give the lease back (only the run that holds it can)."""
    statement = (
        update(JobRun)
        .where(JobRun.name == name, JobRun.lease_token == token)
        .values(
            lease_until=None,
            lease_token="",
            finished_at=now,
            ok=ok,
            result=result[:RESULT_CHARS],
            runs=JobRun.runs + 1,
            failures=JobRun.failures + (0 if ok else 1),
        )
        .execution_options(synchronize_session=False)
    )
    return _changed(await session.execute(statement))


async def states(session: AsyncSession, names: list[str] | None = None) -> dict[str, JobState]:
    query = select(JobRun)
    if names is not None:
        query = query.where(JobRun.name.in_(names))
    rows = (await session.scalars(query)).all()
    return {
        r.name: JobState(r.name, r.node, r.lease_until, r.started_at, r.finished_at, r.ok, r.result, r.runs, r.failures)
        for r in rows
    }


def next_due(state: JobState | None, interval: float, now: datetime) -> datetime:
    """When the job may run next: after its live lease and one interval after its last finished run."""
    if state is None:
        return now
    times = [now]
    if state.lease_until is not None and state.lease_until > now:
        times.append(state.lease_until)
    if state.finished_at is not None:
        times.append(state.finished_at + timedelta(seconds=interval))
    return max(times)


async def release(session: AsyncSession, name: str, *, token: str) -> None:
    """Give the lease back without recording a run (the run was interrupted: the job is due again)."""
    statement = (
        update(JobRun)
        .where(JobRun.name == name, JobRun.lease_token == token)
        .values(lease_until=None, lease_token="")
        .execution_options(synchronize_session=False)
    )
    await session.execute(statement)


__all__ = ["JobState", "ensure", "extend", "finish", "next_due", "release", "states", "take"]

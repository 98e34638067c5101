"""The scheduled jobs' runs (issue 17).  Changes here need an Alembic migration (0023_job_runs.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from videophone.adapters.db.models_base import Base


class JobRun(Base):
    """One row per scheduled job: its lease (which node runs it now, until when) and its last run.

    A node runs a job only after taking the lease in one conditional update (the lease has expired and
    the last run finished at least one interval ago), so two nodes never run a job at once and a node
    that starts does not run again what another ran a moment ago."""

    __tablename__ = "job_runs"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    node: Mapped[str] = mapped_column(String(100), default="")  # the node of the last (or current) run
    lease_token: Mapped[str] = mapped_column(String(32), default="")  # the current run's, to finish only it
    lease_until: Mapped[datetime | None] = mapped_column(nullable=True)  # held while in the future
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    ok: Mapped[bool | None] = mapped_column(nullable=True)  # the last finished run's outcome
    result: Mapped[str] = mapped_column(Text, default="")  # its result (JSON, cut short) or error
    runs: Mapped[int] = mapped_column(default=0)
    failures: Mapped[int] = mapped_column(default=0)

"""The node's metrics for operators (issue 17), in the Prometheus text format (prometheus-client).

One serving process per node, so the library's default registry holds them all.  Every label has a
small, fixed set of values — route templates (never raw paths), methods, status codes, job names, call
outcomes — so the number of series stays bounded whatever clients send.

Counters and histograms move where things happen (the HTTP middleware ``edge.http_metrics``, the
signaling hub, the scheduler through :func:`measured_job`); the gauges of state held elsewhere (the
outbox, the bill run, the database pool, the hub's calls) are set at scrape time by ``web.metrics``.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable
from typing import TypeVar

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, generate_latest

T = TypeVar("T")

# -- HTTP ---------------------------------------------------------------------------------------------
HTTP_REQUESTS = Counter(
    "videophone_http_requests",
    "HTTP requests answered, by route template, method and status",
    ("route", "method", "status"),
)
HTTP_LATENCY = Histogram(
    "videophone_http_request_duration_seconds",
    "Time to answer an HTTP request (to the end of its body), by route template and method",
    ("route", "method"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
WEBSOCKETS = Gauge("videophone_websocket_connections", "WebSocket connections open on this node")

# -- calls (the signaling hub) ------------------------------------------------------------------------
INVITES = Counter("videophone_call_invites", "Invites the hub of this node took (each one a call record)")
SETUPS = Counter("videophone_call_setups", "Calls answered (set up) on this node")
SETUP_LATENCY = Histogram(
    "videophone_call_setup_seconds",
    "From the invite to the answer of each call set up on this node (ringing included)",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0),
)
INVITE_SECONDS = Histogram(
    "videophone_invite_handling_seconds",
    "The hub's handling of an invite — reads, lines, the record's insert — to its first messages sent",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
ENDED = Counter("videophone_calls_ended", "Calls ended on this node, by outcome", ("outcome",))
ACTIVE_CALLS = Gauge("videophone_active_calls", "Answered calls this node holds (at scrape time)")
RINGING_CALLS = Gauge("videophone_ringing_calls", "Calls ringing on this node (at scrape time)")
DEVICES = Gauge("videophone_connected_devices", "Devices connected to this node's hub (at scrape time)")

# -- jobs ---------------------------------------------------------------------------------------------
JOB_RUNS = Counter("videophone_job_runs", "Scheduled job runs, by job and result", ("job", "result"))
JOB_DURATION = Histogram(
    "videophone_job_duration_seconds",
    "How long each scheduled job run took, by job",
    ("job",),
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0, 7200.0),
)
JOB_LAST_SUCCESS = Gauge(
    "videophone_job_last_success_timestamp_seconds", "When each job last finished without error (Unix time)", ("job",)
)

# -- set at scrape time -------------------------------------------------------------------------------
OUTBOX_PENDING = Gauge("videophone_outbox_pending", "Outbox messages (email, SMS, push) not yet sent")
OUTBOX_OLDEST = Gauge(
    "videophone_outbox_oldest_pending_age_seconds", "Age of the oldest outbox message not yet sent (0: none)"
)
OUTBOX_DUE = Gauge("videophone_outbox_due", "Outbox messages due for sending now (their retry time has come)")
OUTBOX_OVERDUE = Gauge(
    "videophone_outbox_oldest_due_age_seconds",
    "How long the longest-due outbox message has waited past its attempt time (0: none); the sender "
    "runs every 10 s, so minutes here mean it is stuck",
)
OUTBOX_FAILED = Gauge("videophone_outbox_failed", "Outbox messages given up on (failed for good)")
BILL_RUN_RUNNING = Gauge("videophone_bill_run_running", "1 while a bill run is running, else 0")
BILL_RUN_ACCOUNTS = Gauge("videophone_bill_run_accounts", "Accounts of the latest bill run")
BILL_RUN_BILLS = Gauge("videophone_bill_run_bills_created", "Bills the latest bill run has created so far")
BILL_RUN_HEARTBEAT_AGE = Gauge(
    "videophone_bill_run_heartbeat_age_seconds", "Since the running bill run's last progress (0: none running)"
)
BILL_RUN_FAILED = Gauge("videophone_bill_run_last_failed", "1 when the latest bill run failed, else 0")
DB_POOL_IN_USE = Gauge("videophone_db_pool_in_use", "Database connections checked out of the pool")
DB_POOL_WAITING = Gauge("videophone_db_pool_waiting", "Tasks waiting for a database connection")
DB_POOL_SIZE = Gauge("videophone_db_pool_size", "Connections the pool keeps (its overflow aside)")
SCRAPE_OK = Gauge(
    "videophone_scrape_collector_up",
    "1 when the figures of a collector were read at this scrape, 0 when it failed or timed out",
    ("collector",),
)

# The classic text format, which every Prometheus reads (every name here is a legacy one, so the text
# is the same as the library's newer 1.0.0 version).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str) -> str:
    """A request's method as a label: the standard ones, anything else ``other``."""
    return method if method in _METHODS else "other"


async def measured_job(job: str, run: Awaitable[T]) -> T:
    """Await one run of a scheduled job, counting it (``ok`` / ``failed``) and timing it; a failure is
    re-raised for the scheduler to log."""
    started = time.perf_counter()
    try:
        result = await run
    except BaseException as exc:
        if isinstance(exc, Exception):
            JOB_RUNS.labels(job, "failed").inc()
            JOB_DURATION.labels(job).observe(time.perf_counter() - started)
        raise
    JOB_RUNS.labels(job, "ok").inc()
    JOB_DURATION.labels(job).observe(time.perf_counter() - started)
    JOB_LAST_SUCCESS.labels(job).set(time.time())
    return result


def call_invited(ended_outcome: str | None) -> None:
    """An invite became a call record; one refused at once (busy, unknown number…) ended with it."""
    INVITES.inc()
    if ended_outcome is not None:
        ENDED.labels(ended_outcome or "unknown").inc()


def call_answered(setup_seconds: float) -> None:
    SETUPS.inc()
    SETUP_LATENCY.observe(max(0.0, setup_seconds))


def call_ended(outcome: str) -> None:
    ENDED.labels(outcome or "unknown").inc()


def exposition() -> tuple[bytes, str]:
    """The text exposition of every metric, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE

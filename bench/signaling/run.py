"""Signaling benchmark: simulated clients over real WebSockets against a real ``videophone serve``.

    .venv/bin/python bench/signaling/run.py                 # SQLite, full run (~3 min), updates docs/performance.md
    .venv/bin/python bench/signaling/run.py --quick         # smoke run (< 30 s), docs untouched
    .venv/bin/python bench/signaling/run.py --database-url postgresql://postgres@127.0.0.1/bench \\
        --redis-url redis://127.0.0.1:6379/0
    .venv/bin/python bench/signaling/run.py --haproxy --nodes 2 --database-url postgresql://... --redis-url redis://...

The server: one `videophone serve` node, or with ``--nodes 2`` two (their own VIDEOPHONE_NODE_ID each, one
PostgreSQL database and one Redis shared), started with the systemd unit's command line; with ``--haproxy``
HAProxy (deploy/haproxy/haproxy.cfg) in front and the clients connect through it.  CPU is measured per node
and for HAProxy.

Phases (loopback only, every loop bounded in count and time):

1. open loop — a call starts every 1/``--rate`` s (``--rate-calls`` calls): p50/p99 of invite→ringing
   (caller) and accept→answered (callee), as seen by the client;
2. max throughput — ``--pairs`` caller/callee pairs call back to back (``--calls`` calls in all):
   call setups per second (invite → accepted, then hangup → ended at both ends);
3. idle — ``--idle`` subscribers, each with its own device, connected and welcomed, pinging every
   ``ping_interval``: the server's VmRSS (/proc/<pid>/status) before and with them connected.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import math
import os
import platform
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.signaling.client import (  # noqa: E402
    Account,
    Stats,
    close_all,
    closed_loop,
    hold_idle,
    open_loop,
    open_pairs,
    release_idle,
)
from bench.signaling.cluster import Cluster, ClusterError, cpu_seconds, rss_mib  # noqa: E402
from bench.signaling.cluster import start as start_cluster  # noqa: E402
from bench.signaling.seed import cleanup, seed  # noqa: E402

DOCS = ROOT / "docs" / "performance.md"
TARGET_SETUPS = 300.0  # per node
TARGET_SETUPS_ONE_CLUSTER_NODE = 500.0  # one node on PostgreSQL + Redis (issue 17)
TARGET_RINGING_P99_MS = 20.0
TARGET_IDLE_RSS_MIB = 1024.0
PHASE_TIMEOUT = 300.0  # no phase runs longer than this, whatever the arguments


# -- measurements of the server processes ----------------------------------------------------------------
def cpu_of(pids: dict[str, int]) -> dict[str, float]:
    return {name: cpu_seconds(pid) for name, pid in pids.items()}


def cpu_since(pids: dict[str, int], before: dict[str, float]) -> dict[str, float]:
    return {name: cpu_seconds(pid) - before[name] for name, pid in pids.items()}


def rss_of(pids: dict[str, int]) -> dict[str, float]:
    return {name: rss_mib(pid) for name, pid in pids.items()}


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))] * 1000


@dataclass
class Phase:
    name: str
    stats: Stats
    seconds: float
    cpu: dict[str, float]  # CPU seconds each server process (node1, node2, haproxy) used during the phase
    client_cpu: float  # CPU seconds the load generator used (all its processes)

    @property
    def rate(self) -> float:
        return self.stats.completed / self.seconds if self.seconds > 0 else 0.0

    def load(self, name: str) -> float:
        """Percent of one core that process ``name`` (or ``client``) used during the phase."""
        used = self.client_cpu if name == "client" else self.cpu[name]
        return used / self.seconds * 100 if self.seconds > 0 else 0.0


@dataclass
class Results:
    phases: dict[str, Phase] = field(default_factory=dict)
    # VmRSS (MiB) of each node: at start, before the idle phase, the peak with the idle subscribers
    rss_start: dict[str, float] = field(default_factory=dict)
    rss_before_idle: dict[str, float] = field(default_factory=dict)
    rss_idle: dict[str, float] = field(default_factory=dict)
    idle_connected: int = 0
    idle_connect_seconds: float = 0.0
    idle_stats: Stats = field(default_factory=Stats)


# -- max-throughput load in worker processes (when one client process would be the bottleneck) ---------
def _worker(host: str, accounts: list[tuple[str, str]], tag: str, calls: int, start_at: float) -> dict[str, Any]:
    async def main() -> dict[str, Any]:
        stats = Stats()
        pairs = await open_pairs(host, [Account(n, t) for n, t in accounts], tag, stats)
        await asyncio.sleep(max(0.0, start_at - time.time()))
        began, cpu = time.time(), time.process_time()
        await closed_loop(pairs, calls, stats, time.perf_counter() + PHASE_TIMEOUT)
        ended, cpu = time.time(), time.process_time() - cpu
        await close_all([d for pair in pairs for d in pair])
        return {"stats": stats, "began": began, "ended": ended, "cpu": cpu}

    return _run_loop(main())


def _run_loop(coro: Any) -> Any:
    try:
        import uvloop

        return uvloop.run(coro)
    except ImportError:
        return asyncio.run(coro)


# -- the benchmark -----------------------------------------------------------------------------------------
async def bench(host: str, cluster: Cluster, accounts: list[Account], args: argparse.Namespace) -> Results:
    pids, nodes = cluster.pids, cluster.node_pids
    results = Results(rss_start=rss_of(nodes))
    pair_accounts = accounts[: 2 * args.pairs]
    setup_stats = Stats()
    pairs = await open_pairs(host, pair_accounts, "call", setup_stats)
    devices = [d for pair in pairs for d in pair]

    async def measured(name: str, run: Any, stats: Stats) -> None:
        for device in devices:
            device.stats = stats  # callee devices record accept→answered into the running phase
        server0, client0 = cpu_of(pids), time.process_time()
        seconds = await run
        results.phases[name] = Phase(name, stats, seconds, cpu_since(pids, server0), time.process_time() - client0)

    deadline = time.perf_counter() + PHASE_TIMEOUT
    warm = Stats()
    await measured("warm-up", closed_loop(pairs, args.warmup, warm, deadline), warm)
    rate_stats = Stats()
    deadline = time.perf_counter() + PHASE_TIMEOUT
    await measured("open loop", open_loop(pairs, args.rate_calls, args.rate, rate_stats, deadline), rate_stats)

    if args.workers <= 1:
        max_stats = Stats()
        deadline = time.perf_counter() + PHASE_TIMEOUT
        await measured("max throughput", closed_loop(pairs, args.calls, max_stats, deadline), max_stats)
        await close_all(devices)
    else:
        await close_all(devices)
        results.phases["max throughput"] = await _max_in_workers(host, pids, pair_accounts, args)

    await asyncio.sleep(1.0)
    results.rss_before_idle = rss_of(nodes)
    idle_accounts = accounts[: args.idle]
    connections, tasks, took = await hold_idle(host, idle_accounts, args.ping_every, results.idle_stats)
    results.idle_connected, results.idle_connect_seconds = len(connections), took
    hold_until = time.perf_counter() + args.hold
    peak = rss_of(nodes)
    while time.perf_counter() < hold_until:
        await asyncio.sleep(1.0)
        peak = {name: max(peak[name], now) for name, now in rss_of(nodes).items()}
    results.rss_idle = peak
    await release_idle(connections, tasks)
    return results


async def _max_in_workers(host: str, pids: dict[str, int], accounts: list[Account], args: argparse.Namespace) -> Phase:
    loop = asyncio.get_running_loop()
    per = len(accounts) // args.workers // 2 * 2
    start_at = time.time() + 3.0 + len(accounts) / 500
    server0 = cpu_of(pids)
    with ProcessPoolExecutor(args.workers, mp_context=get_context("spawn")) as pool:
        futures = [
            loop.run_in_executor(
                pool,
                _worker,
                host,
                [(a.number, a.token) for a in accounts[i * per : (i + 1) * per]],
                f"w{i}",
                args.calls // args.workers,
                start_at,
            )
            for i in range(args.workers)
        ]
        outputs = await asyncio.wait_for(asyncio.gather(*futures), PHASE_TIMEOUT + 60)
    stats = Stats()
    for out in outputs:
        stats.merge(out["stats"])
    seconds = max(o["ended"] for o in outputs) - min(o["began"] for o in outputs)
    # The server's CPU over the whole pool lifetime includes connecting; scale to the measured window.
    return Phase("max throughput", stats, seconds, cpu_since(pids, server0), sum(o["cpu"] for o in outputs))


# -- reporting --------------------------------------------------------------------------------------------
def machine_facts() -> dict[str, str]:
    def sh(*command: str) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            return "?"

    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {"nproc": sh("nproc"), "free -g": sh("free", "-g"), "cpu": cpu, "python": platform.python_version()}


def cpu_figure(phase: Phase) -> tuple[str, str]:
    """("server / client", "98 % / 17 %") for one node; ("node1 / node2 / HAProxy / client", …) else."""
    names = list(phase.cpu)
    label = "server" if names == ["node1"] else " / ".join("HAProxy" if n == "haproxy" else n for n in names)
    value = " / ".join(f"{phase.load(n):.0f} %" for n in [*names, "client"])
    return f"{label} / client", f"{value} of one core"


def server_cpu(phase: Phase) -> str:
    """The server side's CPU alone (each node, HAProxy), for the open loop."""
    if list(phase.cpu) == ["node1"]:
        return f"{phase.load('node1'):.0f} % of one core"
    return ", ".join(f"{'HAProxy' if n == 'haproxy' else n} {phase.load(n):.0f} %" for n in phase.cpu) + " of one core"


def rss_figure(results: Results) -> str:
    """start / before idle / with idle, per node."""

    def one(name: str) -> str:
        return f"{results.rss_start[name]:.0f} / {results.rss_before_idle[name]:.0f} / {results.rss_idle[name]:.0f} MiB"

    names = list(results.rss_start)
    return one(names[0]) if len(names) == 1 else "; ".join(f"{n} {one(n)}" for n in names)


def rss_per_1000(results: Results) -> float:
    """What the idle subscribers added to the nodes' memory (all nodes together), per 1,000 subscribers."""
    delta = sum(results.rss_idle.values()) - sum(results.rss_before_idle.values())
    return delta / max(1, results.idle_connected) * 1000


def setups_target(args: argparse.Namespace) -> tuple[str, float]:
    """The throughput target: ≥ 500 setups/s for one node on PostgreSQL + Redis (the configuration of a
    cluster, issue 17), ≥ 300 per node otherwise."""
    if args.nodes == 1 and "postgres" in args.database_url and args.redis_url:
        return f"≥ {TARGET_SETUPS_ONE_CLUSTER_NODE:.0f} call setups/s on one node", TARGET_SETUPS_ONE_CLUSTER_NODE
    return f"≥ {TARGET_SETUPS:.0f} call setups/s per node", TARGET_SETUPS


def targets(results: Results, args: argparse.Namespace) -> list[tuple[str, bool]]:
    rate, top = results.phases["open loop"], results.phases["max throughput"]
    label, minimum = setups_target(args)
    return [
        (label, top.rate / args.nodes >= minimum),
        (
            f"p99 invite→ringing ≤ {TARGET_RINGING_P99_MS:.0f} ms at {args.rate:g} setups/s",
            pct(rate.stats.ringing, 99) <= TARGET_RINGING_P99_MS,
        ),
        (
            f"{args.idle:,} idle connected subscribers in one process under 1 GiB",
            results.idle_connected >= args.idle and max(results.rss_idle.values()) < TARGET_IDLE_RSS_MIB,
        ),
    ]


def report(results: Results, args: argparse.Namespace, backend: str) -> tuple[str, list[tuple[str, bool]]]:
    rate = results.phases["open loop"]
    top = results.phases["max throughput"]
    checks = targets(results, args)
    cpu_label, cpu_value = cpu_figure(top)
    rows = [
        ("backend", backend),
        (
            "max throughput: call setups/s",
            f"{top.rate:.0f}  ({top.stats.completed} calls in {top.seconds:.1f} s, "
            f"{args.pairs} concurrent caller/callee pairs, {top.stats.failed} failed)",
        ),
        (
            "max throughput: invite→ringing p50 / p99",
            f"{pct(top.stats.ringing, 50):.1f} / {pct(top.stats.ringing, 99):.1f} ms",
        ),
        (
            "max throughput: accept→answered p50 / p99",
            f"{pct(top.stats.answered, 50):.1f} / {pct(top.stats.answered, 99):.1f} ms",
        ),
        (f"max throughput: CPU {cpu_label}", cpu_value),
        (
            f"open loop {args.rate:g}/s: achieved",
            f"{rate.rate:.1f} setups/s ({rate.stats.completed} calls, {rate.stats.failed} failed, "
            f"start lag p99 {pct(rate.stats.lag, 99):.1f} ms)",
        ),
        (
            f"open loop {args.rate:g}/s: invite→ringing p50 / p99",
            f"{pct(rate.stats.ringing, 50):.1f} / {pct(rate.stats.ringing, 99):.1f} ms",
        ),
        (
            f"open loop {args.rate:g}/s: accept→answered p50 / p99",
            f"{pct(rate.stats.answered, 50):.1f} / {pct(rate.stats.answered, 99):.1f} ms",
        ),
        (
            f"open loop {args.rate:g}/s: invite→accepted p50 / p99",
            f"{pct(rate.stats.setup, 50):.1f} / {pct(rate.stats.setup, 99):.1f} ms",
        ),
        (
            f"open loop {args.rate:g}/s: hangup→ended p50 / p99",
            f"{pct(rate.stats.ended, 50):.1f} / {pct(rate.stats.ended, 99):.1f} ms",
        ),
        (f"open loop {args.rate:g}/s: CPU server", server_cpu(rate)),
        (
            "idle: subscribers connected",
            f"{results.idle_connected:,} of {args.idle:,} (connected in {results.idle_connect_seconds:.1f} s, "
            f"held {args.hold:g} s, ping every {args.ping_every:g} s)",
        ),
        ("server RSS: start / before idle / with idle", rss_figure(results)),
        ("server RSS per 1,000 idle subscribers", f"{rss_per_1000(results):.1f} MiB"),
    ]
    errors = Stats()
    for phase in results.phases.values():
        errors.merge(phase.stats)
    errors.merge(results.idle_stats)
    if errors.errors:
        rows.append(("errors", ", ".join(f"{k}={v}" for k, v in sorted(errors.errors.items()))))
    width = max(len(k) for k, _ in rows)
    lines = [f"{k.ljust(width)}  {v}" for k, v in rows]
    lines += [f"{'target'.ljust(width)}  {'MET' if ok else 'NOT MET'}: {name}" for name, ok in checks]
    table = "\n".join(lines)
    return table, checks


def markdown(
    results: Results, args: argparse.Namespace, backend: str, checks: list[tuple[str, bool]], command: str
) -> str:
    facts = machine_facts()
    rate = results.phases["open loop"]
    top = results.phases["max throughput"]
    cpu_label, cpu_value = cpu_figure(top)
    fmt = lambda v: f"{pct(v, 50):.1f} / {pct(v, 99):.1f}"  # noqa: E731
    lines = [
        f"### {backend}",
        "",
        f"* command: `{command}`",
        f"* date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"* machine: `nproc` = {facts['nproc']}, {facts['cpu']}, Python {facts['python']}; `free -g`:",
        "",
        "```",
        facts["free -g"],
        "```",
        "",
        "| figure | value |",
        "|---|---|",
        f"| call setups/s, max throughput ({args.pairs} concurrent pairs) | **{top.rate:.0f}** ({top.stats.completed} calls in {top.seconds:.1f} s, {top.stats.failed} failed) |",
        f"| invite→ringing p50 / p99 at max throughput | {fmt(top.stats.ringing)} ms |",
        f"| accept→answered p50 / p99 at max throughput | {fmt(top.stats.answered)} ms |",
        f"| CPU {cpu_label} at max throughput | {cpu_value} |",
        f"| open loop: offered / achieved | {args.rate:g} / {rate.rate:.1f} setups/s ({rate.stats.completed} calls, {rate.stats.failed} failed; start lag p99 {pct(rate.stats.lag, 99):.1f} ms) |",
        f"| invite→ringing p50 / p99 at {args.rate:g}/s | **{fmt(rate.stats.ringing)} ms** |",
        f"| accept→answered p50 / p99 at {args.rate:g}/s | **{fmt(rate.stats.answered)} ms** |",
        f"| invite→accepted p50 / p99 at {args.rate:g}/s | {fmt(rate.stats.setup)} ms |",
        f"| hangup→ended p50 / p99 at {args.rate:g}/s | {fmt(rate.stats.ended)} ms |",
        f"| server CPU at {args.rate:g}/s | {server_cpu(rate)} |",
        f"| idle subscribers connected | {results.idle_connected:,} of {args.idle:,} (in {results.idle_connect_seconds:.1f} s; held {args.hold:g} s) |",
        f"| server RSS at start / before idle / with idle | **{rss_figure(results)}** |",
        f"| server RSS per 1,000 idle subscribers | **{rss_per_1000(results):.1f} MiB** |",
        "",
        "| target | met? |",
        "|---|---|",
        *[f"| {name} | {'yes' if ok else '**no**'} |" for name, ok in checks],
        "",
    ]
    return "\n".join(lines)


def update_docs(section: str, backend_key: str, path: Path = DOCS) -> None:
    """Replace this configuration's generated block inside ``path`` (docs/performance.md; the rest is
    hand-written), or add it after the results anchor."""
    begin, end = f"<!-- bench-signaling:{backend_key}:begin -->", f"<!-- bench-signaling:{backend_key}:end -->"
    block = f"{begin}\n{section}{end}"
    text = path.read_text() if path.exists() else "# Performance\n\n## Signaling\n\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        anchor = "<!-- bench-signaling:results -->"
        text = text.replace(anchor, f"{anchor}\n\n{block}", 1) if anchor in text else text.rstrip() + f"\n\n{block}\n"
    path.write_text(text)


# -- main -------------------------------------------------------------------------------------------------
def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--calls", type=int, default=6000, help="calls in the max-throughput phase")
    p.add_argument("--rate", type=float, default=100.0, help="offered load of the open-loop phase (setups/s)")
    p.add_argument("--rate-calls", type=int, default=3000, help="calls in the open-loop phase")
    p.add_argument("--idle", type=int, default=10_000, help="idle connected subscribers")
    p.add_argument("--pairs", type=int, default=100, help="concurrent caller/callee pairs")
    p.add_argument("--warmup", type=int, default=300, help="calls before measuring")
    p.add_argument("--hold", type=float, default=30.0, help="seconds the idle subscribers stay connected")
    p.add_argument("--ping-every", type=float, default=20.0, help="idle clients' ping interval (s)")
    p.add_argument("--workers", type=int, default=1, help="client processes for the max-throughput phase")
    p.add_argument("--database-url", default="", help="default: a fresh SQLite file in a temporary directory")
    p.add_argument("--redis-url", default="", help="run the server with Redis presence and bus")
    p.add_argument(
        "--nodes", type=int, default=1, choices=(1, 2), help="serving nodes (2: with --haproxy, PostgreSQL and Redis)"
    )
    p.add_argument(
        "--haproxy",
        action="store_true",
        help="HAProxy (deploy/haproxy/haproxy.cfg) in front; clients connect through it",
    )
    p.add_argument("--quick", action="store_true", help="a small run for smoke testing (< 30 s); docs untouched")
    p.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    p.add_argument(
        "--docs", type=Path, default=None, metavar="FILE", help="write the results into FILE (even with --quick)"
    )
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (server log, SQLite file)")
    args = p.parse_args(argv)
    if args.quick:
        args.calls, args.rate_calls, args.idle, args.pairs = (
            min(args.calls, 300),
            min(args.rate_calls, 100),
            min(args.idle, 200),
            min(args.pairs, 10),
        )
        args.warmup, args.hold, args.no_docs = min(args.warmup, 20), min(args.hold, 2.0), True
    for name in ("calls", "rate_calls", "idle", "pairs"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.rate <= 0:
        p.error("--rate must be positive")
    if args.nodes > 1:
        if not args.haproxy:
            p.error("--nodes 2 needs --haproxy (the clients reach the nodes through it)")
        if "postgres" not in args.database_url or not args.redis_url:
            p.error("--nodes 2 needs a shared PostgreSQL --database-url and a --redis-url")
    if args.docs is not None:
        args.no_docs = False
    return args


def describe(args: argparse.Namespace, database_url: str) -> tuple[str, str]:
    """The configuration's title in the report and its key in docs/performance.md."""
    backend = "PostgreSQL" if "postgres" in database_url else "SQLite"
    backend += " + Redis" if args.redis_url else ""
    key = "postgresql" if backend.startswith("PostgreSQL") else "sqlite"
    if args.haproxy:
        backend += f", through HAProxy, {args.nodes} node{'s' if args.nodes > 1 else ''}"
        key += f"-haproxy-{args.nodes}"
    return backend, key


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    command = " ".join(["python bench/signaling/run.py", *(argv if argv is not None else sys.argv[1:])])
    fd_limit = raise_fd_limit()  # before the server is spawned: it inherits the limit
    # HAProxy holds two descriptors per connection (the client's and the node's).
    needed = (args.idle + 2 * args.pairs) * (2 if args.haproxy else 1) + 100
    if needed > fd_limit:
        print(f"fd limit {fd_limit} is too low for {args.idle} idle subscribers", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="vp-bench-signaling-"))
    database_url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'var' / 'videophone.sqlite3'}"
    backend, key = describe(args, database_url)
    data_key = base64.b64encode(os.urandom(32)).decode()
    env = {
        "VIDEOPHONE_DEMO": "false",
        "VIDEOPHONE_SECRET_KEY": secrets.token_urlsafe(48),
        "VIDEOPHONE_GATEWAY_SECRET": secrets.token_urlsafe(48),
        "VIDEOPHONE_DATA_KEY": data_key,
        "VIDEOPHONE_DATABASE_URL": database_url,
        "VIDEOPHONE_REDIS_URL": args.redis_url,
        "VIDEOPHONE_LOG_JSON": "false",
    }
    run_tag = secrets.randbelow(100_000)
    started = time.perf_counter()
    print(f"bench/signaling: {backend}, workdir {workdir}", flush=True)
    try:
        cluster = start_cluster(workdir, env, args.nodes, args.haproxy)
    except ClusterError as exc:
        print(f"bench/signaling: {exc} (logs in {workdir})", file=sys.stderr)
        return 1
    try:
        count = max(args.idle, 2 * args.pairs)
        t0 = time.perf_counter()
        subscribers = asyncio.run(seed(database_url, data_key, count, run_tag))
        pids = ", ".join(f"{name} {pid}" for name, pid in cluster.pids.items())
        print(
            f"seeded {count} subscribers + tokens in {time.perf_counter() - t0:.1f} s; pids: {pids}; "
            f"clients connect to {cluster.host}",
            flush=True,
        )
        accounts = [Account(s.number, s.token) for s in subscribers]
        results: Results = _run_loop(
            asyncio.wait_for(bench(cluster.host, cluster, accounts, args), 3 * PHASE_TIMEOUT + 300)
        )
    finally:
        cluster.stop()
        if args.database_url:
            asyncio.run(cleanup(database_url, run_tag))
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    table, checks = report(results, args, backend)
    print(f"\n== signaling benchmark ({time.perf_counter() - started:.0f} s) ==")
    print(table, flush=True)
    if not args.no_docs:
        docs = args.docs or DOCS
        update_docs(markdown(results, args, backend, checks, command), key, docs)
        print(f"\nwrote {docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

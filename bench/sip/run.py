"""SIP benchmark (issue 16): UDP phones through the real Kamailio edge, the service's gateway and rtpengine.

    .venv/bin/python bench/sip/run.py              # SQLite, 5,000 phones (~3 min), updates docs/performance.md
    .venv/bin/python bench/sip/run.py --quick      # smoke run (< 60 s), docs untouched
    .venv/bin/python bench/sip/run.py --database-url 'postgresql+asyncpg://postgres@/bench?host=/var/run/postgresql' \\
        --redis-url 'unix:///var/run/redis/redis-server.sock?db=13'

Everything runs in a fresh network namespace that has only ``lo`` (``ip netns add``; needs root): this
process joins it before it starts anything, so ``videophone serve`` (with its SIP gateway), Kamailio,
rtpengine and the phones (bench/sip/client.py, in this process) see nothing but loopback.  A database or
Redis outside the namespace is reached through its Unix socket.

Phases (every loop bounded in count and time):

1. register — ``--phones`` phones REGISTER (401, digest, 200), ``--register-concurrency`` at a time:
   registrations/s; they stay registered (expires 3600 s) for the rest of the run;
2. open loop — a call starts every 1/``--rate`` s on a free caller/callee pair: INVITE, 407, INVITE
   with credentials, 180 and 200 from the gateway (the callee phone answered the gateway's INVITE with
   180 and 200), ACK, ``--hold`` s, BYE (and the callee's BYE from the gateway): p50/p99 of INVITE → 180;
3. max throughput — ``--pairs`` pairs call back to back (``--calls`` calls): call setups/s;
4. the registered phones: memory (PSS) of the service, Kamailio (all its processes) and rtpengine.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import ctypes
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.server import RunningApp, start_app  # noqa: E402

from bench.signaling.run import cpu_seconds, raise_fd_limit  # noqa: E402
from bench.sip.client import (  # noqa: E402
    Phone,
    Stats,
    closed_loop,
    open_endpoints,
    open_loop,
    register_all,
)
from bench.sip.report import Phase, Results, markdown, report, update_docs  # noqa: E402
from bench.sip.seed import cleanup, new_password, seed  # noqa: E402
from videophone.adapters.rtpengine_config import MediaConfig  # noqa: E402
from videophone.adapters.rtpengine_config import command as media_command  # noqa: E402
from videophone.adapters.rtpengine_config import render as render_media  # noqa: E402
from videophone.adapters.sip_edge import EdgeConfig, command, render, wait_answering  # noqa: E402

PHASE_TIMEOUT = 300.0  # no phase runs longer than this, whatever the arguments
DOMAIN = "videophone.bench"
SIP_PORT = 5060
GATEWAY = ("127.0.0.1", 5070)
MEDIA_NG = ("127.0.0.1", 2223)
CLONE_NEWNET = 0x40000000


# -- the namespace and the processes ----------------------------------------------------------------------
def create_netns() -> str:
    name = "vp-bench-sip-" + secrets.token_hex(3)
    subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True, timeout=30)
    subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], check=True, timeout=30)
    return name


def join_netns(name: str) -> None:
    """This thread (the main one, before any other exists) into the namespace: its children follow."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns")
    finally:
        os.close(fd)


def tree_pids(pid: int) -> list[int]:
    """``pid`` and all its descendants (Kamailio forks its workers)."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    return out


def pss_mib(pid: int) -> float:
    """Proportional set size: the RSS with each shared page split among the processes sharing it (Kamailio's
    workers all map its shared memory, so summing their RSS would count it once per worker)."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no Pss")


def tree_pss(pid: int) -> float:
    total = 0.0
    for p in tree_pids(pid):
        try:
            total += pss_mib(p)
        except (OSError, RuntimeError):
            continue
    return total


def tree_cpu(pid: int) -> float:
    total = 0.0
    for p in tree_pids(pid):
        try:
            total += cpu_seconds(p)
        except OSError:
            continue
    return total


def udp_errors() -> dict[str, int]:
    """The namespace's UDP counters (``/proc/net/snmp``, read by this thread, which is in it): datagrams
    dropped because a receive buffer was full, and all receive errors."""
    lines = [
        line.split() for line in Path("/proc/thread-self/net/snmp").read_text().splitlines() if line.startswith("Udp:")
    ]
    values = dict(zip(lines[0][1:], (int(v) for v in lines[1][1:]), strict=True))
    return {"InErrors": values.get("InErrors", 0), "RcvbufErrors": values.get("RcvbufErrors", 0)}


@dataclass
class Stack:
    app: RunningApp
    edge: subprocess.Popen[bytes]
    media: subprocess.Popen[bytes]
    logs: list[Any] = field(default_factory=list)

    def pids(self) -> dict[str, int]:
        assert self.app.process is not None
        return {"service": self.app.process.pid, "kamailio": self.edge.pid, "rtpengine": self.media.pid}

    def cpu(self) -> dict[str, float]:
        return {name: tree_cpu(pid) for name, pid in self.pids().items()}

    def rss(self) -> dict[str, float]:
        return {name: tree_pss(pid) for name, pid in self.pids().items()}

    def stop(self) -> None:
        for process in (self.edge, self.media):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.app.stop()
        for log in self.logs:
            log.close()


def start_stack(workdir: Path, env: dict[str, str], children: int) -> Stack:
    logs = []
    conf = render_media(MediaConfig(listen_ng=MEDIA_NG, port_min=30000, port_max=39999), workdir / "media")
    logs.append(open(workdir / "rtpengine.log", "wb"))  # noqa: SIM115 - closed by Stack.stop
    media = subprocess.Popen(media_command(conf), stdout=logs[-1], stderr=subprocess.STDOUT)
    app = start_app(workdir, demo=False, extra_env=env)
    config = EdgeConfig(
        "127.0.0.1",
        SIP_PORT,
        DOMAIN,
        app.base_url,
        env["VIDEOPHONE_SIP_EDGE_SECRET"],
        children=children,
        gateway=GATEWAY,
    )
    cfg = render(config, workdir / "edge")
    logs.append(open(workdir / "kamailio.log", "wb"))  # noqa: SIM115 - closed by Stack.stop
    edge = subprocess.Popen(command(cfg), stdout=logs[-1], stderr=subprocess.STDOUT)
    stack = Stack(app, edge, media, logs)
    try:
        wait_answering(("127.0.0.1", SIP_PORT))
    except Exception:
        stack.stop()
        raise
    return stack


# -- the benchmark -----------------------------------------------------------------------------------------
async def bench(stack: Stack, phones_seeded: list[Any], password: str, args: argparse.Namespace) -> Results:
    results = Results(rss_start=stack.rss())
    endpoints = await open_endpoints(("127.0.0.1", SIP_PORT), args.sockets)
    phones = [
        Phone(endpoints[i % len(endpoints)], p.auth_user, p.number, password, DOMAIN)
        for i, p in enumerate(phones_seeded)
    ]

    def sent_again() -> dict[str, int]:
        total: dict[str, int] = {}
        for endpoint in endpoints:
            for method, count in endpoint.retransmitted.items():
                total[method] = total.get(method, 0) + count
        return total

    async def measured(name: str, run: Any, stats: Stats) -> None:
        cpu0, client0, again0 = stack.cpu(), time.process_time(), sent_again()
        seconds = await run
        cpu1, again1 = stack.cpu(), sent_again()
        results.phases[name] = Phase(
            name,
            stats,
            seconds,
            {k: cpu1[k] - cpu0[k] for k in cpu0},
            time.process_time() - client0,
            {k: v - again0.get(k, 0) for k, v in again1.items() if v > again0.get(k, 0)},
        )

    reg = Stats()
    await measured("register", register_all(phones, args.register_concurrency, reg, _deadline()), reg)
    results.registered = reg.completed
    pairs_all = [(phones[2 * i], phones[2 * i + 1]) for i in range(len(phones) // 2)]
    open_pairs = pairs_all[: args.open_pairs]
    warm = Stats()
    await measured("warm-up", closed_loop(pairs_all[: args.pairs], args.warmup, warm, _deadline()), warm)
    rate = Stats()
    await measured("open loop", open_loop(open_pairs, args.rate_calls, args.rate, args.hold, rate, _deadline()), rate)
    top = Stats()
    await measured("max throughput", closed_loop(pairs_all[: args.pairs], args.calls, top, _deadline()), top)
    await asyncio.sleep(1.0)
    results.rss_registered = stack.rss()
    results.bad_datagrams = sum(e.bad for e in endpoints)
    for endpoint in endpoints:
        for key, count in endpoint.failures.items():
            results.client_failures[key] = results.client_failures.get(key, 0) + count
    results.udp_errors = udp_errors()
    for endpoint in endpoints:
        endpoint.close()
    return results


def _terminated(signum: int, frame: object) -> None:
    raise SystemExit(f"bench/sip: terminated by signal {signum}")


def _deadline() -> float:
    return time.perf_counter() + PHASE_TIMEOUT


# -- main -------------------------------------------------------------------------------------------------
def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--phones", type=int, default=5000, help="SIP phones registered (and held registered)")
    p.add_argument("--register-concurrency", type=int, default=16, help="REGISTERs in flight at once")
    p.add_argument("--rate", type=float, default=50.0, help="offered load of the open-loop phase (setups/s)")
    p.add_argument("--rate-calls", type=int, default=1500, help="calls in the open-loop phase")
    p.add_argument("--hold", type=float, default=1.0, help="seconds an open-loop call lasts before its BYE")
    p.add_argument("--open-pairs", type=int, default=200, help="caller/callee pairs the open loop draws from")
    p.add_argument("--calls", type=int, default=3000, help="calls in the max-throughput phase")
    p.add_argument("--pairs", type=int, default=16, help="concurrent caller/callee pairs at max throughput")
    p.add_argument("--warmup", type=int, default=100, help="calls before measuring")
    p.add_argument("--sockets", type=int, default=4, help="UDP sockets the phones share")
    p.add_argument("--edge-children", type=int, default=8, help="Kamailio's UDP (and TCP) worker processes")
    p.add_argument("--database-url", default="", help="default: a fresh SQLite file in a temporary directory")
    p.add_argument("--redis-url", default="", help="run the server with Redis presence and bus")
    p.add_argument("--quick", action="store_true", help="a small run for smoke testing (< 60 s); docs untouched")
    p.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, SQLite file)")
    args = p.parse_args(argv)
    if args.quick:
        args.phones, args.rate_calls, args.calls, args.pairs = (
            min(args.phones, 200),
            min(args.rate_calls, 100),
            min(args.calls, 200),
            min(args.pairs, 8),
        )
        args.warmup, args.hold, args.no_docs = min(args.warmup, 10), min(args.hold, 0.2), True
    for name in ("phones", "rate_calls", "calls", "pairs", "sockets", "open_pairs", "register_concurrency"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.rate <= 0 or args.hold < 0 or args.warmup < 0:
        p.error("--rate must be positive, --hold and --warmup not negative")
    if args.phones < 2 * max(args.pairs, min(args.open_pairs, args.phones // 2)):
        p.error("--phones must be at least twice --pairs")
    args.open_pairs = min(args.open_pairs, args.phones // 2)
    return args


def logged_trouble(workdir: Path, last: int = 60) -> str:
    """The warnings and errors the service and Kamailio logged: the first clue when calls failed."""
    lines: list[str] = []
    for log in [*sorted(workdir.glob("serve-*.log")), workdir / "kamailio.log"]:
        if log.exists():
            text = log.read_text(errors="replace").splitlines()
            lines += [f"{log.name}: {line[:300]}" for line in text if re.search(r"warning|error|ERROR|WARN", line)]
    return "\n".join(lines[-last:])


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    command_line = " ".join(["python bench/sip/run.py", *(argv if argv is not None else sys.argv[1:])])
    for tool in ("kamailio", "rtpengine", "ip"):
        if shutil.which(tool) is None:
            print(f"bench/sip: `{tool}` is not installed", file=sys.stderr)
            return 2
    raise_fd_limit()
    workdir = Path(tempfile.mkdtemp(prefix="vp-bench-sip-"))
    database_url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'var' / 'videophone.sqlite3'}"
    backend = "PostgreSQL" if "postgres" in database_url else "SQLite"
    backend += " + Redis" if args.redis_url else ""
    data_key = base64.b64encode(os.urandom(32)).decode()
    edge_secret = secrets.token_urlsafe(32).replace("-", "x").replace("_", "y")
    env = {
        "VIDEOPHONE_DEMO": "false",
        "VIDEOPHONE_SECRET_KEY": secrets.token_urlsafe(48),
        "VIDEOPHONE_GATEWAY_SECRET": secrets.token_urlsafe(48),
        "VIDEOPHONE_DATA_KEY": data_key,
        "VIDEOPHONE_DATABASE_URL": database_url,
        "VIDEOPHONE_REDIS_URL": args.redis_url,
        "VIDEOPHONE_LOG_JSON": "false",
        "VIDEOPHONE_SIP_EDGE_SECRET": edge_secret,
        "VIDEOPHONE_SIP_REGISTRAR": f"127.0.0.1:{SIP_PORT}",
        "VIDEOPHONE_SIP_DOMAIN": DOMAIN,
        "VIDEOPHONE_SIP_GATEWAY_LISTEN": f"{GATEWAY[0]}:{GATEWAY[1]}",
        "VIDEOPHONE_SIP_MEDIA_NG": f"{MEDIA_NG[0]}:{MEDIA_NG[1]}",
        "VIDEOPHONE_SIP_MEDIA_PORTS": "30000-39999",
    }
    run_tag = secrets.randbelow(100_000)
    password = new_password()
    started = time.perf_counter()
    netns = create_netns()
    print(f"bench/sip: {backend}, namespace {netns}, workdir {workdir}", flush=True)
    stack: Stack | None = None
    results: Results | None = None
    trouble = ""
    signal.signal(signal.SIGTERM, _terminated)  # a killed run still stops what it started
    try:
        join_netns(netns)
        load_before = os.getloadavg()
        stack = start_stack(workdir, env, args.edge_children)
        t0 = time.perf_counter()
        seeded = asyncio.run(seed(database_url, data_key, args.phones, run_tag, DOMAIN, password))
        print(f"seeded {len(seeded)} subscribers with SIP credentials in {time.perf_counter() - t0:.1f} s", flush=True)
        # The standard event loop, not uvloop: with uvloop a phone socket sometimes stopped reading
        # mid-run (no exception, no error: tcpdump showed datagrams arriving and never read), and every
        # phone on it went deaf for the rest of the phase.
        results = asyncio.run(asyncio.wait_for(bench(stack, seeded, password, args), 4 * PHASE_TIMEOUT + 300))
        results.load = (load_before, os.getloadavg())
    finally:
        if stack is not None:
            stack.stop()
        if results is None or any(phase.stats.failed for phase in results.phases.values()):
            trouble = logged_trouble(workdir)
        subprocess.run(["ip", "netns", "del", netns], capture_output=True, timeout=30)
        if args.database_url:
            asyncio.run(cleanup(database_url, run_tag))
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    table, checks = report(results, args, backend)
    print(f"\n== SIP benchmark ({time.perf_counter() - started:.0f} s) ==")
    print(table, flush=True)
    if trouble:
        print(f"\n== what the service and the edge logged of trouble (last lines) ==\n{trouble}", flush=True)
    if not args.no_docs:
        key = "postgresql" if backend.startswith("PostgreSQL") else "sqlite"
        update_docs(markdown(results, args, backend, checks, command_line), key)
        print("\nwrote docs/performance.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())

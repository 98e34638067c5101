"""The processes the signaling benchmark measures: one or two ``videophone serve`` nodes, started with the
command line of deploy/systemd/videophone.service, optionally behind HAProxy run from
deploy/haproxy/haproxy.cfg (the clients then connect through it).  Loopback only; every wait is bounded.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.server import free_port, unit_command

ROOT = Path(__file__).resolve().parents[2]
HAPROXY_CFG = ROOT / "deploy" / "haproxy" / "haproxy.cfg"
READY_TIMEOUT = 90.0  # a node migrates the database on its first start
STOP_TIMEOUT = 15.0


class ClusterError(RuntimeError):
    pass


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise ClusterError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_ready(url: str, process: subprocess.Popen[bytes], what: str, timeout: float = READY_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ClusterError(f"{what} exited with {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise ClusterError(f"{what}: {url} not ready in {timeout:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def haproxy_config(nodes: int) -> str:
    """deploy/haproxy/haproxy.cfg with the ``server`` lines of the nodes that run (node1 … node<n>)."""
    text = HAPROXY_CFG.read_text()
    servers = re.findall(r"^\s*server\s+node(\d+)\s", text, flags=re.M)
    if nodes > len(servers):
        raise ClusterError(f"{HAPROXY_CFG} names {len(servers)} nodes, {nodes} asked for")
    kept = [
        line
        for line in text.splitlines()
        if not (m := re.match(r"^\s*server\s+node(\d+)\s", line)) or int(m.group(1)) <= nodes
    ]
    return "\n".join(kept) + "\n"


@dataclass
class Cluster:
    """Running nodes (``name → process``), HAProxy if asked for, and where the clients connect."""

    workdir: Path
    host: str  # host:port the clients connect to (HAProxy's, or the only node's)
    nodes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    haproxy: subprocess.Popen[bytes] | None = None

    @property
    def pids(self) -> dict[str, int]:
        """Every measured process by name: the nodes, then ``haproxy``."""
        pids = {name: p.pid for name, p in self.nodes.items()}
        if self.haproxy is not None:
            pids["haproxy"] = self.haproxy.pid
        return pids

    @property
    def node_pids(self) -> dict[str, int]:
        return {name: p.pid for name, p in self.nodes.items()}

    def stop(self) -> None:
        if self.haproxy is not None:
            _stop(self.haproxy)
        for process in self.nodes.values():
            _stop(process)


def start(workdir: Path, env: dict[str, str], nodes: int, haproxy: bool) -> Cluster:
    """Start ``nodes`` serving nodes (each its own ``VIDEOPHONE_NODE_ID``), wait until each is ready
    (``/readyz``: database migrated, Redis reachable), then HAProxy in front if asked for."""
    full_env = {**os.environ, "VIDEOPHONE_DATA_DIR": str(workdir / "var"), **env}
    cluster = Cluster(workdir, "")
    try:
        ports: dict[str, int] = {}
        for i in range(1, nodes + 1):
            name, port = f"node{i}", free_port()
            log = open(workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
            cluster.nodes[name] = subprocess.Popen(
                unit_command(port),
                cwd=workdir,
                env={**full_env, "VIDEOPHONE_NODE_ID": name},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            ports[name] = port
            # One after the other: the first start migrates, the next ones find the schema at head.
            wait_ready(f"http://127.0.0.1:{port}/readyz", cluster.nodes[name], name)
        if not haproxy:
            cluster.host = f"127.0.0.1:{ports['node1']}"
            return cluster
        binary = shutil.which("haproxy")
        if binary is None:
            raise ClusterError("haproxy is not installed (apt-get install haproxy)")
        config = workdir / "haproxy.cfg"
        config.write_text(haproxy_config(nodes))
        lb_port = free_port()
        lb_env = {
            **os.environ,
            "VP_LB_BIND": f"127.0.0.1:{lb_port}",
            **{f"VP_NODE{i}": f"127.0.0.1:{ports[f'node{i}']}" for i in range(1, nodes + 1)},
        }
        check = subprocess.run([binary, "-c", "-f", str(config)], env=lb_env, capture_output=True, timeout=30)
        if check.returncode != 0:
            raise ClusterError(f"haproxy -c: {check.stderr.decode(errors='replace')[-2000:]}")
        cluster.haproxy = subprocess.Popen(
            [binary, "-db", "-f", str(config)],
            env=lb_env,
            stdout=open(workdir / "haproxy.log", "wb"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
        )
        cluster.host = f"127.0.0.1:{lb_port}"
        wait_ready(f"http://{cluster.host}/readyz", cluster.haproxy, "haproxy", timeout=30)
        # Each server is up from the start (the nodes were ready before); two check intervals to be sure.
        time.sleep(2.5)
        return cluster
    except BaseException:
        cluster.stop()
        raise

"""The cluster as an operator runs it (issue 17): HAProxy (deploy/haproxy/haproxy.cfg) in front of two
serving nodes started as their systemd unit starts them (deploy/systemd/videophone.service), on
PostgreSQL + Redis.  Subscribers connect through HAProxy and call; one node is killed with SIGKILL; every
call whose device was on it goes on — the device reconnects through HAProxy, the other node takes the
call over (ADR 0013) and its hang-up still works —, each record ends once with its duration, and the
killed node, started again, is ready again behind the balancer."""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as redis_asyncio

from tests.conftest import PG_URL, _create_pg_database, _drop_pg_database
from tests.integration.test_cluster import ANSWER, OFFER, my_call, subscriber_token
from tests.support.live import Device
from tests.support.server import free_port, unit_command

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("VIDEOPHONE_TEST_REDIS_URL", "")
HAPROXY = shutil.which("haproxy")

# Jobs whose interval (jobs/scheduler.py) is an hour or more: once in this test, whatever the nodes do.
SLOW_JOBS = {"purge-expired-sessions", "late-fees", "arrears", "inactivity", "lawful-expiry", "monthly-bill-run"}

pytestmark = pytest.mark.skipif(HAPROXY is None, reason="haproxy is not installed (apt-get install haproxy)")


@dataclass
class Node:
    name: str
    port: int
    workdir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = open(self.workdir / f"{self.name}.log", "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            unit_command(self.port), cwd=self.workdir, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


@dataclass
class Cluster:
    nodes: list[Node]
    lb: str  # host:port of HAProxy
    haproxy: subprocess.Popen[bytes]
    env: dict[str, str]


def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} not ready in {timeout} s")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if not PG_URL or not REDIS_URL:
        pytest.skip("the cluster test needs VIDEOPHONE_TEST_POSTGRES_URL and VIDEOPHONE_TEST_REDIS_URL (CI sets both)")
    url = asyncio.run(_create_pg_database(PG_URL))
    redis_url = REDIS_URL.rsplit("/", 1)[0] + "/7"  # its own database: the presence keys are read below

    async def flush() -> None:
        client = redis_asyncio.from_url(redis_url)
        await client.flushdb()
        await client.aclose()

    asyncio.run(flush())
    workdir = tmp_path_factory.mktemp("haproxy-cluster")
    env = {
        **os.environ,
        "VIDEOPHONE_DEMO": "false",
        "VIDEOPHONE_DATABASE_URL": url,
        "VIDEOPHONE_REDIS_URL": redis_url,
        "VIDEOPHONE_SECRET_KEY": "haproxy-cluster-secret-" + "x" * 32,
        "VIDEOPHONE_GATEWAY_SECRET": "haproxy-gateway-secret-" + "x" * 32,
        "VIDEOPHONE_DATA_KEY": base64.b64encode(b"h" * 32).decode(),
        "VIDEOPHONE_NODE_STALE_SECONDS": "3",
        "VIDEOPHONE_SWEEP_SECONDS": "1",
        "VIDEOPHONE_DATA_DIR": str(workdir / "var"),
    }
    nodes = [Node(f"node{i}", free_port(), workdir, {**env, "VIDEOPHONE_NODE_ID": f"node{i}"}) for i in (1, 2)]
    lb_port = free_port()
    haproxy: subprocess.Popen[bytes] | None = None
    try:
        for node in nodes:
            node.start()
            wait_ready(f"http://127.0.0.1:{node.port}/readyz")
        lb_env = {
            **os.environ,
            "VP_LB_BIND": f"127.0.0.1:{lb_port}",
            "VP_NODE1": f"127.0.0.1:{nodes[0].port}",
            "VP_NODE2": f"127.0.0.1:{nodes[1].port}",
        }
        assert HAPROXY is not None
        haproxy = subprocess.Popen(
            [HAPROXY, "-db", "-f", str(ROOT / "deploy" / "haproxy" / "haproxy.cfg")],
            env=lb_env,
            stdout=open(workdir / "haproxy.log", "wb"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
        )
        wait_ready(f"http://127.0.0.1:{lb_port}/readyz")
        yield Cluster(nodes, f"127.0.0.1:{lb_port}", haproxy, env)
    finally:
        if haproxy is not None and haproxy.poll() is None:
            haproxy.terminate()
            haproxy.wait(timeout=10)
        for node in nodes:
            node.stop()
        asyncio.run(_drop_pg_database(PG_URL, url))


async def node_of(redis_url: str, device_id: str) -> str:
    """Which node a device is connected to (its presence entry in Redis: ``node|expiry``)."""
    client = redis_asyncio.from_url(redis_url)
    try:
        async for key in client.scan_iter("vp:presence:*"):
            value = await client.hget(key, device_id)
            if value is not None:
                return str(value.decode().split("|", 1)[0])
    finally:
        await client.aclose()
    raise AssertionError(f"no presence for {device_id}")


async def reconnect(lb: str, token: str, device_id: str, within: float = 20) -> Device:
    """The client's reconnection: through the balancer, until a live node answers."""
    deadline = time.monotonic() + within
    while True:
        try:
            return await Device.open(lb, token, device_id)
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def answered_calls(lb: str, count: int) -> list[dict[str, Any]]:
    """``count`` answered calls between new subscribers, every device connected through the balancer."""
    base = f"http://{lb}"
    calls: list[dict[str, Any]] = []
    for _ in range(count):
        _, a_token = await subscriber_token(base)
        b_number, b_token = await subscriber_token(base)
        a = await Device.open(lb, a_token, f"a-{uuid.uuid4().hex[:8]}")
        b = await Device.open(lb, b_token, f"b-{uuid.uuid4().hex[:8]}")
        call_id = str(uuid.uuid4())
        await a.send({"type": "invite", "call_id": call_id, "to": b_number, "sdp": OFFER})
        await b.expect("incoming", within=10)
        await a.expect("ringing", within=10)
        await b.send({"type": "accept", "call_id": call_id, "sdp": ANSWER})
        await b.expect("answered", within=10)
        await a.expect("accepted", within=10)
        calls.append(
            {"id": call_id, "a": a, "b": b, "a_token": a_token, "b_token": b_token, "answered": time.monotonic()}
        )
    return calls


async def hang_up_and_check(base: str, calls: list[dict[str, Any]]) -> None:
    """Each caller hangs up; both sides hear it, and each record is the hang-up of an answered call
    billed for the time talked (±1.5 s).  The devices are closed."""
    for call in calls:
        await call["a"].send({"type": "hangup", "call_id": call["id"]})
        call["talked"] = time.monotonic() - call["answered"]
        for side in ("a", "b"):
            ended = await _next(call[side], "ended", within=10)
            assert (ended["call_id"], ended["reason"], ended["outcome"]) == (call["id"], "hangup", "answered")
    for call in calls:
        record = await my_call(base, call["a_token"], call["id"])
        assert (record["outcome"], record["end_reason"]) == ("answered", "hangup"), record
        assert abs(record["billable_seconds"] - call["talked"]) <= 1.5, (record, call["talked"])
        for side in ("a", "b"):
            await call[side].close()


async def test_calls_go_on_through_the_balancer_when_a_node_is_killed(cluster: Cluster) -> None:
    base = f"http://{cluster.lb}"
    calls = await answered_calls(cluster.lb, 4)  # spread over the two nodes by the balancer (leastconn)
    redis_url = cluster.env["VIDEOPHONE_REDIS_URL"]
    for call in calls:
        call["a_node"] = await node_of(redis_url, call["a"].device_id)
        call["b_node"] = await node_of(redis_url, call["b"].device_id)
    assert {c["a_node"] for c in calls} | {c["b_node"] for c in calls} == {"node1", "node2"}

    cluster.nodes[0].kill()  # SIGKILL: no goodbye, no ended calls
    # Every device that was on node1 reconnects through the balancer (to node2, the one alive).
    for call in calls:
        for side in ("a", "b"):
            if call[f"{side}_node"] == "node1":
                device: Device = call[side]
                call[side] = await reconnect(cluster.lb, call[f"{side}_token"], device.device_id)
    # Node2 takes the calls over; each one's signaling works: the caller hangs up, both hear it.
    await asyncio.sleep(5)  # stale after 3 s, swept every second
    await hang_up_and_check(base, calls)

    # The killed node, started again (as systemd's Restart= would), is ready and back behind the balancer.
    cluster.nodes[0].start()
    wait_ready(f"http://127.0.0.1:{cluster.nodes[0].port}/readyz")
    # No job ran twice: the hourly and daily jobs ran once in the whole cluster, the restart included.
    runs: dict[str, int] = {}
    for node in cluster.nodes:
        for line in (node.workdir / f"{node.name}.log").read_text(errors="replace").splitlines():
            if "job done job=" in line:
                name = line.split("job done job=", 1)[1].split()[0]
                runs[name] = runs.get(name, 0) + 1
    slow = {name: n for name, n in runs.items() if name in SLOW_JOBS}
    assert slow and all(n == 1 for n in slow.values()), runs


async def _next(device: Device, kind: str, within: float) -> dict[str, Any]:
    """The next message of ``kind``, skipping what a takeover says on the way (peer reconnecting …)."""
    deadline = time.monotonic() + within
    while True:
        message = await device.recv(max(0.1, deadline - time.monotonic()))
        if message["type"] == kind:
            return message


async def test_a_rolling_restart_keeps_the_calls_in_progress(cluster: Cluster) -> None:
    """Upgrade with zero downtime: each node in turn is stopped (SIGTERM, as `systemctl restart` does)
    and started again; its answered calls are handed over (ADR 0013) and go on, their hang-up works."""
    base = f"http://{cluster.lb}"
    for node in cluster.nodes:
        wait_ready(f"http://127.0.0.1:{node.port}/readyz")
    await asyncio.sleep(2.5)  # the balancer's checks see both nodes up again
    calls = await answered_calls(cluster.lb, 4)
    redis_url = cluster.env["VIDEOPHONE_REDIS_URL"]
    for node in cluster.nodes:  # one node after the other
        for call in calls:
            for side in ("a", "b"):
                call[f"{side}_node"] = await node_of(redis_url, call[side].device_id)
        node.stop()  # SIGTERM: a graceful stop
        for call in calls:
            for side in ("a", "b"):
                if call[f"{side}_node"] == node.name:
                    call[side] = await reconnect(cluster.lb, call[f"{side}_token"], call[side].device_id)
        node.start()
        wait_ready(f"http://127.0.0.1:{node.port}/readyz")
        await asyncio.sleep(2.5)
    await hang_up_and_check(base, calls)

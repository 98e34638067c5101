"""The signaling benchmark runs end to end (`bench/signaling/run.py --quick`) and prints its figures:
on SQLite against one node, and through HAProxy against two nodes sharing PostgreSQL and Redis.

No timing is asserted: benchmarks print figures, tests never assert timings.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_URL, _create_pg_database, _drop_pg_database

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "performance.md"
REDIS_URL = os.environ.get("VIDEOPHONE_TEST_REDIS_URL", "")
FIGURES = (
    "max throughput: call setups/s",
    "invite→ringing p50 / p99",
    "accept→answered p50 / p99",
    "server RSS per 1,000 idle subscribers",
    "idle: subscribers connected",
)


def run_bench(*args: str, timeout: float) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "signaling" / "run.py"), "--quick", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_signaling_bench_quick_run_prints_the_figures() -> None:
    before = DOCS.read_text() if DOCS.exists() else None
    out = run_bench(timeout=120)
    for figure in FIGURES:
        assert figure in out, out
    assert "0 failed" in out, out
    assert (DOCS.read_text() if DOCS.exists() else None) == before  # --quick leaves the docs alone


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy is not installed (apt-get install haproxy)")
def test_signaling_bench_through_haproxy_against_two_nodes(tmp_path: Path) -> None:
    """`--quick --haproxy --nodes 2` on PostgreSQL + Redis: every call of every phase completes, each idle
    subscriber connects, the CPU of both nodes and of HAProxy is reported, and the section it writes
    (``--docs``, here a copy of docs/performance.md) names the configuration and the command."""
    if not PG_URL or not REDIS_URL:
        pytest.skip("needs VIDEOPHONE_TEST_POSTGRES_URL and VIDEOPHONE_TEST_REDIS_URL (CI sets both)")
    database_url = asyncio.run(_create_pg_database(PG_URL))
    redis_url = REDIS_URL.rsplit("/", 1)[0] + "/8"  # its own Redis database
    before = DOCS.read_text()
    docs = tmp_path / "performance.md"
    docs.write_text(before)
    try:
        out = run_bench(
            "--haproxy",
            "--nodes",
            "2",
            "--database-url",
            database_url,
            "--redis-url",
            redis_url,
            "--docs",
            str(docs),
            timeout=240,
        )
    finally:
        asyncio.run(_drop_pg_database(PG_URL, database_url))
    for figure in FIGURES:
        assert figure in out, out
    assert "PostgreSQL + Redis, through HAProxy, 2 nodes" in out, out
    # Nothing failed: no call in the max-throughput and open-loop phases, no idle subscriber left out.
    assert re.search(r"max throughput: call setups/s .*\(300 calls in .*, 0 failed\)", out), out
    assert re.search(r"open loop 100/s: achieved .*\(100 calls, 0 failed,", out), out
    assert "200 of 200" in out, out
    assert "errors" not in out, out
    assert re.search(r"max throughput: CPU node1 / node2 / HAProxy / client +\d+ % / \d+ % / \d+ % / \d+ %", out), out
    # Both nodes served: each one's memory is reported, and HAProxy's CPU during the open loop.
    assert re.search(r"node1 \d+ / \d+ / \d+ MiB; node2 \d+ / \d+ / \d+ MiB", out), out
    assert re.search(r"open loop 100/s: CPU server +node1 \d+ %, node2 \d+ %, HAProxy \d+ %", out), out
    section = docs.read_text().split("<!-- bench-signaling:postgresql-haproxy-2:begin -->", 1)[1]
    section = section.split("<!-- bench-signaling:postgresql-haproxy-2:end -->", 1)[0]
    assert "### PostgreSQL + Redis, through HAProxy, 2 nodes" in section, section
    assert "* command: `python bench/signaling/run.py --quick --haproxy --nodes 2 " in section, section
    assert "| CPU node1 / node2 / HAProxy / client at max throughput |" in section, section
    assert DOCS.read_text() == before  # the real docs are left alone

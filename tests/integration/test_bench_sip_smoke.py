"""The SIP benchmark runs end to end (`bench/sip/run.py --quick`): phones register at the real Kamailio
edge, call each other through the service's gateway and rtpengine, and every call completes.

No timing is asserted: benchmarks print figures, tests never assert timings.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bench.sip.run import logged_trouble

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(
        shutil.which("kamailio") is None or shutil.which("rtpengine") is None or shutil.which("ip") is None,
        reason="kamailio, rtpengine and iproute2 are needed",
    ),
    pytest.mark.skipif(os.geteuid() != 0, reason="the benchmark makes a network namespace (root)"),
]


def test_sip_bench_quick_run_registers_and_completes_every_call() -> None:
    docs = ROOT / "docs" / "performance.md"
    before = docs.read_text()
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "sip" / "run.py"), "--quick", "--keep"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    kept = re.search(r"workdir (\S+)", result.stdout)
    workdir = Path(kept[1]) if kept else None
    try:
        _check(result, docs, before, workdir)
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


def _logged(workdir: Path | None) -> str:
    """What the service and the edge said of trouble during the run: the first clue when a call failed."""
    return "" if workdir is None else logged_trouble(workdir)


def _check(result: subprocess.CompletedProcess[str], docs: Path, before: str, workdir: Path | None) -> None:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:] + _logged(workdir)
    out = result.stdout
    said = out + "\n" + _logged(workdir)  # the message of a failed assertion
    for figure in (
        "registrations/s",
        "max throughput: call setups/s",
        "INVITE → 180 p50 / p99",
        "memory (PSS) per 1,000 registered phones",
    ):
        assert figure in out, said
    # Every phone registered, and every call of both phases completed (INVITE, 407, 180, 200, ACK, BYE,
    # and the gateway's BYE to the callee): none failed.
    registered = re.search(r"registered phones held\s+([\d,]+) of ([\d,]+)", out)
    assert registered is not None and registered[1] == registered[2], said
    top = re.search(
        r"max throughput: call setups/s\s+\d+\s+\((\d+) calls in [\d.]+ s, \d+ concurrent .*?, (\d+) failed\)", out
    )
    assert top is not None and int(top[1]) > 0 and top[2] == "0", said
    rate = re.search(r"open loop [\d.]+/s: achieved\s+[\d.]+ setups/s \((\d+) calls, (\d+) failed", out)
    assert rate is not None and int(rate[1]) > 0 and rate[2] == "0", said
    assert "errors" not in out, said
    assert docs.read_text() == before  # --quick leaves the docs alone

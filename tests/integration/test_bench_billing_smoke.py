"""The billing benchmark runs end to end (`bench/billing/run.py --quick`) and prints its figures.

No timing is asserted: benchmarks print figures, tests never assert timings.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_billing_bench_quick_run_prints_the_figures_and_the_invariants() -> None:
    docs = ROOT / "docs" / "performance.md"
    before = docs.read_text() if docs.exists() else None
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "billing" / "run.py"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    for figure in ("rating: calls rated/s", "bill run seconds", "floor seconds", "bill run / floor", "load average"):
        assert figure in out, out
    assert "invariants: ok" in out, out
    assert (docs.read_text() if docs.exists() else None) == before  # --quick leaves the docs alone

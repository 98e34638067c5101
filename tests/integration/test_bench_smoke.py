"""The signaling benchmark runs end to end (`bench/signaling/run.py --quick`) and prints its figures.

No timing is asserted: benchmarks print figures, tests never assert timings.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_signaling_bench_quick_run_prints_the_figures() -> None:
    docs = ROOT / "docs" / "performance.md"
    before = docs.read_text() if docs.exists() else None
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "signaling" / "run.py"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    for figure in (
        "max throughput: call setups/s",
        "invite→ringing p50 / p99",
        "accept→answered p50 / p99",
        "server RSS per 1,000 idle subscribers",
        "idle: subscribers connected",
    ):
        assert figure in out, out
    assert "0 failed" in out, out
    assert (docs.read_text() if docs.exists() else None) == before  # --quick leaves the docs alone

"""The CI's API fuzzing set-up works (`scripts/fuzz_api.py --smoke`): a real server on a throw-away demo
database, a subscriber's API token and an administrator's session that each hold for their run, and the
figures read from schemathesis's report.  The full run is the CI step `make fuzz`, not a test."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_fuzz_script_sets_up_three_logins_and_prints_the_figures() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "fuzz_api.py"), "--smoke", "--max-examples", "1", "--seed", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    out = result.stdout
    assert result.returncode == 0, out[-4000:] + result.stderr[-3000:]
    for name in ("anonymous", "subscriber", "administrator"):
        row = re.search(rf"^\s+{name}\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+(\w+)$", out, re.MULTILINE)
        assert row, out[-3000:]
        operations, cases, failures, errors, login = row.groups()
        assert (operations, failures, errors, login) == ("1", "0", "0", "held"), row.group(0)
        assert int(cases) > 0
    assert "0 failures -> OK" in out

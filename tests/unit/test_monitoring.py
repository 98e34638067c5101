"""deploy/monitoring (issue 17): the alert rules and the dashboard name only metrics the service
exports, and the rules pass promtool's checks and their own unit tests (alerts-test.yml) when promtool
is installed (Debian: the ``prometheus`` package; PROMTOOL=path to use another)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from videophone.adapters import metrics

MONITORING = Path(__file__).resolve().parents[2] / "deploy" / "monitoring"
NAME = re.compile(r"\bvideophone_[a-z_]+")
SUFFIXES = ("_bucket", "_count", "_sum", "_total")
# Exported by the readiness check (/readyz, another part of issue 17); the rule waits for it.
ELSEWHERE = {"videophone_ready"}


def exported() -> set[str]:
    assert metrics.HTTP_REQUESTS is not None  # the module's metrics are registered
    return {sample.name for family in REGISTRY.collect() for sample in family.samples} | {
        family.name for family in REGISTRY.collect()
    }


def referenced(text: str) -> set[str]:
    return set(NAME.findall(text))


def unknown(names: set[str]) -> set[str]:
    known = exported()
    missing = set()
    for name in names - ELSEWHERE:
        bases = {name} | {name.removesuffix(s) for s in SUFFIXES if name.endswith(s)}
        if not bases & known:
            missing.add(name)
    return missing


def test_the_alert_rules_name_only_exported_metrics() -> None:
    names = referenced((MONITORING / "alerts.yml").read_text(encoding="utf-8"))
    assert len(names) >= 10
    assert unknown(names) == set()


def test_the_dashboard_is_grafana_json_naming_only_exported_metrics() -> None:
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text(encoding="utf-8"))
    panels = [p for p in dashboard["panels"] if p["type"] != "row"]
    exprs = [t["expr"] for p in panels for t in p["targets"]]
    titles = " ".join(p["title"] for p in panels).lower()
    for wanted in ("calls", "set-ups per second", "latency", "http errors", "job", "outbox", "pool"):
        assert wanted in titles, wanted
    assert any("histogram_quantile(0.5," in e for e in exprs) and any("histogram_quantile(0.99," in e for e in exprs)
    assert unknown(referenced(" ".join(exprs))) == set()


def promtool() -> str:
    found = os.environ.get("PROMTOOL") or shutil.which("promtool")
    if not found:
        pytest.skip("promtool not installed (apt-get install prometheus, or PROMTOOL=path)")
    return found


@pytest.mark.parametrize("args", [["check", "rules", "alerts.yml"], ["test", "rules", "alerts-test.yml"]])
def test_promtool_accepts_the_rules_and_their_tests_pass(args: list[str]) -> None:
    done = subprocess.run([promtool(), *args], cwd=MONITORING, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout + done.stderr

"""The rules are pure: every context's ``domain`` and the shared ``kernel`` import only the standard
library and other rules (DESIGN.md; ADR 0007)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import videophone

PACKAGE = Path(videophone.__file__).parent
CONTEXTS = ("identity", "calling", "billing", "collections", "enforcement", "notices", "terminals")
RULES = [PACKAGE / "kernel", *(PACKAGE / c / "domain" for c in CONTEXTS)]
PURE = ("videophone.kernel", *(f"videophone.{c}.domain" for c in CONTEXTS))
FORBIDDEN_STDLIB = {"socket", "sqlite3", "subprocess", "urllib", "http", "asyncio", "os", "time", "random"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_domain_imports_only_stdlib_and_itself() -> None:
    offenders = []
    for path in sorted(p for rules in RULES for p in rules.rglob("*.py")):
        for module in imported_modules(path):
            top = module.split(".")[0]
            if module.startswith(PURE) or top == "__future__":
                continue
            if top in sys.stdlib_module_names and top not in FORBIDDEN_STDLIB:
                continue
            offenders.append(f"{path.name}: {module}")
    assert offenders == []


def test_domain_never_reads_the_clock() -> None:
    for path in sorted(p for rules in RULES for p in rules.rglob("*.py")):
        source = path.read_text("utf-8")
        for call in ("date.today(", "datetime.now(", "datetime.utcnow(", "time.time("):
            assert call not in source, f"{path.name} reads the clock ({call})"

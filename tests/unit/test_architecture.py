"""domain/ is pure: it imports only the standard library and itself (DESIGN.md)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import videophone.domain

DOMAIN = Path(videophone.domain.__file__).parent
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
    for path in sorted(DOMAIN.rglob("*.py")):
        for module in imported_modules(path):
            top = module.split(".")[0]
            if module.startswith("videophone.domain") or top == "__future__":
                continue
            if top in sys.stdlib_module_names and top not in FORBIDDEN_STDLIB:
                continue
            offenders.append(f"{path.name}: {module}")
    assert offenders == []


def test_domain_never_reads_the_clock() -> None:
    for path in sorted(DOMAIN.rglob("*.py")):
        source = path.read_text("utf-8")
        for call in ("date.today(", "datetime.now(", "datetime.utcnow(", "time.time("):
            assert call not in source, f"{path.name} reads the clock ({call})"

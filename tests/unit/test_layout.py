"""The shape of the code that import-linter cannot see (ADR 0008, issue 13).

* All SQL of a context is in its ``store/``: its use cases (``services/``) and routes (``api/``) build no
  statement and execute none — they call the store, and work on the objects it returns through the
  unit of work (``add``, ``get``, ``flush``).  ("No route imports a store" is an import contract.)
* No module of ``src/`` is over 600 lines (migrations aside): a reader gains nothing from a longer one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "videophone"
CONTEXTS = ("identity", "calling", "billing", "collections", "enforcement", "notices", "terminals", "reporting")
# What a use case may take from SQLAlchemy: the errors it handles and the session's type.
ALLOWED_SQLALCHEMY = {"sqlalchemy.exc", "sqlalchemy.ext.asyncio"}
EXECUTING = {"execute", "scalar", "scalars", "stream", "stream_scalars"}
MAX_LINES = 600


def _use_case_and_route_modules() -> list[Path]:
    return sorted(p for c in CONTEXTS for layer in ("services", "api") for p in (SRC / c / layer).rglob("*.py"))


def sql_in(source: str) -> list[str]:
    """What in a module builds or executes SQL: imports from SQLAlchemy beyond its errors and session
    type, and calls of a session's or connection's executing methods."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sqlalchemy":
            if node.module not in ALLOWED_SQLALCHEMY:
                found.append(f"line {node.lineno}: from {node.module} import …")
        elif isinstance(node, ast.Import):
            found += [
                f"line {node.lineno}: import {a.name}" for a in node.names if a.name.split(".")[0] == "sqlalchemy"
            ]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in EXECUTING:
            found.append(f"line {node.lineno}: .{node.func.attr}(…)")
    return found


def test_every_context_has_a_store() -> None:
    assert [c for c in CONTEXTS if not (SRC / c / "store" / "__init__.py").is_file()] == []


@pytest.mark.parametrize("module", _use_case_and_route_modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_use_cases_and_routes_hold_no_sql(module: Path) -> None:
    assert sql_in(module.read_text(encoding="utf-8")) == []


def test_the_sql_check_sees_sql() -> None:
    source = (
        "from sqlalchemy import select\nimport sqlalchemy.orm\nfrom sqlalchemy.exc import IntegrityError\n"
        "from sqlalchemy.ext.asyncio import AsyncSession\nasync def f(s):\n"
        "    await s.execute(q)\n    await s.scalars(q)\n    s.add(x)\n    await s.get(M, 1)\n"
    )
    assert sql_in(source) == [
        "line 1: from sqlalchemy import …",
        "line 2: import sqlalchemy.orm",
        "line 6: .execute(…)",
        "line 7: .scalars(…)",
    ]


def test_no_module_is_over_600_lines() -> None:
    long = {
        str(p.relative_to(SRC)): n
        for p in SRC.rglob("*.py")
        if "migrations" not in p.parts and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}

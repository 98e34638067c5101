"""Shared fixtures: a migrated database on SQLite and (when configured) PostgreSQL, a container
wired with a fake clock, and an HTTP client for the app."""

from __future__ import annotations

import base64
import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.support.databases import admin_execute
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.engine import make_engine, normalize_url
from videophone.adapters.db.migrate import upgrade_async
from videophone.adapters.db.models import Base
from videophone.adapters.mail import MemoryMailer
from videophone.adapters.passwords import Argon2Hasher
from videophone.bootstrap import Container, build
from videophone.config import Settings

PG_URL = os.environ.get("VIDEOPHONE_TEST_POSTGRES_URL", "")
TEST_KEY = base64.b64encode(b"k" * 32).decode()
FAST_HASHER = Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1)
BACKENDS = ["sqlite", "postgres"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "[postgres" in item.nodeid or "-postgres" in item.nodeid:
            item.add_marker(pytest.mark.postgres)


async def _create_pg_database(admin_url: str) -> str:
    name = f"vp_test_{uuid.uuid4().hex[:10]}"
    await admin_execute(admin_url, f'CREATE DATABASE "{name}"')
    return make_url(normalize_url(admin_url)).set(database=name).render_as_string(hide_password=False)


async def _drop_pg_database(admin_url: str, test_url: str) -> None:
    await admin_execute(admin_url, f'DROP DATABASE IF EXISTS "{make_url(test_url).database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def tmp_session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("videophone")


@pytest.fixture(scope="session", params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_session_dir: Path) -> AsyncIterator[str]:
    """A migrated database per backend for the whole session (tables emptied per test)."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_session_dir / 'test.sqlite3'}"
        await upgrade_async(url)
        yield url
        return
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set VIDEOPHONE_TEST_POSTGRES_URL (CI sets it)")
    url = await _create_pg_database(PG_URL)
    await upgrade_async(url)
    yield url
    await _drop_pg_database(PG_URL, url)


async def _empty_tables(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
            if conn.dialect.name == "postgresql":
                await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    await conn.execute(text(f"DELETE FROM {name}"))
    finally:
        await engine.dispose()


def make_settings(url: str, data_dir: Path) -> Settings:
    return Settings(demo=True, database_url=url, data_key=TEST_KEY, data_dir=data_dir, push_allow_insecure=True)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def mailer() -> MemoryMailer:
    return MemoryMailer()


@pytest.fixture
async def container(
    database_url: str, clock: FakeClock, tmp_path: Path, mailer: MemoryMailer
) -> AsyncIterator[Container]:
    await _empty_tables(database_url)
    c = build(make_settings(database_url, tmp_path), clock=clock, hasher=FAST_HASHER, mailer=mailer)
    await c.ensure_reference_data()
    try:
        yield c
    finally:
        await c.close()


@pytest.fixture
def backend(database_url: str) -> str:
    return make_url(database_url).get_backend_name()


@pytest.fixture(scope="session")
def anyio_backend() -> Iterator[str]:
    yield "asyncio"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """With VIDEOPHONE_TEST_STRICT=1 (CI) a skip is a failure: CI installs everything tests need."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("VIDEOPHONE_TEST_STRICT") == "1" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.longrepr = f"skipped in strict mode (CI must provide every service): {reason}"


CONTEXTS = ("identity", "calling", "billing", "collections", "enforcement", "notices", "terminals")


# Console routes that take a body but change nothing (a preview renders without saving): not actions.
CONSOLE_READS_WITH_A_BODY = ("/api/v1/console/policy/preview",)


def _console_writes() -> list[tuple[str, Any]]:
    """Every console write route (method, route) of the API, sign-in and sign-out aside."""
    import importlib
    import pkgutil

    from fastapi.routing import APIRoute

    out: list[tuple[str, Any]] = []
    packages = [f"videophone.{context}.api" for context in CONTEXTS]
    modules = [
        f"{p}.{info.name}" for p in packages for info in pkgutil.iter_modules(importlib.import_module(p).__path__)
    ]
    for name in modules:
        router = getattr(importlib.import_module(name), "router", None)
        for route in router.routes if router is not None else []:
            if (
                isinstance(route, APIRoute)
                and route.path.startswith("/api/v1/console/")
                and not route.path.startswith("/api/v1/console/auth/")
                and route.path not in CONSOLE_READS_WITH_A_BODY
            ):
                out.extend((method, route) for method in sorted(route.methods & {"POST", "PUT", "PATCH", "DELETE"}))
    return out


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """R-50 "every staff action is audited": when the whole API suite ran (no selection), every console
    write route must have been exercised by it through a staff session — which fails any successful
    console write that added no audit record (tests/api/conftest.py)."""
    selected = [item for item in session.items if item.nodeid.startswith("tests/api/")]
    args = [str(a) for a in session.config.args]
    whole = not session.config.option.keyword and not session.config.option.markexpr
    whole = whole and all(a.rstrip("/") in ("tests", "tests/api") or a.endswith("/tests") for a in args)
    if not selected or not whole or exitstatus != 0:
        return
    audited: set[tuple[str, str]] = set()
    for module in list(sys.modules.values()):
        if hasattr(module, "AUDITED") and hasattr(module, "NOT_ACTIONS"):
            audited |= module.AUDITED
    missing = [
        f"{method} {route.path}"
        for method, route in _console_writes()
        if not any(m == method and route.path_regex.fullmatch(path) for m, path in audited)
    ]
    if missing:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                "console actions no API test exercised (audit unproven): " + ", ".join(missing), red=True
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

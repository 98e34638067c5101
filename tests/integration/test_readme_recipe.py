"""Safe defaults (issue 17): demo mode is off unless asked for, a service started with no settings
refuses naming every missing secret, and the README's production recipe works as written — its block
(between the ``production-recipe`` markers) run by bash against a new PostgreSQL database and Redis,
with only the addresses replaced, gives a node whose ``/readyz`` is 200 and whose administrator (made by
the recipe's ``staff create``) can sign in."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from tests.support.databases import admin_execute
from tests.support.server import free_port, videophone_command
from videophone.adapters.db.engine import normalize_url
from videophone.cli import app
from videophone.config import Settings

REPO = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("VIDEOPHONE_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("VIDEOPHONE_TEST_REDIS_URL", "redis://127.0.0.1:6379/10")
ADMIN_PASSWORD = "Recipe-0perator-Passw0rd!"


@pytest.fixture
def no_videophone_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("VIDEOPHONE_"):
            monkeypatch.delenv(name)


@pytest.mark.usefixtures("no_videophone_env")
def test_demo_mode_is_off_unless_asked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().demo is False
    monkeypatch.setenv("VIDEOPHONE_DEMO", "true")
    assert Settings().demo is True


@pytest.mark.usefixtures("no_videophone_env")
def test_serve_with_no_settings_refuses_naming_each_missing_secret(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--port", str(free_port())], env={"VIDEOPHONE_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    for name in (
        "VIDEOPHONE_SECRET_KEY",
        "VIDEOPHONE_DATA_KEY",
        "VIDEOPHONE_DATABASE_URL",
        "VIDEOPHONE_GATEWAY_SECRET",
    ):
        assert name in text, text
    assert not (tmp_path / "data.key").exists()  # nothing generated outside demo mode


def test_make_run_asks_for_demo_mode(tmp_path: Path) -> None:
    """`make run` runs its commands with VIDEOPHONE_DEMO=true (here with a stand-in `videophone` that
    records how it was called, and exits); `make run-sip` (which also writes var/) declares the same."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "videophone").write_text('#!/bin/sh\necho "called $1 demo=$VIDEOPHONE_DEMO" >> "$CALLS"\n')
    (fake / "videophone").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDEOPHONE_")}
    calls = tmp_path / "run.calls"
    subprocess.run(
        ["make", "-o", ".venv/.installed-stamp", "run", f"BIN={fake}"],
        cwd=REPO,
        env={**env, "CALLS": str(calls)},
        capture_output=True,
        timeout=60,
        check=True,
    )
    lines = calls.read_text().splitlines()
    assert "called demo demo=true" in lines and "called serve demo=true" in lines, lines
    assert all(line.endswith("demo=true") for line in lines), lines
    assert "run-sip: export VIDEOPHONE_DEMO = true" in (REPO / "Makefile").read_text()


def recipe() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- production-recipe -->\n```sh\n(.*?)```\n<!-- /production-recipe -->", readme, re.S)
    assert found, "README.md has no production-recipe block"
    return found.group(1)


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"the README recipe no longer contains {old!r} once"
    return text.replace(old, new)


@pytest.fixture
def recipe_database() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set VIDEOPHONE_TEST_POSTGRES_URL (CI sets it)")
    name = f"ops1_recipe_{uuid.uuid4().hex[:10]}"
    asyncio.run(admin_execute(PG_URL, f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(normalize_url(PG_URL)).set(database=name).render_as_string(hide_password=False)
        yield url.replace("postgresql+asyncpg://", "postgresql://")
    finally:
        asyncio.run(admin_execute(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_the_readme_production_recipe_works_as_written(recipe_database: str, tmp_path: Path) -> None:
    port = free_port()
    script = recipe()
    script = _replace_once(script, "postgresql://videophone@db/videophone", recipe_database)
    script = _replace_once(script, "redis://redis:6379/0", REDIS_URL)
    script = _replace_once(script, "--host 0.0.0.0 --port 8000", f"--host 127.0.0.1 --port {port}")
    bin_dir = Path(videophone_command()[0]).parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDEOPHONE_")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"  # `videophone` as an installed command
    log = open(tmp_path / "recipe.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        ["bash", "-e", "-c", script],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.PIPE,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # no terminal: `staff create` reads its password from stdin
    )
    try:
        assert process.stdin is not None
        process.stdin.write(f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n".encode())
        process.stdin.close()
        deadline, status, body = time.monotonic() + 120, 0, {}
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/readyz")
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                status = 0
            if status == 200:
                break
            time.sleep(0.5)
        output = (tmp_path / "recipe.log").read_text(errors="replace")
        assert status == 200, f"exit {process.poll()}, /readyz {status} {body}\n{output[-3000:]}"
        assert body == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}, "not_ready": []}
        assert "videophone (production)" in output and "created staff admin" in output
        login = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/console/auth/login",
            data=json.dumps({"username": "admin", "password": ADMIN_PASSWORD}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(login, timeout=10) as response:
            assert response.status == 200
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        log.close()

"""`videophone db backup | restore` (issue 17): a backup of a running SQLite service, taken while it
writes, restored into another data directory, serves the same data (the same sessions, the same
decrypted personal data); a restore is refused while a `serve` runs on its target; files that are not a
videophone database, or at a migration this version does not know, are refused."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import threading
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_KEY
from tests.factories import PASSWORD, person
from tests.support.server import start_app, videophone_command
from videophone.adapters.db import backup

ENV = {"VIDEOPHONE_DEMO": "true", "VIDEOPHONE_DATA_KEY": TEST_KEY}


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **ENV, "VIDEOPHONE_DATA_DIR": str(data_dir)}
    env.pop("VIDEOPHONE_DATABASE_URL", None)
    return subprocess.run(
        [*videophone_command(), "db", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def register(client: httpx.Client) -> tuple[str, str]:
    r = client.post("/api/v1/subscribers", json=person())
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    r = client.post("/api/v1/auth/login", json={"login": number, "password": PASSWORD, "kind": "api", "label": "drill"})
    assert r.status_code == 200, r.text
    return number, r.json()["token"]


def me(client: httpx.Client, token: str) -> dict[str, object]:
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_backup_of_a_running_service_restores_to_a_copy_that_serves_the_same_data(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    out = tmp_path / "backups" / "videophone-backup.sqlite3"
    app = start_app(first, demo=False, extra_env=ENV)
    try:
        with httpx.Client(base_url=app.base_url, timeout=30) as client:
            accounts = [register(client) for _ in range(3)]
            before = {number: me(client, token) for number, token in accounts}
            assert all(isinstance(v["address"], str) and v["address"] for v in before.values())

        # The service keeps writing (new sessions) while the backup copies the database.
        stop, logins = threading.Event(), [0]

        def keep_writing() -> None:
            with httpx.Client(base_url=app.base_url, timeout=30) as c:
                while not stop.is_set():
                    r = c.post(
                        "/api/v1/auth/login",
                        json={"login": accounts[0][0], "password": PASSWORD, "kind": "api", "label": "busy"},
                    )
                    assert r.status_code == 200
                    logins[0] += 1

        writer = threading.Thread(target=keep_writing)
        writer.start()
        try:
            made = cli(first / "var", "backup", "--out", str(out))
        finally:
            stop.set()
            writer.join(timeout=60)
        assert made.returncode == 0, made.stdout + made.stderr
        assert logins[0] > 0 and "3 subscribers" in made.stdout
        assert out.stat().st_mode & 0o777 == 0o600
        assert not list(out.parent.glob("*.partial"))

        again = cli(first / "var", "backup", "--out", str(out))
        assert again.returncode == 1 and "exists" in again.stdout

        refused = cli(first / "var", "restore", str(out), "--yes")
        assert refused.returncode == 1 and "is running on" in refused.stdout
    finally:
        app.stop()

    restored = cli(second / "var", "restore", str(out), "--yes")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    copy = start_app(second, demo=False, extra_env=ENV)
    try:
        with httpx.Client(base_url=copy.base_url, timeout=30) as client:
            # The same sessions (stored in the backup) and the same personal data, decrypted.
            assert {number: me(client, token) for number, token in accounts} == before
    finally:
        copy.stop()
    # Once the service is stopped, restoring over a live database is allowed (the drill in reverse).
    assert cli(first / "var", "restore", str(out), "--yes").returncode == 0


def test_what_is_not_a_videophone_database_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all, just bytes" * 100)
    with pytest.raises(backup.BackupError, match="not a SQLite database"):
        backup.inspect(junk)
    other = tmp_path / "other.sqlite3"
    with contextlib.closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
    with pytest.raises(backup.BackupError, match="not a videophone database"):
        backup.inspect(other)
    with contextlib.closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
        conn.execute("CREATE TABLE subscribers (id INTEGER)")
        conn.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
        conn.commit()
    with pytest.raises(backup.BackupError, match="9999_from_the_future, which this version"):
        backup.inspect(other)
    with pytest.raises(backup.BackupError, match="pg_dump"):
        backup.backup("postgresql+asyncpg://u@127.0.0.1/db", tmp_path / "x")
    with pytest.raises(backup.BackupError, match="no such file"):
        backup.restore(tmp_path / "missing.sqlite3", f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")

"""The command line as an operator uses it (SQLite in a temp dir; PostgreSQL via the URL fixture)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from typer.testing import CliRunner

from videophone.cli import app
from videophone.config import DEFAULT_SECRET, Settings, SettingsError

runner = CliRunner()


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"VIDEOPHONE_DATA_DIR": str(tmp_path / "var"), "VIDEOPHONE_DEMO": "true", **extra}


def test_outside_demo_mode_default_or_missing_secrets_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as err:
        Settings(demo=False, secret_key=DEFAULT_SECRET).check_secrets()
    message = str(err.value)
    assert "VIDEOPHONE_SECRET_KEY" in message and "VIDEOPHONE_DATA_KEY" in message
    assert "VIDEOPHONE_DATABASE_URL" in message and "VIDEOPHONE_GATEWAY_SECRET" in message
    with pytest.raises(SettingsError, match="VIDEOPHONE_CLOCK_FILE"):
        Settings(
            demo=False,
            secret_key="s" * 40,
            gateway_secret="g" * 40,
            data_key=base64.b64encode(b"k" * 32).decode(),
            database_url=f"sqlite:///{tmp_path}/x.db",
            clock_file=tmp_path / "clock",
        ).check_secrets()
    good = Settings(
        demo=False,
        secret_key="s" * 40,
        gateway_secret="g" * 40,
        data_key=base64.b64encode(b"k" * 32).decode(),
        database_url=f"sqlite:///{tmp_path}/x.db",
    )
    good.check_secrets()
    result = runner.invoke(app, ["db", "upgrade"], env={"VIDEOPHONE_DEMO": "false"})
    assert result.exit_code == 2
    assert "VIDEOPHONE_SECRET_KEY" in result.output


def test_db_upgrade_demo_and_staff_create(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    result = runner.invoke(app, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["demo"], env=env)
    assert result.exit_code == 0, result.output
    assert "admin" in result.output and "Demo-Passw0rd!" in result.output
    assert (tmp_path / "var" / "data.key").exists()
    # Idempotent: a second run creates nothing new and still prints the logins.
    again = runner.invoke(app, ["demo"], env=env)
    assert again.exit_code == 0 and "reviewer" in again.output
    result = runner.invoke(
        app,
        ["staff", "create", "--username", "ops", "--role", "billing", "--role", "support", "--name", "运维"],
        input="Ops-Passw0rd!\nOps-Passw0rd!\n",
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "roles=billing,support" in result.output
    weak = runner.invoke(
        app, ["staff", "create", "--username", "weak", "--role", "legal"], input="short\nshort\n", env=env
    )
    assert weak.exit_code == 1 and "password_too_short" in weak.output
    bad_role = runner.invoke(
        app, ["staff", "create", "--username", "x", "--role", "king"], input="Ops-Passw0rd!\nOps-Passw0rd!\n", env=env
    )
    assert bad_role.exit_code == 1 and "role_unknown" in bad_role.output


def test_demo_refuses_outside_demo_mode(tmp_path: Path) -> None:
    env = {
        "VIDEOPHONE_DEMO": "false",
        "VIDEOPHONE_SECRET_KEY": "s" * 40,
        "VIDEOPHONE_GATEWAY_SECRET": "g" * 40,
        "VIDEOPHONE_DATA_KEY": base64.b64encode(b"k" * 32).decode(),
        "VIDEOPHONE_DATABASE_URL": f"sqlite:///{tmp_path}/prod.db",
    }
    result = runner.invoke(app, ["demo"], env=env)
    assert result.exit_code == 2


def test_jobs_list_and_run(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    listed = runner.invoke(app, ["jobs", "list"], env=env)
    assert listed.exit_code == 0 and "deliver-notifications" in listed.output
    ran = runner.invoke(app, ["jobs", "run", "deliver-notifications"], env=env)
    assert ran.exit_code == 0, ran.output
    assert "'sent': 0" in ran.output
    unknown = runner.invoke(app, ["jobs", "run", "no-such-job"], env=env)
    assert unknown.exit_code == 2 and "unknown job" in unknown.output

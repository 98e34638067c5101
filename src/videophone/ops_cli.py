"""Command line for the operator's data chores: ``videophone db backup | restore`` and
``videophone keys status | prepare | rotate`` (registered by :mod:`videophone.cli`).

Nothing here prints a key: keys are named by their id (docs/operations.md).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from videophone.adapters import keyring, logs
from videophone.adapters.crypto import key_id
from videophone.adapters.db import backup as sqlite_backup
from videophone.adapters.db import rekey
from videophone.adapters.db.engine import make_engine, make_sessionmaker
from videophone.config import Settings, SettingsError

keys_app = typer.Typer(help="The data key that encrypts personal data: status, prepare, rotate.", no_args_is_help=True)
console = Console()


def checked_settings() -> Settings:
    """The settings, and logging configured from them: every command that runs the service starts here."""
    settings = Settings()
    logs.configure(settings)
    try:
        settings.check_secrets()
    except SettingsError as exc:
        console.print(f"[red]配置错误 / configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc
    return settings


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]错误 / error:[/red] {message}")
    return typer.Exit(1)


# -- db backup | restore -------------------------------------------------------------------------------
def db_backup(
    out: Annotated[Path, typer.Option("--out", help="The backup file to write (must not exist)")],
    overwrite: Annotated[bool, typer.Option(help="Replace an existing file at --out")] = False,
) -> None:
    """Copy the SQLite database while the service runs (PostgreSQL: docs/operations.md, "Back up")."""
    settings = checked_settings()
    try:
        info = sqlite_backup.backup(settings.effective_database_url(), out, overwrite=overwrite)
    except sqlite_backup.BackupError as exc:
        raise _fail(str(exc)) from exc
    console.print(
        f"backup written to [bold]{info.path}[/bold]: migration {info.revision}, {info.subscribers} subscribers"
    )


def db_restore(
    backup_file: Annotated[Path, typer.Argument(help="A file written by `videophone db backup`")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before replacing the database")] = False,
) -> None:
    """Replace the SQLite database with a backup (every `serve` on it must be stopped first)."""
    settings = checked_settings()
    url = settings.effective_database_url()
    try:
        info = sqlite_backup.inspect(backup_file)
        target = sqlite_backup.sqlite_path(url)
    except sqlite_backup.BackupError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"{backup_file}: migration {info.revision}, {info.subscribers} subscribers")
    if not yes and not typer.confirm(f"replace {target} with it?"):
        raise typer.Exit(1)
    try:
        restored = sqlite_backup.restore(backup_file, url)
    except sqlite_backup.BackupError as exc:
        raise _fail(str(exc)) from exc
    note = "" if restored.at_head else " (`videophone serve` or `db upgrade` brings it to the current migration)"
    console.print(f"restored into [bold]{restored.path}[/bold]{note}")


# -- keys ----------------------------------------------------------------------------------------------
def _ring(settings: Settings) -> keyring.KeyRing:
    try:
        return keyring.load(
            ring_file=settings.key_ring_file(),
            configured=settings.data_key,
            key_file=settings.key_file(),
            create=False,
        )
    except ValueError as exc:
        raise _fail(str(exc)) from exc


@keys_app.command("status")
def keys_status() -> None:
    """The keys of the ring (by id) and how many encrypted values are on each."""
    settings = checked_settings()
    ring = _ring(settings)
    table = Table("role", "key id")
    for role, kid in ring.rows():
        table.add_row(role, kid)
    console.print(table)

    async def run() -> list[rekey.ColumnStatus]:
        engine = make_engine(settings.effective_database_url())
        try:
            return await rekey.status(make_sessionmaker(engine), ring.cipher())
        finally:
            await engine.dispose()

    columns = asyncio.run(run())
    table = Table("column", "values", "on the current key", "left", "by key id")
    for c in columns:
        table.add_row(
            c.column, str(c.values), str(c.on_current), str(c.left), ", ".join(f"{k}: {n}" for k, n in c.by_key.items())
        )
    console.print(table)
    left = sum(c.left for c in columns)
    if ring.rotating or left:
        console.print(f"rotation in progress: {left} values left — run `videophone keys rotate` to continue")
    else:
        console.print("every value is on the current key")


@keys_app.command("prepare")
def keys_prepare() -> None:
    """Add a new key as `next`: read everywhere once the ring is on every node, used by the next rotate."""
    settings = checked_settings()
    ring = _ring(settings).prepare()
    keyring.save(ring, settings.key_ring_file())
    console.print(
        f"key {key_id(ring.next[-1]).hex()} prepared in {settings.key_ring_file()}: copy the ring "
        "to every node and restart them, then run `videophone keys rotate`"
    )


@keys_app.command("rotate")
def keys_rotate(
    batch_size: Annotated[int, typer.Option(help="Rows re-encrypted per transaction", min=1, max=10_000)] = 100,
    resume_only: Annotated[
        bool, typer.Option("--resume-only", help="Do not start a new rotation: only move what is left")
    ] = False,
) -> None:
    """Make a new key current and re-encrypt every value with it (resumable: run it again after a stop)."""
    settings = checked_settings()
    ring_file = settings.key_ring_file()
    ring = _ring(settings)
    if ring.rotating:
        console.print(f"continuing the rotation to key {ring.rows()[0][1]}")
    elif resume_only:
        console.print(f"no rotation in progress; moving anything left to key {ring.rows()[0][1]}")
    else:
        ring = ring.begin_rotation()
        keyring.save(ring, ring_file)
        old = ", ".join(kid for role, kid in ring.rows() if role == "old")
        console.print(f"key {ring.rows()[0][1]} is now current in {ring_file}; {old} kept for reading until done")
    cipher = ring.cipher()
    batches = 0

    def progress(table: str, rows: int) -> None:
        nonlocal batches
        batches += 1
        if batches % 20 == 1:
            console.print(f"  {table}: batch {batches} ({rows} rows)")

    async def run() -> int:
        engine = make_engine(settings.effective_database_url())
        try:
            return await rekey.rotate(make_sessionmaker(engine), cipher, batch_size=batch_size, on_batch=progress)
        finally:
            await engine.dispose()

    try:
        rewritten = asyncio.run(run())
    except rekey.RekeyError as exc:
        raise _fail(str(exc)) from exc
    # Re-read the ring: a `keys prepare` may have added a `next` key meanwhile.
    ring = _ring(settings)
    if ring.rotating:
        ring = ring.finish_rotation()
        keyring.save(ring, ring_file)
    console.print(f"done: {rewritten} rows re-encrypted; every value is on key {ring.rows()[0][1]}")

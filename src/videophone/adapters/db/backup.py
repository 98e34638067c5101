"""Back up and restore a SQLite database (``videophone db backup | restore``).

The backup uses SQLite's online backup API (:meth:`sqlite3.Connection.backup`): a consistent copy of
the database as of one moment, taken while ``serve`` goes on reading and writing it (WAL mode: the
copy reads a snapshot, writers are not blocked).  It is written to a temporary file beside the target,
checked (``PRAGMA integrity_check`` and the migration it is at), fsynced and only then renamed to the
name asked for — a half-written backup never carries the final name.

A restore checks the file is a videophone database at a migration this version knows, then copies it
page by page into the database file through the same API (so the target's WAL and locks are honoured),
and refuses while a ``serve`` runs on that file: every ``serve`` on SQLite holds a shared ``flock`` on
``<database>.serve.lock`` for its lifetime (:func:`hold_serving_lock`), and the restore needs it exclusively.

PostgreSQL is backed up with its own tools (``pg_dump``, WAL archiving): docs/operations.md.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from videophone.adapters.db.migrate import alembic_config

PAGES_PER_STEP = 1024  # copy 4 MB at a time, letting writers in between
BUSY_TIMEOUT_S = 30


class BackupError(RuntimeError):
    """A backup or restore refused or failed (the message says why and what to do)."""


@dataclass(frozen=True)
class DatabaseInfo:
    path: Path
    revision: str
    head: str
    subscribers: int

    @property
    def at_head(self) -> bool:
        return self.revision == self.head


def sqlite_path(url: str) -> Path:
    """The file of a SQLite database URL; anything else is refused."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise BackupError(
            "`videophone db backup/restore` is for SQLite; back up PostgreSQL with pg_dump and WAL "
            'archiving (docs/operations.md, "Back up")'
        )
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("the database is in memory: there is nothing to back up")
    return Path(parsed.database)


def _known_revisions() -> tuple[set[str], str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = script.get_current_head()
    if head is None:
        raise BackupError("no migrations found")
    return {rev.revision for rev in script.walk_revisions()}, head


def inspect(path: Path) -> DatabaseInfo:
    """What ``path`` holds, if it is a sound videophone database at a known migration."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)) as conn:
            check = conn.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise BackupError(f"{path}: the database is damaged (quick_check: {check and check[0]!r})")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "alembic_version" not in tables or "subscribers" not in tables:
                raise BackupError(f"{path}: not a videophone database")
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
            subscribers = int(conn.execute("SELECT count(*) FROM subscribers").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a SQLite database ({exc})") from exc
    known, head = _known_revisions()
    if len(rows) != 1 or rows[0][0] not in known:
        found = ", ".join(str(r[0]) for r in rows) or "none"
        raise BackupError(f"{path}: at migration {found}, which this version of videophone does not know")
    return DatabaseInfo(path, str(rows[0][0]), head, subscribers)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    source.backup(target, pages=PAGES_PER_STEP)


def backup(url: str, out: Path, *, overwrite: bool = False) -> DatabaseInfo:
    """A consistent copy of the database of ``url`` at ``out`` (mode 0600: it holds personal data)."""
    source_path = sqlite_path(url)
    inspect(source_path)
    if out.exists() and not overwrite:
        raise BackupError(f"{out} exists: choose another name (or --overwrite)")
    if out.resolve() == source_path.resolve():
        raise BackupError("the backup cannot be the database itself")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.partial")
    tmp.unlink(missing_ok=True)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        with (
            contextlib.closing(sqlite3.connect(source_path, timeout=BUSY_TIMEOUT_S)) as source,
            contextlib.closing(sqlite3.connect(tmp)) as target,
        ):
            _copy(source, target)
            # The copy is one file: a backup in WAL mode would need its -wal beside it to be whole.
            target.execute("PRAGMA journal_mode=DELETE")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        info = inspect(tmp)
        os.replace(tmp, out)
        _fsync_dir(out.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return DatabaseInfo(out, info.revision, info.head, info.subscribers)


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".serve.lock")


_held: list[int] = []


def hold_serving_lock(url: str) -> None:
    """Called by ``serve``: a shared lock on ``<database>.serve.lock`` held until the process ends (the
    kernel releases it then, however it ends), which a restore of the same file asks for in vain.
    Nothing for PostgreSQL."""
    if make_url(url).get_backend_name() != "sqlite":
        return
    path = lock_path(sqlite_path(url))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_SH)
    _held.append(fd)


def restore(backup_file: Path, url: str) -> DatabaseInfo:
    """Replace the database of ``url`` with ``backup_file`` (refused while a ``serve`` runs on it)."""
    target_path = sqlite_path(url)
    info = inspect(backup_file)
    if target_path.exists() and backup_file.resolve() == target_path.resolve():
        raise BackupError("the backup is the database itself")
    target_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(target_path), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BackupError(
                f"a `videophone serve` is running on {target_path}: stop every one first (a restore replaces "
                "the database under the service)"
            ) from exc
        if not target_path.exists():
            os.close(os.open(target_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        with (
            contextlib.closing(sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)) as source,
            contextlib.closing(sqlite3.connect(target_path, timeout=BUSY_TIMEOUT_S)) as target,
        ):
            _copy(source, target)
        restored = inspect(target_path)
    finally:
        os.close(fd)
    return DatabaseInfo(target_path, restored.revision, info.head, restored.subscribers)

"""Run Alembic migrations programmatically (``videophone db upgrade``; ``serve`` on start)."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from videophone.adapters.db.engine import normalize_url

MIGRATIONS = Path(__file__).parent / "migrations"
# The PostgreSQL advisory lock key the migrations run under (env.py): any fixed 64-bit number that no
# other part of the service uses ("vp-migr" in ASCII).
MIGRATION_LOCK = 0x76702D6D696772


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = normalize_url(url)
    return cfg


@functools.cache
def head_revisions() -> frozenset[str]:
    """The revisions the scripts end in (read once: the files do not change while the process runs)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every revision of the scripts this process has."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return frozenset(r.revision for r in script.walk_revisions())


def current_revisions(connection: Connection) -> frozenset[str]:
    """The revisions the database is at (empty: never migrated)."""
    return frozenset(MigrationContext.configure(connection).get_current_heads())


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


async def upgrade_async(url: str, revision: str = "head") -> None:
    await asyncio.to_thread(upgrade, url, revision)

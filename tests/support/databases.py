"""PostgreSQL administration for tests and benchmarks: create and drop scratch databases."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from videophone.adapters.db.engine import normalize_url


async def admin_execute(admin_url: str, statement: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) on the PostgreSQL server of ``admin_url``."""
    import asyncpg

    url = make_url(normalize_url(admin_url))
    conn = await asyncpg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        database=url.database or "postgres",
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()

"""The Redis client of a node (presence and the signaling bus, ``VIDEOPHONE_REDIS_URL``)."""

from __future__ import annotations

import redis.asyncio as redis_asyncio

MAX_CONNECTIONS = 64
WAIT_FOR_CONNECTION_SECONDS = 10.0


def redis_client(url: str) -> redis_asyncio.Redis:
    """A client whose commands *wait* for a pooled connection when all are busy.

    redis-py's default pool (in redis-py 8) raises ``MaxConnectionsError`` at once when its 100
    connections are in use: under a burst of devices connecting to a node, presence updates failed
    and their WebSockets were dropped.  A blocking pool of ``MAX_CONNECTIONS`` queues the commands
    instead (each takes well under a millisecond on a local network); a command that cannot get a
    connection within ``WAIT_FOR_CONNECTION_SECONDS`` still fails, with a clear error."""
    pool = redis_asyncio.BlockingConnectionPool.from_url(
        url, max_connections=MAX_CONNECTIONS, timeout=WAIT_FOR_CONNECTION_SECONDS
    )
    return redis_asyncio.Redis(connection_pool=pool)

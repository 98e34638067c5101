"""SIP over TCP between the gateway and the SIP edge (Kamailio), RFC 3261 §18.

The edge opens connections to the gateway's listener to hand it requests (and sends their responses
back on the connection the request came on); the gateway keeps one connection of its own to the edge
for the requests it makes (an INVITE to a phone, a BYE, a CANCEL) and reads their responses there.
A stream transport needs no retransmissions; every message is framed by its Content-Length.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

from videophone.adapters.sip.message import SipError, SipMessage, StreamFramer

log = structlog.get_logger(__name__)

CONNECT_TIMEOUT = 3.0
READ_CHUNK = 65_536

Handler = Callable[[SipMessage, "SipConnection"], Awaitable[None]]
Fallback = Callable[[SipMessage], Awaitable[None]]


MAX_DIALOGS_IN_FLIGHT = 2_000  # Call-IDs being handled at once on one connection (more: read waits)


class SipConnection:
    """One TCP connection carrying SIP messages both ways.  The edge sends every phone's requests over
    one connection: messages of one Call-ID are handled in order, those of different Call-IDs at the
    same time (a call waiting for the database or the media relay holds up no other call)."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        handler: Handler,
        fallback: Fallback | None = None,
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.handler = handler
        # Where a response goes when this connection is gone (RFC 3261 §18.2.2: to the sent-by of the
        # request's Via — the edge — over a connection of our own): the edge's transaction gets it.
        self.fallback = fallback
        self.messages = 0  # read on it
        self.closed = asyncio.Event()
        self._write_lock = asyncio.Lock()
        self._queues: dict[str, asyncio.Queue[SipMessage]] = {}
        self._workers: set[asyncio.Task[None]] = set()
        self._room = asyncio.Semaphore(MAX_DIALOGS_IN_FLIGHT)

    async def send(self, message: SipMessage) -> None:
        if not self.closed.is_set():
            try:
                async with self._write_lock:
                    self.writer.write(message.encode())
                    await self.writer.drain()
                return
            except (ConnectionError, OSError):
                await self.close()
        if self.fallback is None or message.is_request:
            raise ConnectionError("the SIP connection is closed")
        await self.fallback(message)

    async def serve(self) -> None:
        """Read messages until the peer closes or sends what is not SIP (then the connection closes)."""
        framer = StreamFramer()
        try:
            while True:
                data = await self.reader.read(READ_CHUNK)
                if not data:
                    log.info("the SIP edge closed a connection", messages=self.messages)
                    return
                try:
                    messages = framer.feed(data)
                except SipError as exc:
                    log.warning("not SIP on the gateway's connection: closed", error=str(exc))
                    return
                self.messages += len(messages)
                for message in messages:
                    await self._dispatch(message)
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            await self.close()

    async def _dispatch(self, message: SipMessage) -> None:
        """Queue the message behind the others of its Call-ID; a worker per Call-ID handles them."""
        key = message.call_id
        queue = self._queues.get(key)
        if queue is not None:
            queue.put_nowait(message)
            return
        await self._room.acquire()
        queue = self._queues[key] = asyncio.Queue()
        queue.put_nowait(message)
        task = asyncio.get_running_loop().create_task(self._work(key, queue), name="sip-dialog")
        self._workers.add(task)
        task.add_done_callback(self._workers.discard)

    async def _work(self, key: str, queue: asyncio.Queue[SipMessage]) -> None:
        try:
            while not queue.empty():
                message = queue.get_nowait()
                try:
                    await self.handler(message, self)
                except Exception:
                    log.exception("SIP message handling failed", method=message.method, status=message.status)
        finally:
            del self._queues[key]
            self._room.release()

    async def close(self, *, cancel_work: bool = False) -> None:
        """Close the socket.  Messages already read are still handled (the edge closing its side does
        not undo a call being set up; their responses take the fallback) unless ``cancel_work``."""
        if cancel_work:
            for task in list(self._workers):
                if task is not asyncio.current_task():
                    task.cancel()
        if self.closed.is_set():
            return
        self.closed.set()
        self.writer.close()
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()


class SipTransport:
    """The gateway's listener and its own connection to the edge."""

    def __init__(self, listen: tuple[str, int], edge: tuple[str, int], handler: Handler) -> None:
        self.listen = listen
        self.edge = edge
        self.handler = handler
        self._server: asyncio.Server | None = None
        self._outbound: SipConnection | None = None
        self._connect_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._connections: set[SipConnection] = set()

    @property
    def port(self) -> int:
        if self._server is None or not self._server.sockets:
            return self.listen[1]
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accepted, self.listen[0], self.listen[1])

    def _spawn(self, connection: SipConnection) -> None:
        task = asyncio.get_running_loop().create_task(connection.serve(), name="sip-connection")
        self._tasks.add(task)
        self._connections.add(connection)

        def done(_: asyncio.Task[None]) -> None:
            self._tasks.discard(task)
            self._connections.discard(connection)

        task.add_done_callback(done)

    async def _accepted(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._spawn(SipConnection(reader, writer, self.handler, fallback=self.to_edge))

    async def to_edge(self, message: SipMessage) -> None:
        """Send a request (or an ACK) of the gateway's own to the edge."""
        connection = await self._edge_connection()
        try:
            await connection.send(message)
        except (ConnectionError, OSError):
            # The edge restarted: one new connection, one more try.
            await connection.close()
            connection = await self._edge_connection()
            await connection.send(message)

    async def _edge_connection(self) -> SipConnection:
        async with self._connect_lock:
            if self._outbound is None or self._outbound.closed.is_set():
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(self.edge[0], self.edge[1]), timeout=CONNECT_TIMEOUT
                )
                self._outbound = SipConnection(reader, writer, self.handler)
                self._spawn(self._outbound)
            return self._outbound

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
        for connection in list(self._connections):
            await connection.close(cancel_work=True)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

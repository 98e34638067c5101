"""Simulated signaling clients: one WebSocket per device, a reader task routing messages by call id.

Times are taken with ``time.perf_counter`` in the client on loopback: when a message is sent and
when its answer is read off the socket (before any other work on it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

OFFER = (
    "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:96 VP8/90000\r\n"
)
ANSWER = OFFER.replace("4611731400430051336", "7391285061748208813")
STEP_TIMEOUT = 10.0  # one protocol step (e.g. invite → ringing) may take at most this long


class CallFailed(Exception):
    pass


@dataclass
class Stats:
    """What one phase measured (seconds)."""

    ringing: list[float] = field(default_factory=list)  # invite sent → ringing read (caller)
    answered: list[float] = field(default_factory=list)  # accept sent → answered read (callee)
    setup: list[float] = field(default_factory=list)  # invite sent → accepted read (caller)
    ended: list[float] = field(default_factory=list)  # hangup sent → ended read (caller)
    lag: list[float] = field(default_factory=list)  # open loop: actual invite send − scheduled time
    completed: int = 0
    failed: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def merge(self, other: Stats) -> None:
        for name in ("ringing", "answered", "setup", "ended", "lag"):
            getattr(self, name).extend(getattr(other, name))
        self.completed += other.completed
        self.failed += other.failed
        for key, value in other.errors.items():
            self.errors[key] = self.errors.get(key, 0) + value


def _fail(future: asyncio.Future[float], reason: str) -> None:
    """Fail a waiter; marked as retrieved, since a call that already failed no longer awaits it."""
    if not future.done():
        future.set_exception(CallFailed(reason))
        future.exception()


class Device:
    """A connected, welcomed device.  Callee devices answer every ``incoming`` at once."""

    def __init__(self, ws: ClientConnection, device_id: str, number: str, stats: Stats) -> None:
        self.ws, self.device_id, self.number, self.stats = ws, device_id, number, stats
        self._waiters: dict[tuple[str, str], asyncio.Future[float]] = {}
        self._accept_sent: dict[str, float] = {}
        self._reader: asyncio.Task[None] | None = None
        self._pinger: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, host: str, token: str, device_id: str, number: str, stats: Stats) -> Device:
        ws = await connect(
            f"ws://{host}/ws",
            additional_headers={"Authorization": f"Bearer {token}"},
            ping_interval=None,  # like a browser: the server pings, the client only answers
            open_timeout=STEP_TIMEOUT,
            close_timeout=2,
        )
        device = cls(ws, device_id, number, stats)
        await ws.send(
            json.dumps(
                {"type": "hello", "protocol": 1, "device_id": device_id, "client": {"kind": "bench", "version": "1"}}
            )
        )
        welcome = json.loads(await asyncio.wait_for(ws.recv(), STEP_TIMEOUT))
        if welcome.get("type") != "welcome":
            await ws.close()
            raise CallFailed(f"no welcome: {welcome}")
        return device

    def start_reader(self, ping_every: float = 20.0) -> None:
        loop = asyncio.get_running_loop()
        self._reader = loop.create_task(self._read())
        # Like every client of the protocol: a `ping` each ping_interval, or the server (rightly)
        # treats the device as gone after 3 × ping_interval of silence.
        self._pinger = loop.create_task(self._ping(ping_every))

    async def _ping(self, every: float) -> None:
        with contextlib.suppress(ConnectionClosed, asyncio.CancelledError):
            await asyncio.sleep(random.uniform(0, every))
            while True:
                await self.ws.send('{"type":"ping"}')
                await asyncio.sleep(every)

    def expect(self, kind: str, call_id: str) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters[(kind, call_id)] = future
        return future

    def forget(self, call_id: str) -> None:
        for key in [k for k in self._waiters if k[1] == call_id]:
            future = self._waiters.pop(key)
            if not future.done():
                future.cancel()
        self._accept_sent.pop(call_id, None)

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                at = time.perf_counter()
                message: dict[str, Any] = json.loads(raw)
                kind = message.get("type", "")
                call_id = str(message.get("call_id", ""))
                if kind == "incoming":
                    sent = time.perf_counter()
                    self._accept_sent[call_id] = sent
                    await self.ws.send(json.dumps({"type": "accept", "call_id": call_id, "sdp": ANSWER}))
                    continue
                if kind == "answered":
                    sent_at = self._accept_sent.pop(call_id, None)
                    if sent_at is not None:
                        self.stats.answered.append(at - sent_at)
                elif kind == "error":
                    code = str(message.get("code"))
                    self.stats.errors[code] = self.stats.errors.get(code, 0) + 1
                    for key in [k for k in self._waiters if k[1] == call_id]:
                        future = self._waiters.pop(key)
                        _fail(future, code)
                    continue
                elif kind == "ended" and message.get("reason") != "hangup":
                    reason = f"ended:{message.get('reason')}"
                    self.stats.errors[reason] = self.stats.errors.get(reason, 0) + 1
                future = self._waiters.pop((kind, call_id), None)
                if future is not None and not future.done():
                    future.set_result(at)
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd is not None else None
            key = f"closed:{code}"
            self.stats.errors[key] = self.stats.errors.get(key, 0) + 1
        finally:
            for future in self._waiters.values():
                _fail(future, "connection closed")
            self._waiters.clear()

    async def close(self) -> None:
        for task in (self._reader, self._pinger):
            if task is not None:
                task.cancel()
        with contextlib.suppress(TimeoutError, ConnectionClosed, OSError):
            await asyncio.wait_for(self.ws.close(), 3)


async def place_call(caller: Device, callee: Device, stats: Stats, scheduled: float | None = None) -> None:
    """invite → ringing → accepted (callee accepts on incoming) → hangup → ended at both ends."""
    call_id = str(uuid.uuid4())
    ringing = caller.expect("ringing", call_id)
    accepted = caller.expect("accepted", call_id)
    ended = caller.expect("ended", call_id)
    callee_ended = callee.expect("ended", call_id)
    invite = json.dumps(
        {
            "type": "invite",
            "call_id": call_id,
            "to": callee.number,
            "sdp": OFFER,
            "media": {"audio": True, "video": True},
        }
    )
    try:
        sent = time.perf_counter()
        if scheduled is not None:
            stats.lag.append(max(0.0, sent - scheduled))
        await caller.ws.send(invite)
        rang = await asyncio.wait_for(ringing, STEP_TIMEOUT)
        answered = await asyncio.wait_for(accepted, STEP_TIMEOUT)
        hung = time.perf_counter()
        await caller.ws.send(json.dumps({"type": "hangup", "call_id": call_id}))
        over = await asyncio.wait_for(ended, STEP_TIMEOUT)
        await asyncio.wait_for(callee_ended, STEP_TIMEOUT)
    except (TimeoutError, CallFailed, ConnectionClosed) as exc:
        stats.failed += 1
        key = f"call:{type(exc).__name__}:{exc}"[:60]
        stats.errors[key] = stats.errors.get(key, 0) + 1
        caller.forget(call_id)
        callee.forget(call_id)
        return
    stats.ringing.append(rang - sent)
    stats.setup.append(answered - sent)
    stats.ended.append(over - hung)
    stats.completed += 1


@dataclass(frozen=True)
class Account:
    number: str
    token: str


async def open_pairs(host: str, accounts: list[Account], tag: str, stats: Stats) -> list[tuple[Device, Device]]:
    """Connect 2 devices per pair (caller = even index, callee = odd), 50 at a time."""
    gate = asyncio.Semaphore(50)

    async def one(i: int, account: Account) -> Device:
        async with gate:
            device = await Device.open(host, account.token, f"bench-{tag}-{i:06d}", account.number, stats)
        device.start_reader()
        return device

    devices = await asyncio.gather(*(one(i, a) for i, a in enumerate(accounts)))
    return [(devices[i], devices[i + 1]) for i in range(0, len(devices) - 1, 2)]


async def close_all(devices: list[Device]) -> None:
    gate = asyncio.Semaphore(500)

    async def one(device: Device) -> None:
        async with gate:
            await device.close()

    await asyncio.wait_for(asyncio.gather(*(one(d) for d in devices)), timeout=120)


async def closed_loop(pairs: list[tuple[Device, Device]], calls: int, stats: Stats, deadline: float) -> float:
    """Every pair calls back to back until ``calls`` calls were placed; returns the elapsed seconds."""
    remaining = [calls]

    async def worker(caller: Device, callee: Device) -> None:
        while remaining[0] > 0 and time.perf_counter() < deadline:
            remaining[0] -= 1
            await place_call(caller, callee, stats)

    start = time.perf_counter()
    await asyncio.gather(*(worker(a, b) for a, b in pairs))
    return time.perf_counter() - start


async def open_loop(
    pairs: list[tuple[Device, Device]], calls: int, rate: float, stats: Stats, deadline: float
) -> float:
    """Start a call every 1/rate s on schedule (whatever the earlier ones are doing); a free pair is
    taken for each (if none is free the start is late, which shows in ``lag``)."""
    free: deque[tuple[Device, Device]] = deque(pairs)
    released = asyncio.Event()
    running: set[asyncio.Task[None]] = set()
    loop = asyncio.get_running_loop()

    async def one(pair: tuple[Device, Device], scheduled: float) -> None:
        try:
            await place_call(pair[0], pair[1], stats, scheduled)
        finally:
            free.append(pair)
            released.set()

    start = time.perf_counter() + 0.05
    for i in range(calls):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        while not free:
            if time.perf_counter() > deadline:
                break
            released.clear()
            await asyncio.wait_for(released.wait(), STEP_TIMEOUT * 4)
        if time.perf_counter() > deadline:
            break
        task = loop.create_task(one(free.popleft(), scheduled))
        running.add(task)
        task.add_done_callback(running.discard)
    if running:
        await asyncio.wait(running, timeout=STEP_TIMEOUT * 4)
    return time.perf_counter() - start


async def hold_idle(
    host: str, accounts: list[Account], ping_every: float, stats: Stats, concurrency: int = 200
) -> tuple[list[ClientConnection], list[asyncio.Task[None]], float]:
    """Connect one device per account (hello done), each pinging every ``ping_every`` s from a random
    phase.  Returns the connections, their ping tasks and how long connecting took."""
    gate = asyncio.Semaphore(concurrency)
    connections: list[ClientConnection] = []
    tasks: list[asyncio.Task[None]] = []
    loop = asyncio.get_running_loop()

    async def pinger(ws: ClientConnection) -> None:
        await asyncio.sleep(random.uniform(0, ping_every))
        try:
            while True:
                await ws.send('{"type":"ping"}')
                reply = json.loads(await asyncio.wait_for(ws.recv(), STEP_TIMEOUT))
                if reply.get("type") != "pong":
                    stats.errors["idle:unexpected"] = stats.errors.get("idle:unexpected", 0) + 1
                await asyncio.sleep(ping_every)
        except (ConnectionClosed, TimeoutError):
            stats.errors["idle:lost"] = stats.errors.get("idle:lost", 0) + 1

    async def one(i: int, account: Account) -> None:
        async with gate:
            try:
                device = await Device.open(host, account.token, f"bench-idle-{i:06d}", account.number, stats)
            # InvalidHandshake: e.g. a 502/503 from HAProxy while no node is in service
            except (OSError, TimeoutError, ConnectionClosed, InvalidHandshake, CallFailed) as exc:
                stats.failed += 1
                key = f"idle-connect:{type(exc).__name__}"
                stats.errors[key] = stats.errors.get(key, 0) + 1
                return
        stats.completed += 1
        connections.append(device.ws)
        tasks.append(loop.create_task(pinger(device.ws)))

    start = time.perf_counter()
    await asyncio.gather(*(one(i, a) for i, a in enumerate(accounts)))
    return connections, tasks, time.perf_counter() - start


async def release_idle(connections: list[ClientConnection], tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    gate = asyncio.Semaphore(500)

    async def one(ws: ClientConnection) -> None:
        async with gate:
            with contextlib.suppress(TimeoutError, ConnectionClosed, OSError):
                await asyncio.wait_for(ws.close(), 3)

    await asyncio.wait_for(asyncio.gather(*(one(ws) for ws in connections)), timeout=180)

"""Serve an app on a loopback port inside the test's event loop (for real WebSocket clients)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect

from tests.support.server import free_port


@asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.02)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


class Device:
    """A signaling client: one WebSocket, messages queued by type for the test to await."""

    def __init__(self, ws: ClientConnection, device_id: str) -> None:
        self.ws, self.device_id = ws, device_id
        self.welcome: dict[str, Any] = {}

    @classmethod
    async def open(cls, host: str, token: str, device_id: str, *, hello: bool = True) -> Device:
        ws = await connect(f"ws://{host}/ws", additional_headers={"Authorization": f"Bearer {token}"})
        device = cls(ws, device_id)
        if hello:
            await device.send(
                {"type": "hello", "protocol": 1, "device_id": device_id, "client": {"kind": "test", "version": "1"}}
            )
            device.welcome = await device.expect("welcome")
        return device

    async def send(self, message: dict[str, Any] | str) -> None:
        await self.ws.send(message if isinstance(message, str) else json.dumps(message))

    async def recv(self, within: float = 5.0) -> dict[str, Any]:
        return dict(json.loads(await asyncio.wait_for(self.ws.recv(), timeout=within)))

    async def expect(self, kind: str, within: float = 5.0) -> dict[str, Any]:
        """The next message, which must be of ``kind`` (pongs are skipped)."""
        while True:
            message = await self.recv(within)
            if message["type"] == "pong" and kind != "pong":
                continue
            assert message["type"] == kind, message
            return message

    async def close(self) -> None:
        await self.ws.close()

"""The signaling WebSocket (docs/signaling.md): authentication, hello, validation, rate limit.

Everything about calls happens in ``services.signaling.SignalingHub``; this edge only turns frames
into validated messages and coded errors into localized ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field, StrictBool, TypeAdapter, ValidationError
from starlette.websockets import WebSocketState

from videophone.bootstrap import Container
from videophone.calling.services.signaling import PROTOCOL_VERSION
from videophone.edge.deps import SUBSCRIBER_COOKIE
from videophone.edge.guard import json_depth_exceeds
from videophone.edge.i18n import message as translate
from videophone.identity.public import Principal
from videophone.kernel.errors import DomainError

router = APIRouter()

HELLO_TIMEOUT = 10.0
RATE_PER_SECOND = 50
RATE_BURST = 200
CLOSE_UNAUTHENTICATED = 4001
CLOSE_PROTOCOL = 4400
CLOSE_HELLO_TIMEOUT = 4408
CLOSE_RATE = 4429

DeviceId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
Ref = Annotated[str, Field(max_length=64)]
Number = Annotated[str, Field(pattern=r"^[0-9]{5,20}$")]
Sdp = Annotated[str, Field(min_length=1, max_length=100_000)]


class _Msg(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ref: Ref | None = None


class ClientInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Annotated[str, Field(max_length=32)] = "web"
    version: Annotated[str, Field(max_length=32)] = ""


class Hello(_Msg):
    type: Literal["hello"]
    protocol: int
    device_id: DeviceId
    client: ClientInfo = ClientInfo()


class Media(BaseModel):
    model_config = ConfigDict(extra="forbid")
    audio: bool = True
    video: bool = True


class Invite(_Msg):
    type: Literal["invite"]
    call_id: UUID
    to: Number
    sdp: Sdp
    media: Media = Media()
    # The caller's own number the call presents: their number or their second number.
    from_: Number | None = Field(default=None, alias="from")


class Accept(_Msg):
    type: Literal["accept"]
    call_id: UUID
    sdp: Sdp


class CallAction(_Msg):
    type: Literal["reject", "cancel", "hangup"]
    call_id: UUID


class Candidate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    candidate: Annotated[str, Field(max_length=2000)]
    sdpMid: Annotated[str, Field(max_length=64)] | None = None
    sdpMLineIndex: Annotated[int, Field(ge=0, le=64)] | None = None
    usernameFragment: Annotated[str, Field(max_length=256)] | None = None


class Ice(_Msg):
    type: Literal["ice"]
    call_id: UUID
    candidate: Candidate | None


class Description(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["offer", "answer"]
    sdp: Sdp


class Renegotiate(_Msg):
    type: Literal["renegotiate"]
    call_id: UUID
    description: Description


class CallMedia(_Msg):
    """What a party sends right now (camera off, microphone muted), relayed to the peer as is."""

    type: Literal["media"]
    call_id: UUID
    audio: StrictBool
    video: StrictBool


class Ping(_Msg):
    type: Literal["ping"]


ClientMessage = Annotated[
    Hello | Invite | Accept | CallAction | Ice | Renegotiate | CallMedia | Ping, Field(discriminator="type")
]
_ADAPTER: TypeAdapter[Any] = TypeAdapter(ClientMessage)
KNOWN_TYPES = {"hello", "invite", "accept", "reject", "cancel", "hangup", "ice", "renegotiate", "media", "ping"}


class WsLink:
    """The hub's view of one WebSocket: JSON out, errors localized, sends serialized."""

    def __init__(self, websocket: WebSocket, language: str) -> None:
        self.websocket = websocket
        self.language = language
        self._lock = asyncio.Lock()

    async def send(self, message: dict[str, Any]) -> None:
        if message.get("type") == "error" and "message" not in message:
            message = {**message, "message": translate(f"ws_{message['code']}", self.language)}
        async with self._lock:
            if self.websocket.client_state is WebSocketState.CONNECTED:
                await self.websocket.send_text(json.dumps(message, ensure_ascii=False, separators=(",", ":")))

    async def close(self, code: int) -> None:
        with contextlib.suppress(Exception):
            await self.websocket.close(code)


class TokenBucket:
    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.capacity, self.tokens, self.at = rate, burst, burst, time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


async def _authenticate(websocket: WebSocket, container: Container) -> Principal | None:
    header = websocket.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else websocket.cookies.get(SUBSCRIBER_COOKIE)
    if not token:
        return None
    try:
        principal = await container.auth.authenticate(token)
    except DomainError:
        return None
    return principal if principal.type == "subscriber" else None


def _parse(text: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(message, None) or (None, error) — never raises (a frame nested too deep is bad JSON: it is refused
    before parsing, which would recurse once per level)."""
    if json_depth_exceeds(text):
        return None, {"type": "error", "code": "bad_json"}
    try:
        raw = json.loads(text)
    except ValueError:
        return None, {"type": "error", "code": "bad_json"}
    if not isinstance(raw, dict):
        return None, {"type": "error", "code": "bad_json"}
    ref = raw.get("ref") if isinstance(raw.get("ref"), str) else None
    if raw.get("type") not in KNOWN_TYPES:
        return None, {"type": "error", "code": "unknown_type", **({"ref": ref} if ref else {})}
    try:
        parsed = _ADAPTER.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())[1:]) or "message"
        error: dict[str, Any] = {"type": "error", "code": "invalid_message", "field": field}
        if ref:
            error["ref"] = ref
        if isinstance(raw.get("call_id"), str):
            error["call_id"] = raw["call_id"]
        return None, error
    data = parsed.model_dump(mode="json", exclude_none=False, by_alias=True)
    if data.get("ref") is None:
        data.pop("ref", None)
    return data, None


async def _receive(websocket: WebSocket) -> str:
    """The next text frame; a binary frame reads as "" (then refused as bad JSON)."""
    frame = await websocket.receive()
    if frame["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(frame.get("code", 1000))
    text = frame.get("text")
    return text if isinstance(text, str) else ""


@router.websocket("/ws")
async def signaling(websocket: WebSocket) -> None:
    container: Container = websocket.app.state.container
    hub = container.signaling
    await websocket.accept()
    principal = await _authenticate(websocket, container)
    if principal is None:
        await websocket.close(CLOSE_UNAUTHENTICATED)
        return
    link = WsLink(websocket, principal.language)
    try:
        # asyncio.timeout, not wait_for: no extra task per receive (Python 3.11 wraps in one).
        async with asyncio.timeout(HELLO_TIMEOUT):
            first = await _receive(websocket)
    except TimeoutError:
        await websocket.close(CLOSE_HELLO_TIMEOUT)
        return
    except WebSocketDisconnect:
        return
    hello, error = _parse(first)
    if hello is None or hello["type"] != "hello":
        await link.send(error or {"type": "error", "code": "hello_required"})
        await websocket.close(CLOSE_PROTOCOL)
        return
    if hello["protocol"] != PROTOCOL_VERSION:
        await link.send({"type": "error", "code": "protocol_unsupported"})
        await websocket.close(CLOSE_PROTOCOL)
        return
    device_id = hello["device_id"]
    welcome = await container.signaling.connect(principal.id, device_id, link)
    # the web client reported its version; tell it the current web release (it reloads after a call).
    client = hello.get("client") or {}
    reported = str(client.get("version") or "") if client.get("kind") == "web" else ""
    welcome["client_release"] = await container.releases.web_offer(reported)
    joins = welcome.pop("_join", [])
    await link.send(welcome)
    await hub.join_ringing(principal.id, device_id, joins)  # calls ringing for this subscriber ring here
    bucket = TokenBucket(RATE_PER_SECOND, RATE_BURST)
    strikes = 0
    idle_timeout = 3 * welcome["ping_interval"]
    try:
        while True:
            try:
                async with asyncio.timeout(idle_timeout):
                    text = await _receive(websocket)
            except TimeoutError:
                break  # silent for too long: treat as gone
            if not bucket.take():
                strikes += 1
                await link.send({"type": "error", "code": "rate_limited"})
                if strikes > RATE_BURST:
                    await websocket.close(CLOSE_RATE)
                    break
                continue
            message, error = _parse(text)
            if message is None:
                assert error is not None
                await link.send(error)
                continue
            if message["type"] == "hello":
                await link.send(
                    {"type": "error", "code": "out_of_order", **({"ref": message["ref"]} if "ref" in message else {})}
                )
                continue
            await hub.handle(principal.id, device_id, message)
    except WebSocketDisconnect:
        pass
    finally:
        await hub.disconnect(principal.id, device_id, link)

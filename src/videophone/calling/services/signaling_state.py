"""What the signaling hub (``services.signaling``) holds in memory besides the calls' state machines:
the connected devices and what each call needs to be told about (numbers, names, SDPs, nodes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from videophone.calling.domain.caller_id import WITHHELD, ShownCaller
from videophone.calling.domain.calls import DeviceRef


class Link(Protocol):
    """A device's connection (the WebSocket, as the web layer wraps it)."""

    async def send(self, message: dict[str, Any]) -> None: ...

    async def close(self, code: int) -> None: ...


@dataclass
class DeviceSession:
    subscriber_id: int
    device_id: str
    number: str
    name: str
    link: Link


@dataclass
class CallMeta:
    """What the hub needs besides the state machine: numbers, names, SDPs, where devices are."""

    caller_number: str
    caller_name: str
    callee_number: str
    offer: str
    media: dict[str, Any]
    answer: str = ""
    detail: str = ""
    nodes: dict[DeviceRef, str] = field(default_factory=dict)
    credit_limited: bool = False  # the caller has a credit limit: reserve at answer
    caller_shown: ShownCaller = WITHHELD  # what the callee's devices are shown of the caller (ADR 0009)

"""What the signaling hub (``services.signaling``) holds in memory besides the calls' state machines:
the connected devices and what each call needs to be told about (numbers, names, SDPs, nodes)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from videophone.calling.domain.call_rules import Refusal
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
    # Call forwarding and voicemail (R-17, R-18; services.signaling_diversion).
    records: list[str] = field(default_factory=list)  # the call's record, then each forwarded leg's
    limited_legs: dict[str, int] = field(default_factory=dict)  # leg → its payer, who has a credit limit
    chain: list[str] = field(default_factory=list)  # numbers: the caller, then each callee offered the call
    forwarded_by: str = ""  # the number that forwarded the call to its current callee
    lines_held: bool = False  # the call holds its caller's line (and each callee's it could claim)
    voicemail: dict[str, Any] | None = None  # the deposit the caller is sent to (``ended``)
    caller_shown: ShownCaller = WITHHELD  # what the callee's devices are shown of the caller (ADR 0009)
    # Web Push: the caller's ICE candidates trickled while it rings (replayed to a device that
    # joins late), and the devices a push woke (told when the call stops ringing).
    early_ice: list[Any] = field(default_factory=list)
    pushed: set[DeviceRef] = field(default_factory=set)


def meta_of(
    message: Mapping[str, Any],
    caller: Any,
    to: str,
    refusal: Refusal | None,
    device: DeviceRef,
    node_id: str,
    callee_id: int,
    callee_devices: Mapping[str, str],
) -> CallMeta:
    """What the hub keeps of an invite besides the call: numbers, names, offer, where devices are."""
    return CallMeta(
        caller_number=str(message.get("from") or caller.number),
        caller_name=caller.name,
        callee_number=to,
        offer=str(message.get("sdp", "")),
        media=dict(message.get("media") or {"audio": True, "video": True}),
        detail=refusal.detail if refusal is not None else "",
        nodes={device: node_id, **{(callee_id, d): n for d, n in callee_devices.items()}},
        credit_limited=caller.credit_limit_fen is not None,
    )

"""The gateway keeps registered phones present a batch at a time (issue 16): thousands of phones
refreshed in one turn of the event loop held every call's signaling for tens of milliseconds."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from videophone.calling.services import sip_gateway
from videophone.calling.services.sip_gateway import GatewayConfig, SipDevice, SipGateway, SipLink

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    def now(self) -> datetime:
        return NOW


@dataclass
class FakeDeps:
    clock: FakeClock = field(default_factory=FakeClock)


@dataclass
class FakeHub:
    """What the gateway's refresh asks of the hub: pings, and the disconnection of expired phones."""

    deps: FakeDeps = field(default_factory=FakeDeps)
    pinged: list[str] = field(default_factory=list)
    disconnected: list[str] = field(default_factory=list)
    turns: list[int] = field(default_factory=list)  # pings counted each time another task got a turn
    wanted: set[str] = field(default_factory=set)
    done: asyncio.Event = field(default_factory=asyncio.Event)  # every wanted phone pinged, one dropped

    async def handle(self, subscriber_id: int, device_id: str, message: dict[str, Any]) -> None:
        assert message == {"type": "ping"}
        self.pinged.append(device_id)
        self._check()

    async def disconnect(self, subscriber_id: int, device_id: str, link: Any) -> None:
        self.disconnected.append(device_id)
        self._check()

    def _check(self) -> None:
        if set(self.pinged) == self.wanted and self.disconnected:
            self.done.set()


async def test_phones_are_refreshed_a_batch_at_a_time_and_the_expired_ones_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sip_gateway, "REFRESH_SECONDS", 0.2)
    monkeypatch.setattr(sip_gateway, "REFRESH_BATCH", 3)
    hub = FakeHub(wanted={f"sip:{n}" for n in range(1, 11) if n != 4})
    config = GatewayConfig(listen=("127.0.0.1", 0), edge=("127.0.0.1", 5060), domain="d.test", edge_secret="x" * 32)
    gateway = SipGateway(hub, media=None, config=config, lookup=None, registrations=None)  # type: ignore[arg-type]
    for n in range(1, 11):
        device = SipDevice(subscriber_id=n, credential_id=n, auth_user=f"user{n}")
        gateway.links[n] = SipLink(gateway, device)
        # Phone 4's registration has ended: it is dropped, not pinged.
        gateway.until[n] = NOW - timedelta(seconds=1) if n == 4 else NOW + timedelta(hours=1)

    async def watch() -> None:
        while True:
            hub.turns.append(len(hub.pinged) + len(hub.disconnected))
            await asyncio.sleep(0)

    watcher = asyncio.get_running_loop().create_task(watch())
    refresher = asyncio.get_running_loop().create_task(gateway._refresh())
    try:
        # Half a period of waiting, then the batches spread over the other half (a busy machine: longer).
        await asyncio.wait_for(hub.done.wait(), 10)
    finally:
        refresher.cancel()
        watcher.cancel()
        await asyncio.gather(refresher, watcher, return_exceptions=True)
    assert set(hub.pinged) == hub.wanted
    assert hub.disconnected == ["sip:4"] and 4 not in gateway.links
    # Other tasks ran between the batches: never more than a batch of phones in one turn.
    steps = [b - a for a, b in zip(hub.turns, hub.turns[1:], strict=False)]
    assert max(steps) <= 3 and 3 in steps

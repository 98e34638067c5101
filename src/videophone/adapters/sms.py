"""Outgoing SMS (R-35): a generic HTTP gateway in production, files in demo mode, memory in tests.

The HTTP gateway contract (:class:`HttpSmsSender`): ``POST <VIDEOPHONE_SMS_URL>`` with a JSON body
``{"to": "+8613800138000" | "13800138000", "text": "…", "reference": "outbox-42", "timestamp": 1700000000}``
and the headers

* ``Authorization: Bearer <VIDEOPHONE_SMS_TOKEN>``,
* ``X-Signature: <hex HMAC-SHA256 of the exact body bytes, keyed with the token>``.

Any 2xx answer means accepted; anything else (or no answer within the timeout) is an error and the
outbox retries later with the same ``reference``, so a gateway that remembers references sends a
message once even when our first attempt's answer was lost.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import httpx


@dataclass(frozen=True)
class Sms:
    to: str
    text: str
    reference: str = ""  # the sender's id of this message (stable across retries)


class SmsSender(Protocol):
    async def send(self, sms: Sms) -> None: ...


class SmsError(RuntimeError):
    """The gateway did not accept the message."""


def signature(body: bytes, token: str) -> str:
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, token: str, given: str) -> bool:
    """For gateways (and tests): whether ``given`` signs ``body`` with ``token`` (constant time)."""
    return hmac.compare_digest(signature(body, token), given.lower())


class HttpSmsSender:
    """JSON POST to a generic SMS gateway (see the module doc for the contract)."""

    def __init__(
        self, url: str, token: str, *, timeout: float = 15.0, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        if not url:
            raise ValueError("an SMS gateway URL is needed")
        self.url, self.token, self.timeout, self.transport = url, token, timeout, transport

    def request_body(self, sms: Sms) -> bytes:
        payload = {"to": sms.to, "text": sms.text, "reference": sms.reference, "timestamp": int(time.time())}
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    async def send(self, sms: Sms) -> None:
        body = self.request_body(sms)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
            headers["X-Signature"] = signature(body, self.token)
        async with httpx.AsyncClient(timeout=self.timeout, transport=self.transport) as client:
            try:
                response = await client.post(self.url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                raise SmsError(f"SMS gateway unreachable: {type(exc).__name__}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise SmsError(f"SMS gateway answered {response.status_code}: {response.text[:200]}")


class FileSmsSender:
    """Demo mode without a gateway: each SMS is appended to ``<directory>/sms.jsonl`` (one JSON a line)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _append(self, sms: Sms) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with (self.directory / "sms.jsonl").open("a", encoding="utf-8") as f:
            f.write(json.dumps(asdict(sms), ensure_ascii=False) + "\n")

    async def send(self, sms: Sms) -> None:
        await asyncio.to_thread(self._append, sms)

    def read(self) -> list[Sms]:
        path = self.directory / "sms.jsonl"
        if not path.exists():
            return []
        return [Sms(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class MemorySmsSender:
    def __init__(self) -> None:
        self.sent: list[Sms] = []

    async def send(self, sms: Sms) -> None:
        self.sent.append(sms)

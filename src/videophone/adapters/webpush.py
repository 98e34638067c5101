"""Web Push sending (RFC 8030 delivery, RFC 8291 aes128gcm payload encryption, RFC 8292 VAPID).

The cryptography is the libraries' (``pywebpush`` encrypts, ``py_vapid`` signs the VAPID JWT), run in a
worker thread; the POST is ``httpx``'s with a short timeout and no redirects (the endpoint is a URL a
user supplied: the caller checks it, and a redirect must not take the request anywhere else).

The VAPID key is the operator's: ``VIDEOPHONE_VAPID_PRIVATE_KEY`` (PEM, or base64url of the raw 32-byte
scalar), or in demo mode a key generated once into the data directory, so restarts keep the browsers'
subscriptions valid (a subscription is bound to the public key it was made with).  Every node of a
cluster must use the same key.  Neither the key nor an endpoint's path ever reaches a log.
"""

from __future__ import annotations

import asyncio
import base64
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid  # type: ignore[import-untyped]
from pywebpush import WebPusher  # type: ignore[import-untyped]

TIMEOUT_SECONDS = 5.0
JWT_SECONDS = 12 * 3600  # the VAPID token's lifetime (RFC 8292 allows at most 24 h)


class PushGone(Exception):
    """The push service says the subscription no longer exists (404, 410): forget it."""


class PushFailed(Exception):
    """Any other failure (refused, unreachable, timed out); the message names no secret."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def origin_of(endpoint: str) -> str:
    """``scheme://host[:port]`` of an endpoint: what may be logged of it, and the JWT's audience."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def _vapid_of(text: str) -> Any:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise ValueError("the VAPID key must be a P-256 private key")
        return Vapid(key)
    return Vapid.from_raw(text.encode())


def load_or_create_vapid(*, configured: str, key_file: Path, create: bool) -> Any:
    """The VAPID key from settings, else from ``key_file``; created there (0600) when ``create``
    (demo mode).  ``None`` when there is none (push is then off)."""
    if configured:
        return _vapid_of(configured)
    if key_file.exists():
        return _vapid_of(key_file.read_text())
    if not create:
        return None
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    key_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return Vapid(key)


@dataclass(frozen=True)
class Target:
    endpoint: str
    p256dh: str
    auth: str


class WebPush:
    """Sends encrypted push messages signed with the operator's VAPID key."""

    def __init__(
        self, vapid: Any, subject: str, *, allow_insecure: bool = False, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        self._vapid = vapid
        self.subject = subject
        self.allow_insecure = allow_insecure  # http to loopback endpoints too (tests, demos)
        self.timeout = timeout
        raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        self.public_key = _b64url(raw)  # the browser's ``applicationServerKey``

    def __repr__(self) -> str:  # never the key
        return f"WebPush(public_key={self.public_key!r})"

    def _prepare(self, target: Target, payload: bytes, ttl: int, urgency: str) -> tuple[bytes, dict[str, str]]:
        info = {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}
        body = WebPusher(info).encode(payload, "aes128gcm")["body"]
        claims = {"aud": origin_of(target.endpoint), "sub": self.subject, "exp": int(time.time()) + JWT_SECONDS}
        headers = dict(self._vapid.sign(claims))
        headers.update(
            {
                "TTL": str(max(0, ttl)),
                "Urgency": urgency,
                "Content-Encoding": "aes128gcm",
                "Content-Type": "application/octet-stream",
            }
        )
        return body, headers

    async def send(self, target: Target, payload: bytes, *, ttl: int, urgency: str = "normal") -> int:
        """Deliver one message; returns the push service's status (2xx).  Raises :class:`PushGone` on
        404/410 and :class:`PushFailed` on anything else."""
        body, headers = await asyncio.to_thread(self._prepare, target, payload, ttl, urgency)
        try:
            async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False, trust_env=False) as client:
                response = await client.post(target.endpoint, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise PushFailed(f"{type(exc).__name__} from {origin_of(target.endpoint)}") from None
        if response.status_code in (404, 410):
            raise PushGone(f"{response.status_code} from {origin_of(target.endpoint)}")
        if not 200 <= response.status_code < 300:
            raise PushFailed(f"{response.status_code} from {origin_of(target.endpoint)}")
        return response.status_code

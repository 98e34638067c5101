"""TURN REST API credentials in coturn's ``use-auth-secret`` scheme (R-11)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TurnConfig:
    stun_urls: tuple[str, ...] = ()
    turn_urls: tuple[str, ...] = ()
    secret: str = ""
    ttl_seconds: int = 3600


def turn_credential(secret: str, username: str) -> str:
    """coturn checks ``base64(HMAC-SHA1(static-auth-secret, username))``."""
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def ice_servers(config: TurnConfig, subscriber_id: int, now: datetime) -> list[dict[str, object]]:
    """The RTCIceServer list for one subscriber: STUN as is, TURN with credentials that expire."""
    servers: list[dict[str, object]] = []
    if config.stun_urls:
        servers.append({"urls": list(config.stun_urls)})
    if config.turn_urls and config.secret:
        expiry = int(now.timestamp()) + config.ttl_seconds
        username = f"{expiry}:{subscriber_id}"
        servers.append(
            {
                "urls": list(config.turn_urls),
                "username": username,
                "credential": turn_credential(config.secret, username),
            }
        )
    return servers

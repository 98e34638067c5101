"""Web Push subscriptions (R-36): what a browser's subscription must look like before the server ever
sends anything to it, and how many a subscriber keeps.

The server POSTs to the endpoint a browser gave it, so the endpoint is checked like any URL a user
supplies (server-side request forgery): ``https`` only, no credentials in it, at most
:data:`MAX_ENDPOINT` characters.  ``allow_insecure`` (a setting for tests and demos, off by default)
also admits ``http`` to a loopback address — never to anything else.  The keys are the browser's:
``p256dh`` an uncompressed P-256 point (65 bytes), ``auth`` a 16-byte secret, both base64url.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from dataclasses import dataclass

from videophone.kernel.errors import FieldError, ValidationFailed

MAX_ENDPOINT = 1000
MAX_PER_SUBSCRIBER = 10  # devices; a new one beyond this replaces the oldest
P256DH_BYTES = 65
AUTH_BYTES = 16
MAX_LABEL = 100
_B64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
_DEVICE = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?#]*)(?P<rest>[^#]*)$")
_HOST_PORT = re.compile(r"^(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9.-]+))(?::(?P<port>[0-9]{1,5}))?$")


@dataclass(frozen=True)
class NewSubscription:
    device_id: str
    endpoint: str
    p256dh: str
    auth: str
    label: str


def b64url_bytes(text: str) -> bytes | None:
    """The bytes of a base64url text (padding optional), ``None`` when it is not one."""
    if not _B64URL.match(text or ""):
        return None
    try:
        return base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_problem(endpoint: str, *, allow_insecure: bool = False) -> str | None:
    """Why a push endpoint may not be used (an error code), or ``None`` when it may."""
    if not endpoint or len(endpoint) > MAX_ENDPOINT or any(ch.isspace() or ord(ch) < 32 for ch in endpoint):
        return "push_endpoint_invalid"
    url = _URL.match(endpoint)
    if url is None:
        return "push_endpoint_invalid"
    if "@" in url["authority"]:
        return "push_endpoint_credentials"
    where = _HOST_PORT.match(url["authority"])
    if where is None or (where["port"] is not None and not 0 < int(where["port"]) < 65536):
        return "push_endpoint_invalid"
    host = (where["ip6"] or where["host"] or "").lower()
    scheme = url["scheme"].lower()
    if scheme == "https":
        return None
    if scheme == "http" and allow_insecure and _loopback(host):
        return None
    return "push_endpoint_not_https"


def user_agent_label(user_agent: str) -> str:
    """A short label for a device from its browser's user agent ("Chrome · Android")."""
    ua = user_agent or ""
    browser = next(
        (
            name
            for key, name in (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
            if key in ua
        ),
        "",
    )
    system = next(
        (
            name
            for key, name in (
                ("Android", "Android"),
                ("iPhone", "iOS"),
                ("iPad", "iOS"),
                ("Windows", "Windows"),
                ("Mac OS", "macOS"),
                ("Linux", "Linux"),
            )
            if key in ua
        ),
        "",
    )
    return " · ".join(p for p in (browser, system) if p)[:MAX_LABEL]


def parse_subscription(
    device_id: str, endpoint: str, p256dh: str, auth: str, user_agent: str, *, allow_insecure: bool
) -> NewSubscription:
    """Validate a browser's subscription; every problem is reported (``push_*`` codes)."""
    errors: list[FieldError] = []
    if not _DEVICE.match(device_id or ""):
        errors.append(FieldError("device_id", "push_device_invalid"))
    problem = endpoint_problem(endpoint, allow_insecure=allow_insecure)
    if problem is not None:
        errors.append(FieldError("endpoint", problem))
    key = b64url_bytes(p256dh)
    if key is None or len(key) != P256DH_BYTES or key[0] != 4:
        errors.append(FieldError("keys.p256dh", "push_key_invalid"))
    secret = b64url_bytes(auth)
    if secret is None or len(secret) != AUTH_BYTES:
        errors.append(FieldError("keys.auth", "push_auth_invalid"))
    if errors:
        raise ValidationFailed(errors)
    return NewSubscription(device_id, endpoint, p256dh.rstrip("="), auth.rstrip("="), user_agent_label(user_agent))


def to_replace(existing: list[tuple[int, str]], device_id: str) -> list[int]:
    """Which of a subscriber's subscriptions ``(id, device id)`` (oldest first) a new one for
    ``device_id`` replaces: the device's own, then the oldest beyond :data:`MAX_PER_SUBSCRIBER`."""
    gone = [sid for sid, dev in existing if dev == device_id]
    kept = [sid for sid, dev in existing if dev != device_id]
    excess = len(kept) + 1 - MAX_PER_SUBSCRIBER
    return gone + (kept[:excess] if excess > 0 else [])

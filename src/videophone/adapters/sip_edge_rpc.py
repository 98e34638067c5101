"""The SIP edge's management interface (issue 16, ADR 0012): Kamailio's ``jsonrpcs`` over HTTP
(``xhttp``), listening on a loopback address only (``VIDEOPHONE_SIP_EDGE_RPC_URL``).

The service uses it to end registrations at once when a phone's credentials stop being valid
(``ul.rm location <aor>``) and to forget the HA1 the edge keeps for those users' INVITEs
(``htable.delete ha1 <user>``); tests read registrations back with ``ul.dump``.
"""

from __future__ import annotations

import ipaddress
import itertools
import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

log = logging.getLogger(__name__)

USRLOC_TABLE = "location"
HA1_TABLE = "ha1"  # deploy/sip/kamailio.cfg: the HA1 kept per digest user for INVITEs


class EdgeRpcError(RuntimeError):
    """The edge answered a JSON-RPC error (``code``, ``message``) or did not answer."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code


def loopback_address(url: str) -> tuple[str, int]:
    """The (host, port) of an ``http://`` RPC URL on a loopback address; ``ValueError`` otherwise.
    The edge's RPC can end any registration: it must never listen where others can reach it."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname or parts.port is None:
        raise ValueError(f"the SIP edge RPC URL must be http://<loopback address>:<port>/RPC, not {url!r}")
    try:
        address = ipaddress.ip_address(parts.hostname)
    except ValueError:
        raise ValueError(f"the SIP edge RPC must listen on a loopback IP address, not {parts.hostname!r}") from None
    if not address.is_loopback:
        raise ValueError(f"the SIP edge RPC must listen on a loopback address, not {parts.hostname!r}")
    return parts.hostname, parts.port


class EdgeRpc:
    """A JSON-RPC 2.0 client of one edge."""

    def __init__(self, url: str, timeout: float = 2.0, transport: httpx.AsyncBaseTransport | None = None) -> None:
        loopback_address(url)
        self.url = url
        self._timeout = timeout
        self._transport = transport
        self._ids = itertools.count(1)

    async def call(self, method: str, params: Sequence[Any] = ()) -> Any:
        body = {"jsonrpc": "2.0", "method": method, "params": list(params), "id": next(self._ids)}
        try:
            async with httpx.AsyncClient(transport=self._transport, timeout=self._timeout) as client:
                response = await client.post(self.url, json=body)
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise EdgeRpcError(0, f"no answer from the SIP edge: {type(exc).__name__}") from exc
        if not isinstance(answer, dict):
            raise EdgeRpcError(0, "not a JSON-RPC answer")
        error = answer.get("error")
        if error is not None:
            raise EdgeRpcError(int(error.get("code", 0)), str(error.get("message", "")))
        return answer.get("result")

    async def registered_aors(self) -> set[str]:
        """The AoRs the edge holds registrations of (``ul.dump``)."""
        result = await self.call("ul.dump", ["brief"])
        aors: set[str] = set()
        for domain in (result or {}).get("Domains", []):
            for record in (domain.get("Domain") or {}).get("AoRs", []):
                aor = record.get("Info", {}).get("AoR") if isinstance(record.get("Info"), dict) else record.get("AoR")
                if aor:
                    aors.add(str(aor))
        return aors

    async def drop(self, aors: Sequence[str]) -> None:
        """End the registrations of these AoRs now (one already gone is fine).  A failure is logged, not
        raised: the credentials are refused at the next REGISTER anyway (see ADR 0012)."""
        for aor in aors:
            try:
                await self.call("htable.delete", [HA1_TABLE, aor])
            except EdgeRpcError as exc:  # the gateway checks every INVITE's phone again: only logged
                log.warning("SIP edge: could not forget the HA1 of %s: %s", aor, exc)
            try:
                await self.call("ul.rm", [USRLOC_TABLE, aor])
            except EdgeRpcError as exc:
                if exc.code == 404:  # no such registration (Kamailio 5.6 answers success): nothing to end
                    continue
                log.warning("SIP edge: could not end the registration of %s: %s", aor, exc)

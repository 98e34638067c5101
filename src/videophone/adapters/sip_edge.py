"""The SIP edge's configuration (issue 16, ADR 0012): ``deploy/sip/kamailio.cfg`` with its values.

The shipped ``kamailio.cfg`` is a complete Kamailio configuration whose site values are preprocessor
names (``SIP_REALM`` …); :func:`render` writes it with ``videophone-settings.cfg`` beside it, which
defines those names (``#!substdef``) from the settings, and — with a certificate — ``tls.cfg`` for
Kamailio's ``tls`` module (SIP over TLS on ``tls_port``, 5061 by default).  Values are checked, not escaped: each must be
a plain token (no quote, space or delimiter), so nothing in the settings can change the script.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from videophone.adapters.sip_edge_rpc import loopback_address

TEMPLATE = Path(__file__).resolve().parents[3] / "deploy" / "sip" / "kamailio.cfg"
SETTINGS_FILE = "videophone-settings.cfg"
TLS_FILE = "tls.cfg"
_PATH = re.compile(r"^/[A-Za-z0-9._/\-]+$")
_TOKEN = re.compile(r"^[A-Za-z0-9._:/\-\[\]%~]+$")
_SECRET = re.compile(r"^[A-Za-z0-9._~\-]{16,200}$")
_IP = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,3}){3}$")
_REALM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,99}$")


class EdgeConfigError(ValueError):
    """A value the edge's configuration cannot carry."""


@dataclass(frozen=True)
class EdgeConfig:
    listen_host: str
    listen_port: int
    realm: str
    service_url: str  # where the edge reaches the service's /api/v1/sip/* routes
    edge_secret: str
    children: int = 4
    min_expires: int = 60
    rpc_url: str = ""  # the edge's JSON-RPC over HTTP (loopback only); empty: no RPC listener
    tls_cert: str = ""  # PEM certificate (chain) and key of SIP over TLS; both or neither
    tls_key: str = ""
    tls_port: int = 5061
    gateway: tuple[str, int] | None = None  # the service's SIP gateway (TCP); None: no calls, only registration

    def tls(self) -> bool:
        """SIP over TLS is configured (the certificate and key are plain absolute paths)."""
        if not self.tls_cert and not self.tls_key:
            return False
        for name, path in (("VIDEOPHONE_SIP_TLS_CERT", self.tls_cert), ("VIDEOPHONE_SIP_TLS_KEY", self.tls_key)):
            if not _PATH.match(path):
                raise EdgeConfigError(f"{name} must be an absolute path of letters, digits and . _ / -, not {path!r}")
        if not 0 < self.tls_port < 65536 or self.tls_port == self.listen_port:
            raise EdgeConfigError(f"not a TLS port for the edge: {self.tls_port}")
        return True

    def rpc_address(self) -> tuple[str, int] | None:
        if not self.rpc_url:
            return None
        try:
            host, port = loopback_address(self.rpc_url)
        except ValueError as exc:
            raise EdgeConfigError(f"VIDEOPHONE_SIP_EDGE_RPC_URL: {exc}") from None
        if (host, port) == (self.listen_host, self.listen_port):
            raise EdgeConfigError("VIDEOPHONE_SIP_EDGE_RPC_URL must use another port than the SIP listener")
        return host, port

    def defines(self) -> dict[str, str]:
        if not _TOKEN.match(self.listen_host) or not 0 < self.listen_port < 65536:
            raise EdgeConfigError(f"not a listen address: {self.listen_host}:{self.listen_port}")
        if not _REALM.match(self.realm):
            raise EdgeConfigError(f"VIDEOPHONE_SIP_REALM must be a domain-like name, not {self.realm!r}")
        url = self.service_url.rstrip("/")
        if not url.startswith(("http://", "https://")) or not _TOKEN.match(url):
            raise EdgeConfigError(f"not a service URL for the edge: {url!r}")
        if not _SECRET.match(self.edge_secret):
            raise EdgeConfigError("VIDEOPHONE_SIP_EDGE_SECRET must be set: 16 to 200 letters, digits or . _ ~ -")
        # Nonces are signed with a key derived from the shared secret: every edge of a cluster agrees.
        nonce = hmac.new(self.edge_secret.encode(), b"videophone sip nonce", hashlib.sha256).hexdigest()
        rpc = self.rpc_address()
        tls = {"SIP_TLS_PORT": str(self.tls_port)} if self.tls() else {}
        gateway: dict[str, str] = {}
        if self.gateway is not None:
            host, port = self.gateway
            if not _IP.match(host) or not 0 < port < 65536:
                raise EdgeConfigError(f"the SIP gateway must be an IP address and port, not {host}:{port}")
            gateway = {"SIP_GATEWAY_IP": host, "SIP_GATEWAY_ADDRESS": f"{host}:{port}"}
        return {
            **(
                {
                    "SIP_RPC_HOST": f"[{rpc[0]}]" if ":" in rpc[0] else rpc[0],
                    "SIP_RPC_IP": rpc[0],
                    "SIP_RPC_PORT": str(rpc[1]),
                }
                if rpc
                else {}
            ),
            **tls,
            **gateway,
            "SIP_LISTEN_HOST": self.listen_host,
            "SIP_LISTEN_PORT": str(self.listen_port),
            "SIP_REALM": self.realm,
            "SIP_SERVICE_URL": url,
            "SIP_EDGE_SECRET": self.edge_secret,
            "SIP_NONCE_SECRET": nonce[:32],
            "SIP_CHILDREN": str(max(1, self.children)),
            "SIP_MIN_EXPIRES": str(max(1, self.min_expires)),
        }


def settings_text(config: EdgeConfig) -> str:
    lines = ["# Written by `videophone sip-edge render` from the VIDEOPHONE_* settings: do not edit.\n"]
    for name, value in config.defines().items():
        delimiter = next(d for d in "|#@!,;" if d not in value)
        lines.append(f'#!substdef "{delimiter}{name}{delimiter}{value}{delimiter}g"\n')
    if config.rpc_address() is not None:
        lines.append("#!define WITH_RPC\n")
    if config.tls():
        lines.append("#!define WITH_TLS\n")
    if config.gateway is not None:
        lines.append("#!define WITH_GATEWAY\n")
    return "".join(lines)


def tls_text(config: EdgeConfig) -> str:
    """Kamailio's ``tls`` module configuration: the certificate the edge presents; phones are not asked
    for one (they authenticate with digest, as over UDP/TCP)."""
    return (
        "# Written by `videophone sip-edge render` from the VIDEOPHONE_SIP_TLS_* settings: do not edit.\n"
        "[server:default]\n"
        "method = TLSv1.2+\n"
        "verify_certificate = no\n"
        "require_certificate = no\n"
        f"certificate = {config.tls_cert}\n"
        f"private_key = {config.tls_key}\n"
        "\n[client:default]\n"
        "method = TLSv1.2+\n"
        "verify_certificate = no\n"
        "require_certificate = no\n"
    )


def render(config: EdgeConfig, out: Path, template: Path = TEMPLATE) -> Path:
    """Write ``kamailio.cfg`` and its settings into ``out``; the path of ``kamailio.cfg``."""
    out.mkdir(parents=True, exist_ok=True)
    settings = out / SETTINGS_FILE
    settings.touch(mode=0o600)
    settings.chmod(0o600)  # it holds the shared secret
    settings.write_text(settings_text(config), encoding="utf-8")
    if config.tls():
        (out / TLS_FILE).write_text(tls_text(config), encoding="utf-8")
    cfg = out / "kamailio.cfg"
    cfg.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
    return cfg


# Kamailio's shared memory (MiB).  Its default, 64, ran out with 5,000 phones registered at 100 call
# set-ups a second (bench/sip: "could not allocate shared memory from shm pool", calls refused 500):
# registrations, dialogs, the kept HA1s and every transaction in its wait time share it.
SHM_MB = 256


def command(cfg: Path, shm_mb: int = SHM_MB) -> list[str]:
    """Kamailio in the foreground, logging to stderr, with this configuration."""
    return ["kamailio", "-DD", "-E", "-m", str(shm_mb), "-f", str(cfg), "-Y", str(cfg.parent)]


_PROBE = (
    b"OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKprobe;rport\r\n"
    b"Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:probe@127.0.0.1>\r\n"
    b"Call-ID: probe\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
)


def wait_answering(address: tuple[str, int], timeout: float = 30.0) -> None:
    """Until the edge answers on UDP at ``address`` (an OPTIONS outside a dialog gets its 403), at most
    ``timeout`` seconds: a freshly started Kamailio is ready to serve."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.settimeout(0.5)
            probe.sendto(_PROBE, address)
            try:
                if probe.recv(4096).startswith(b"SIP/2.0 "):
                    return
            except OSError:
                time.sleep(0.2)
    raise RuntimeError(f"the SIP edge did not answer at {address[0]}:{address[1]} within {timeout:g} s")

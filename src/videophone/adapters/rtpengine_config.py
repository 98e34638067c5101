"""rtpengine's configuration (issue 16, ADR 0012): ``deploy/sip/rtpengine.conf`` with its values.

Like :mod:`videophone.adapters.sip_edge` does for Kamailio: the shipped ``rtpengine.conf`` is a
template whose ``@NAME@`` marks :func:`render` replaces with checked values (a value is never escaped,
it is refused unless it is a plain address or number), and :func:`command` is rtpengine in the
foreground with that file, userspace only (``--table=-1``), logging to stderr.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[3] / "deploy" / "sip" / "rtpengine.conf"
CONF_FILE = "rtpengine.conf"


class MediaConfigError(ValueError):
    """A value rtpengine's configuration cannot carry."""


def _ip(text: str, what: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise MediaConfigError(f"{what} must be an IP address, not {text!r}") from None


def parse_address(text: str, what: str = "VIDEOPHONE_SIP_MEDIA_NG") -> tuple[str, int]:
    """``host:port`` (``[v6]:port`` for IPv6) as (host, port)."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise MediaConfigError(f"{what} must be address:port, not {text!r}")
    return _ip(host.strip("[]"), what), int(port)


def parse_ports(text: str) -> tuple[int, int]:
    """``30000-30999`` as (30000, 30999)."""
    low, sep, high = text.strip().partition("-")
    if not sep or not low.strip().isdigit() or not high.strip().isdigit():
        raise MediaConfigError(f"VIDEOPHONE_SIP_MEDIA_PORTS must be low-high, e.g. 30000-30999, not {text!r}")
    return int(low), int(high)


@dataclass(frozen=True)
class MediaConfig:
    listen_ng: tuple[str, int] = ("127.0.0.1", 2223)
    interface: str = "127.0.0.1"  # the address media uses, or "local!advertised"
    port_min: int = 30000
    port_max: int = 30999
    table: int = -1
    log_level: int = 5  # notice
    threads: int = 2

    def values(self) -> dict[str, str]:
        host, port = self.listen_ng
        host = _ip(host, "VIDEOPHONE_SIP_MEDIA_NG")
        if not 0 < port < 65536:
            raise MediaConfigError(f"not a port for the ng listener: {port}")
        local, bang, advertised = self.interface.partition("!")
        interface = _ip(local, "VIDEOPHONE_SIP_MEDIA_INTERFACE")
        if bang:
            interface += "!" + _ip(advertised, "VIDEOPHONE_SIP_MEDIA_INTERFACE (advertised address)")
        if not 1024 <= self.port_min < self.port_max <= 65535 or self.port_max - self.port_min < 3:
            raise MediaConfigError(f"not a media port range: {self.port_min}-{self.port_max} (1024-65535, at least 4)")
        if self.port_min <= port <= self.port_max:
            raise MediaConfigError(f"the ng port {port} lies in the media port range")
        if self.table != -1:
            raise MediaConfigError("only userspace forwarding is supported here: table must be -1")
        if not 0 <= self.log_level <= 7 or not 1 <= self.threads <= 64:
            raise MediaConfigError("log level 0-7 and 1-64 threads")
        return {
            "LISTEN_NG": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "INTERFACE": interface,
            "PORT_MIN": str(self.port_min),
            "PORT_MAX": str(self.port_max),
            "LOG_LEVEL": str(self.log_level),
            "THREADS": str(self.threads),
        }


def render(config: MediaConfig, out: Path, template: Path = TEMPLATE) -> Path:
    """Write ``rtpengine.conf`` into ``out``; its path."""
    text = template.read_text(encoding="utf-8")
    for name, value in config.values().items():
        text = text.replace(f"@{name}@", value)
    if "@" in "".join(line.split("#", 1)[0] for line in text.splitlines()):
        raise MediaConfigError(f"{template} has a mark render() does not know")
    out.mkdir(parents=True, exist_ok=True)
    conf = out / CONF_FILE
    conf.write_text(text, encoding="utf-8")
    return conf


def command(conf: Path) -> list[str]:
    """rtpengine in the foreground with this configuration: userspace only, logging to stderr."""
    return [
        "rtpengine",
        f"--config-file={conf}",
        "--config-section=rtpengine",
        "--foreground",
        "--log-stderr",
        "--table=-1",
    ]

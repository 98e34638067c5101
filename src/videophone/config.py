"""Settings read from the environment (``VIDEOPHONE_*``).

Demo mode is off unless asked for (``VIDEOPHONE_DEMO=true``; ``make run`` asks): then the service runs
on one machine with embedded defaults — a SQLite file under ``./var``, an in-process bus and a
data-encryption key file created on first start.  Outside demo mode the service refuses to start while
a secret is missing or still has its published default, naming each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field
from pydantic.config import JsonDict
from pydantic_settings import BaseSettings, SettingsConfigDict

from videophone.adapters.turn import TurnConfig

DEFAULT_SECRET = "change-me-videophone-demo-secret"  # noqa: S105 - the published default, refused outside demo


# Settings whose values never reach a log (adapters/logs.py redacts them wherever they appear) nor a repr.
SECRET: JsonDict = {"secret": True}


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


class SettingsError(RuntimeError):
    """The configuration cannot be used (the message says which setting and why)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VIDEOPHONE_", env_file=None, extra="ignore")

    demo: bool = Field(
        default=False, description="Demo mode: embedded defaults and generated secrets (never for real subscribers)."
    )
    migrate_on_start: bool = Field(
        default=True, description="`serve` upgrades the database before serving (false: `videophone db upgrade` does)"
    )
    data_dir: Path = Path("var")
    database_url: str = ""
    redis_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""
    tls_cert: Path | None = Field(
        default=None, description="PEM certificate (chain) to serve HTTPS directly (with tls_key)."
    )
    tls_key: Path | None = Field(default=None, description="PEM private key of tls_cert.")
    secret_key: str = Field(default=DEFAULT_SECRET, repr=False, json_schema_extra=SECRET)
    data_key: str = Field(
        default="",
        description="base64 of a 32-byte AES-GCM key for personal data.",
        repr=False,
        json_schema_extra=SECRET,
    )
    data_key_file: Path | None = None
    data_key_ring: Path | None = Field(
        default=None,
        description="The data key ring file (default <data dir>/data.keys), written by `videophone keys rotate`.",
    )
    cookie_secure: bool = False
    session_days: int = 30
    # Login throttling (domain/throttling.py): per account and source address, the first failures are
    # free, then each next attempt waits twice as long; only a source address is ever locked out.
    login_free_attempts: int = Field(default=3, ge=1, description="Attempts per account and address before delays")
    login_first_delay_seconds: int = Field(default=1, ge=1, description="The first delay; it doubles per attempt")
    login_max_delay_seconds: int = Field(default=900, ge=1, description="The longest delay per account and address")
    login_forget_seconds: int = Field(default=86_400, ge=1, description="Per account and address, counts restart")
    login_max_failures_per_ip: int = Field(default=30, ge=1, description="Failed attempts per address and window")
    login_window_seconds: int = Field(default=900, ge=1, description="The per-address (and reset) counting window")
    login_ip_lockout_seconds: int = Field(default=900, ge=1, description="How long an address is then locked out")
    log_json: bool = False
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = Field(default="", repr=False, json_schema_extra=SECRET)
    smtp_starttls: bool = False
    mail_from: str = "noreply@videophone.local"
    sms_url: str = Field(default="", description="SMS gateway endpoint (JSON POST); empty: SMS written to files")
    sms_token: str = Field(
        default="",
        description="SMS gateway token (Bearer, and HMAC-SHA256 key of the body)",
        repr=False,
        json_schema_extra=SECRET,
    )
    password_reset_minutes: int = 30
    time_zone: str = Field(default="Asia/Shanghai", description="The operator's calendar (billing periods, days)")
    stun_urls: str = Field(default="", description="Comma-separated STUN URLs, e.g. stun:stun.example.com:3478")
    turn_urls: str = Field(default="", description="Comma-separated TURN URLs, e.g. turn:turn.example.com:3478")
    turn_secret: str = Field(
        default="", description="coturn static-auth-secret (use-auth-secret)", repr=False, json_schema_extra=SECRET
    )
    turn_ttl_seconds: int = 3600
    node_id: str = Field(default="", description="This node's id in a cluster (default: host-pid)")
    node_stale_seconds: float = Field(default=30, description="A node silent this long has its calls ended")
    sweep_seconds: float = Field(default=10, description="How often each node looks for calls of stopped nodes")
    # Metrics for operators (issue 17): GET /metrics in the Prometheus text format, for this bearer only.
    metrics_token: str = Field(
        default="",
        description="Bearer token of GET /metrics (Prometheus); empty: /metrics is off (404)",
        repr=False,
        json_schema_extra=SECRET,
    )

    # The payment gateway: the built-in one runs as `videophone gateway` on its own port.
    gateway_url: str = Field(default="", description="Base URL of the payment gateway (default: built-in)")
    gateway_host: str = "127.0.0.1"
    gateway_port: int = Field(default=8001, description="Port of the built-in gateway (`videophone gateway`)")
    gateway_merchant_id: str = "videophone-demo"
    gateway_secret: str = Field(
        default="", description="HMAC secret shared with the payment gateway", repr=False, json_schema_extra=SECRET
    )
    clock_file: Path | None = Field(
        default=None,
        description="Demo/test only: a file holding a number of seconds the clock runs ahead of real time",
    )

    # The blob store (adapters/blobs): video messages and other large content, always encrypted with the
    # data key; files under var/blobs by default, or an S3-compatible bucket.
    blob_store: Literal["local", "s3"] = Field(default="local", description="Where blobs live: local or s3")
    blob_dir: Path | None = Field(default=None, description="The local blob directory (default: var/blobs)")
    s3_endpoint: str = Field(default="", description="S3-compatible endpoint, e.g. https://s3.example.com:8333")
    s3_bucket: str = Field(default="", description="The bucket (created at start-up if missing)")
    s3_access_key: str = Field(default="", description="S3 access key id")
    s3_secret_key: str = Field(default="", description="S3 secret key", repr=False, json_schema_extra=SECRET)
    s3_region: str = Field(default="us-east-1", description="The region signed into requests")

    # Web Push: the operator's VAPID key (PEM, or base64url of the raw P-256 scalar); in demo mode
    # without one, a key is generated once into the data directory.  Every node must share it.
    vapid_private_key: str = Field(
        default="",
        description="VAPID private key for Web Push (PEM or base64url raw)",
        repr=False,
        json_schema_extra=SECRET,
    )
    vapid_private_key_file: Path | None = None
    vapid_subject: str = Field(
        default="mailto:operator@videophone.local", description="The operator's contact in VAPID tokens (mailto:)"
    )
    push_allow_insecure: bool = Field(
        default=False, description="Tests and demos only: also push to http endpoints on a loopback address"
    )

    # SIP phones (issue 16, ADR 0012): the Kamailio edge registers them, asking the service for HA1s.
    sip_domain: str = Field(default="videophone.local", description="The SIP domain of the phones' addresses")
    sip_registrar: str = Field(default="127.0.0.1:5060", description="host:port of the SIP edge (Kamailio)")
    sip_realm: str = Field(default="", description="The digest realm (default: the SIP domain)")
    sip_transports: str = Field(default="udp,tcp", description="Comma-separated SIP transports of the edge")
    sip_edge_secret: str = Field(
        default="",
        description="Shared secret of the SIP edge's calls to /api/v1/sip/* (empty: those routes are off)",
        repr=False,
        json_schema_extra=SECRET,
    )
    sip_service_url: str = Field(default="", description="The service URL the SIP edge calls (default: public URL)")
    sip_edge_rpc_url: str = Field(
        default="",
        description="The SIP edge's JSON-RPC (Kamailio jsonrpcs over HTTP) on a loopback address, e.g. "
        "http://127.0.0.1:5071/RPC: revoked credentials end their registrations at once (empty: they expire)",
    )
    sip_tls_cert: Path | None = Field(
        default=None, description="PEM certificate (chain) of the SIP edge's TLS listener (with sip_tls_key)"
    )
    sip_tls_key: Path | None = Field(default=None, description="PEM private key of sip_tls_cert")
    sip_tls_port: int = Field(default=5061, ge=1, le=65535, description="The SIP edge's TLS port (with a certificate)")
    sip_free_failures: int = Field(default=5, ge=1, description="Failed digests per user and source before delays")
    sip_max_failures_per_source: int = Field(default=20, ge=1, description="Failed digests per source and window")
    sip_window_seconds: int = Field(default=900, ge=1, description="The per-source counting window")
    sip_lockout_seconds: int = Field(default=900, ge=1, description="How long a source is then locked out")
    # The media relay (rtpengine) of SIP calls: `videophone sip-media run`; the gateway talks to its ng port.
    sip_media_ng: str = Field(default="127.0.0.1:2223", description="rtpengine's ng control address, address:port")
    sip_media_interface: str = Field(
        default="127.0.0.1", description="The address rtpengine relays media on (local!advertised behind 1:1 NAT)"
    )
    sip_media_ports: str = Field(default="30000-30999", description="rtpengine's UDP media port range, low-high")

    def sip_registrar_address(self) -> tuple[str, int]:
        host, _, port = self.sip_registrar.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(f"VIDEOPHONE_SIP_REGISTRAR must be host:port, not {self.sip_registrar!r}")
        return host.strip("[]"), int(port)

    def effective_sip_realm(self) -> str:
        return self.sip_realm or self.sip_domain

    # The SIP gateway (issue 16, ADR 0012): phones' calls, inside this serving node.
    sip_gateway_listen: str = Field(
        default="", description="host:port (TCP) where the SIP edge hands calls to this node (empty: no gateway)"
    )
    sip_gateway_host: str = Field(
        default="", description="This node's address as the edge reaches it (default: listen host)"
    )
    sip_gateway_edge: str = Field(
        default="", description="host:port (TCP) of the edge for the gateway's own requests (default: the registrar)"
    )

    def sip_gateway_addresses(self) -> tuple[tuple[str, int], tuple[str, int]] | None:
        """(listen, edge) of the SIP gateway, or None when it is off."""
        if not self.sip_gateway_listen:
            return None
        listen = _host_port(self.sip_gateway_listen, "VIDEOPHONE_SIP_GATEWAY_LISTEN")
        edge = _host_port(self.sip_gateway_edge, "VIDEOPHONE_SIP_GATEWAY_EDGE") if self.sip_gateway_edge else None
        if not self.sip_edge_secret:
            raise SettingsError("VIDEOPHONE_SIP_GATEWAY_LISTEN needs VIDEOPHONE_SIP_EDGE_SECRET (the edge's proof)")
        return listen, edge or self.sip_registrar_address()

    def sip_media_ng_address(self) -> tuple[str, int]:
        return _host_port(self.sip_media_ng, "VIDEOPHONE_SIP_MEDIA_NG")

    def vapid_key_file(self) -> Path:
        return self.vapid_private_key_file or (self.data_dir / "vapid.pem")

    def effective_gateway_url(self) -> str:
        return (self.gateway_url or f"http://{self.gateway_host}:{self.gateway_port}").rstrip("/")

    def effective_gateway_secret(self) -> str:
        return self.gateway_secret or f"demo-gateway:{self.secret_key}"

    def turn_config(self) -> TurnConfig:
        return TurnConfig(_split(self.stun_urls), _split(self.turn_urls), self.turn_secret, self.turn_ttl_seconds)

    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'videophone.sqlite3').as_posix()}"

    def secret_values(self) -> tuple[str, ...]:
        """Every secret this process knows from its settings: the fields marked secret, the effective
        gateway secret and the passwords inside the database and Redis URLs (as written and decoded)."""
        values = [str(getattr(self, name)) for name in SECRET_FIELDS]
        values.append(self.effective_gateway_secret())
        values += self._key_ring_values()
        for url in (self.database_url, self.redis_url):
            try:
                password = urlsplit(url).password
            except ValueError:
                password = None
            if password:
                values += [password, unquote(password)]
        return tuple(dict.fromkeys(v for v in values if v))

    def effective_public_url(self) -> str:
        scheme = "https" if self.tls_cert else "http"
        return self.public_url or f"{scheme}://{self.host}:{self.port}"

    def check_tls(self) -> None:
        """Serving HTTPS needs both the certificate and its key, as readable files."""
        if (self.tls_cert is None) != (self.tls_key is None):
            raise SettingsError("VIDEOPHONE_TLS_CERT and VIDEOPHONE_TLS_KEY go together: set both or neither")
        for name, path in (("VIDEOPHONE_TLS_CERT", self.tls_cert), ("VIDEOPHONE_TLS_KEY", self.tls_key)):
            if path is not None and not path.is_file():
                raise SettingsError(f"{name}: no such file {path}")

    def effective_blob_dir(self) -> Path:
        return self.blob_dir or (self.data_dir / "blobs")

    def key_file(self) -> Path:
        return self.data_key_file or (self.data_dir / "data.key")

    def key_ring_file(self) -> Path:
        return self.data_key_ring or (self.data_dir / "data.keys")

    def _key_ring_values(self) -> list[str]:
        """The keys written in the key ring file (its third column), for the log redactor."""
        try:
            text = self.key_ring_file().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return []
        return [p[2] for line in text.splitlines() if len(p := line.split()) == 3 and not p[0].startswith("#")]

    def check_secrets(self) -> None:
        """Refuse default or missing secrets outside demo mode."""
        if self.demo:
            return
        problems = []
        if not self.secret_key or self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32:
            problems.append("VIDEOPHONE_SECRET_KEY must be set to a random value of at least 32 characters")
        if (
            not self.data_key
            and not (self.data_key_file and self.data_key_file.exists())
            and not (self.data_key_ring and self.data_key_ring.exists())
        ):
            problems.append(
                "VIDEOPHONE_DATA_KEY (or an existing VIDEOPHONE_DATA_KEY_FILE or VIDEOPHONE_DATA_KEY_RING) must be set"
            )
        if not self.database_url:
            problems.append("VIDEOPHONE_DATABASE_URL must be set")
        if not self.gateway_secret or len(self.gateway_secret) < 32:
            problems.append("VIDEOPHONE_GATEWAY_SECRET must be set to a random value of at least 32 characters")
        if self.turn_urls and not self.turn_secret:
            problems.append(
                "VIDEOPHONE_TURN_SECRET must be set with VIDEOPHONE_TURN_URLS (coturn's static-auth-secret)"
            )
        if self.sms_url and not self.sms_token:
            problems.append("VIDEOPHONE_SMS_TOKEN must be set with VIDEOPHONE_SMS_URL")
        if self.metrics_token and len(self.metrics_token) < 32:
            problems.append("VIDEOPHONE_METRICS_TOKEN must be a random value of at least 32 characters (or empty: off)")
        if self.clock_file is not None:
            problems.append("VIDEOPHONE_CLOCK_FILE is for demos and tests only (demo mode)")
        if problems:
            raise SettingsError("; ".join(problems))


SECRET_FIELDS: tuple[str, ...] = tuple(
    name
    for name, info in Settings.model_fields.items()
    if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("secret") is True
)


def _host_port(value: str, name: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingsError(f"{name} must be host:port, not {value!r}")
    return host.strip("[]"), int(port)

"""`videophone serve` answers over HTTPS with VIDEOPHONE_TLS_CERT/VIDEOPHONE_TLS_KEY (issue 15: a phone
or another computer gets the camera only from an https page), and refuses half a TLS setting."""

from __future__ import annotations

import ipaddress
import json
import os
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.server import free_port, videophone_command


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key (as `openssl req -x509` would make one)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "videophone test")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "VIDEOPHONE_DATA_DIR": str(tmp_path / "var"), "VIDEOPHONE_DEMO": "true", **extra}
    env.pop("VIDEOPHONE_DATABASE_URL", None)
    return env


def test_serve_answers_over_https_with_the_configured_certificate(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    port = free_port()
    env = _env(tmp_path, VIDEOPHONE_TLS_CERT=str(cert), VIDEOPHONE_TLS_KEY=str(key))
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [*videophone_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    trusted = ssl.create_default_context(cafile=str(cert))
    try:
        body: dict[str, object] | None = None
        deadline = time.monotonic() + 60
        while body is None and time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                with urllib.request.urlopen(f"https://127.0.0.1:{port}/api/v1/health", context=trusted) as answer:
                    assert answer.status == 200
                    body = json.loads(answer.read())
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.25)
        assert body is not None, (tmp_path / "serve.log").read_text()
        # It is TLS that answers: plain HTTP on that port gets no HTTP answer, and a client that does
        # not trust the certificate refuses it.
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5)
            plain_refused = False
        except (urllib.error.URLError, ConnectionError, OSError):
            plain_refused = True
        assert plain_refused
        try:
            urllib.request.urlopen(f"https://127.0.0.1:{port}/api/v1/health", timeout=5)
            untrusted_refused = False
        except urllib.error.URLError as exc:
            untrusted_refused = isinstance(exc.reason, ssl.SSLCertVerificationError)
        assert untrusted_refused
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def test_serve_refuses_a_certificate_without_its_key(tmp_path: Path) -> None:
    cert, _ = self_signed(tmp_path)
    result = subprocess.run(
        [*videophone_command(), "serve", "--port", str(free_port())],
        cwd=tmp_path,
        env=_env(tmp_path, VIDEOPHONE_TLS_CERT=str(cert)),
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert b"VIDEOPHONE_TLS_KEY" in result.stdout

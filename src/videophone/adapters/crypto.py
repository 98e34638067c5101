"""Encryption of personal data at rest (AES-256-GCM) and token hashing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"\x01"


class FieldCipher:
    """Encrypts one field value; the column name is bound as associated data.

    Stored form: ``base64(version || nonce(12) || ciphertext+tag)``.  A value moved to another column
    does not decrypt.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the data key must be 32 bytes")
        self._aead = AESGCM(key)
        self._blind_key = hashlib.sha256(b"videophone-blind-index" + key).digest()

    def encrypt(self, plaintext: str, *, context: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return base64.b64encode(_VERSION + nonce + sealed).decode("ascii")

    def decrypt(self, stored: str, *, context: str) -> str:
        raw = base64.b64decode(stored)
        if raw[:1] != _VERSION:
            raise ValueError("unknown ciphertext version")
        return self._aead.decrypt(raw[1:13], raw[13:], context.encode()).decode()

    def seal(self, data: bytes, *, context: str) -> bytes:
        """Encrypt binary content (uploaded documents): ``version || nonce || ciphertext+tag``."""
        nonce = os.urandom(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, data, context.encode())

    def open(self, sealed: bytes, *, context: str) -> bytes:
        if sealed[:1] != _VERSION:
            raise ValueError("unknown ciphertext version")
        return self._aead.decrypt(sealed[1:13], sealed[13:], context.encode())

    def blind_index(self, value: str) -> str:
        """A keyed hash to find equal values without decrypting (e.g. duplicate ID numbers)."""
        return hmac.new(self._blind_key, value.encode(), hashlib.sha256).hexdigest()


def load_or_create_key(*, configured: str, key_file: Path, create: bool) -> bytes:
    """The data key from settings (base64) or the key file; in demo mode the file is created."""
    if configured:
        key = base64.b64decode(configured)
        if len(key) != 32:
            raise ValueError("VIDEOPHONE_DATA_KEY must be base64 of 32 bytes")
        return key
    if key_file.exists():
        key = base64.b64decode(key_file.read_text().strip())
        if len(key) != 32:
            raise ValueError(f"{key_file} does not hold base64 of 32 bytes")
        return key
    if not create:
        raise ValueError("no data key configured")
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = AESGCM.generate_key(bit_length=256)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(base64.b64encode(key).decode("ascii") + "\n")
    return key


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Tokens are stored only as their SHA-256, so a database leak does not leak sessions."""
    return hashlib.sha256(token.encode()).hexdigest()

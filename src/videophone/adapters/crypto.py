"""Encryption of personal data at rest (AES-256-GCM) and token hashing.

Personal data is encrypted with the *current* key of a key ring (:mod:`videophone.adapters.keyring`);
the ring's other keys are only read, so a key can be rotated while the service runs
(``videophone keys rotate``, docs/operations.md "Rotate the data key").  Every ciphertext says which
key made it:

* format 2 (written now): ``version(0x02) || key id(8) || nonce(12) || ciphertext+tag`` — the key id
  is the first 8 bytes of ``SHA-256("videophone-data-key-id" || key)``, so it names a key without
  revealing it and needs no configuration;
* format 1 (written before key ids): ``version(0x01) || nonce(12) || ciphertext+tag`` — still read, by
  trying each key of the ring (AES-GCM's tag tells a wrong key from the right one).

Text fields are stored as base64 of those bytes; the first 9 bytes of a format-2 value (version and key
id) are exactly the first 12 base64 characters, so "is this field on the current key?" is a prefix
comparison the database can make without decrypting anything.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_V1 = b"\x01"
_V2 = b"\x02"
KEY_ID_BYTES = 8
NONCE_BYTES = 12
TEXT_PREFIX_CHARS = 12  # base64 of version + key id (9 bytes)


def key_id(key: bytes) -> bytes:
    """The 8-byte id of a data key (a keyed-hash fingerprint: it does not reveal the key)."""
    return hashlib.sha256(b"videophone-data-key-id" + key).digest()[:KEY_ID_BYTES]


def sealed_prefix(kid: bytes) -> bytes:
    """The first bytes of every value sealed by the key with id ``kid``."""
    return _V2 + kid


def text_prefix(kid: bytes) -> str:
    """The first characters of every text field encrypted by the key with id ``kid``."""
    return base64.b64encode(sealed_prefix(kid)).decode("ascii")


class UnknownKey(ValueError):
    """A ciphertext made by a key that is not in the ring (or altered, or from another column)."""


class FieldCipher:
    """Encrypts one field value; the column name is bound as associated data.

    ``key`` is the current key (it encrypts); ``readable`` are older keys kept for reading until a
    rotation has moved every value to the current key.  Stored form: see the module's docstring.  A
    value moved to another column does not decrypt.
    """

    def __init__(self, key: bytes, readable: Sequence[bytes] = ()) -> None:
        for k in (key, *readable):
            if len(k) != 32:
                raise ValueError("the data key must be 32 bytes")
        self._key_id = key_id(key)
        self._aead = AESGCM(key)
        self._blind_key = _blind_key(key)
        keys = dict.fromkeys((key, *readable))  # ordered, without duplicates, the current key first
        self._readers = {key_id(k): AESGCM(k) for k in keys}
        self._blind_keys = [_blind_key(k) for k in keys]

    @property
    def key_id(self) -> str:
        """The current key's id, as hex (what ``videophone keys status`` shows)."""
        return self._key_id.hex()

    @property
    def key_ids(self) -> list[bytes]:
        """The ids of every key this cipher reads with, the current key's first."""
        return list(self._readers)

    def prefix(self) -> bytes:
        """The first bytes of every sealed value the current key makes."""
        return sealed_prefix(self._key_id)

    def text_prefix(self) -> str:
        """The first characters of every text field the current key makes."""
        return text_prefix(self._key_id)

    def encrypt(self, plaintext: str, *, context: str) -> str:
        return base64.b64encode(self.seal(plaintext.encode(), context=context)).decode("ascii")

    def decrypt(self, stored: str, *, context: str) -> str:
        try:
            raw = base64.b64decode(stored, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("a stored ciphertext is not base64") from exc
        return self.open(raw, context=context).decode()

    def seal(self, data: bytes, *, context: str) -> bytes:
        """Encrypt binary content (uploaded documents, blobs) with the current key."""
        nonce = os.urandom(NONCE_BYTES)
        return self.prefix() + nonce + self._aead.encrypt(nonce, data, context.encode())

    def open(self, sealed: bytes, *, context: str) -> bytes:
        version = sealed[:1]
        if version == _V2:
            kid, body = sealed[1 : 1 + KEY_ID_BYTES], sealed[1 + KEY_ID_BYTES :]
            aead = self._readers.get(kid)
            if aead is None:
                raise UnknownKey(f"sealed with data key {kid.hex()}, which is not in the key ring")
            return aead.decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], context.encode())
        if version == _V1:
            for aead in self._readers.values():
                try:
                    return aead.decrypt(sealed[1:13], sealed[13:], context.encode())
                except InvalidTag:
                    continue
            raise InvalidTag()
        raise ValueError("unknown ciphertext version")

    def sealed_key_id(self, sealed: bytes) -> str | None:
        """The id (hex) of the key that made ``sealed``; None for format 1 (no id)."""
        return sealed[1 : 1 + KEY_ID_BYTES].hex() if sealed[:1] == _V2 else None

    def is_current(self, sealed: bytes) -> bool:
        return sealed[: 1 + KEY_ID_BYTES] == self.prefix()

    def reseal(self, sealed: bytes, *, context: str) -> bytes:
        """``sealed`` made by the current key (unchanged if it already is)."""
        if self.is_current(sealed):
            return sealed
        return self.seal(self.open(sealed, context=context), context=context)

    def reencrypt(self, stored: str, *, context: str) -> str:
        """A text field made by the current key (unchanged if it already is)."""
        if stored.startswith(self.text_prefix()):
            return stored
        return self.encrypt(self.decrypt(stored, context=context), context=context)

    def blind_index(self, value: str) -> str:
        """A keyed hash to find equal values without decrypting (e.g. duplicate ID numbers)."""
        return hmac.new(self._blind_key, value.encode(), hashlib.sha256).hexdigest()

    def blind_indexes(self, value: str) -> list[str]:
        """The blind index of ``value`` under every key of the ring, the current key's first: what a
        lookup compares with while a rotation has recomputed some rows and not yet others."""
        return [hmac.new(k, value.encode(), hashlib.sha256).hexdigest() for k in self._blind_keys]


def _blind_key(key: bytes) -> bytes:
    return hashlib.sha256(b"videophone-blind-index" + key).digest()


def generate_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


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

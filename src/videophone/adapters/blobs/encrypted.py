"""Encryption at rest for any blob store: AES-256-GCM per object, bound to its key.

The backend (a local disk, a bucket run by someone else) only ever holds ciphertext.  Each object is
sealed by :meth:`videophone.adapters.crypto.FieldCipher.seal` — the same primitive and data key
(``VIDEOPHONE_DATA_KEY``) as the personal data in the database — in its stored form
``version(1) || key id(8) || nonce(12) || ciphertext || tag(16)`` (objects written before key ids, without
the key id, are still read): a fresh random nonce per write and the associated
data ``blob:<object key>``.  So an object copied or renamed to another key does not decrypt (one
subscriber's message cannot be made to play in another's mailbox by moving files), a flipped bit is
detected, and the ``blob:`` prefix keeps these ciphertexts apart from the other uses of the data key
(identity documents, evidence, photos).  A failure to decrypt is :class:`~.base.BlobCorrupt`.

``usage`` counts *stored* bytes: each object's plaintext plus :data:`OVERHEAD` (37 bytes) — what the
disk or the bucket is billed for.

Sealing a few MB takes milliseconds; objects above :data:`INLINE_LIMIT` are sealed and opened in a
worker thread all the same, so the event loop never waits on them.
"""

from __future__ import annotations

import asyncio

from cryptography.exceptions import InvalidTag

from videophone.adapters.blobs.base import BlobCorrupt, BlobStore, check_key
from videophone.adapters.crypto import FieldCipher

OVERHEAD = 1 + 8 + 12 + 16  # version byte, key id, nonce, GCM tag
INLINE_LIMIT = 256 * 1024


def _context(key: str) -> str:
    return f"blob:{key}"


class EncryptedBlobStore:
    """Wraps ``inner`` so that everything it stores is AES-256-GCM ciphertext (``key``: 32 bytes, or a
    :class:`FieldCipher` of the key ring: objects are sealed with its current key, opened with any)."""

    def __init__(self, inner: BlobStore, key: bytes | FieldCipher) -> None:
        self.inner = inner
        self._cipher = key if isinstance(key, FieldCipher) else FieldCipher(key)  # checks the key's length

    def __repr__(self) -> str:
        return f"EncryptedBlobStore({self.inner!r})"

    async def prepare(self) -> None:
        await self.inner.prepare()

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        check_key(key)
        if len(data) > INLINE_LIMIT:
            sealed = await asyncio.to_thread(self._cipher.seal, bytes(data), context=_context(key))
        else:
            sealed = self._cipher.seal(bytes(data), context=_context(key))
        # The backend sees only ciphertext; the content type it is told is not the plaintext's.
        await self.inner.put(key, sealed, "application/octet-stream")

    async def get(self, key: str) -> bytes:
        sealed = await self.inner.get(key)
        try:
            if len(sealed) > INLINE_LIMIT:
                return await asyncio.to_thread(self._cipher.open, sealed, context=_context(key))
            return self._cipher.open(sealed, context=_context(key))
        except (InvalidTag, ValueError) as exc:
            raise BlobCorrupt(
                f"blob {key!r} does not decrypt: altered, copied from another key, or sealed with another data key"
            ) from exc

    async def exists(self, key: str) -> bool:
        return await self.inner.exists(key)

    async def delete(self, key: str) -> None:
        await self.inner.delete(key)

    async def delete_prefix(self, prefix: str) -> int:
        return await self.inner.delete_prefix(prefix)

    async def usage(self, prefix: str) -> int:
        """Stored (encrypted) bytes: the plaintext sizes plus :data:`OVERHEAD` per object."""
        return await self.inner.usage(prefix)

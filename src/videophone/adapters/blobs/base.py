"""The blob store's contract: the protocol every backend implements, its errors and its keys.

A *blob* is an opaque byte string (a recorded video message, a few MB) stored under a *key* such as
``voicemail/<subscriber id>/<message id>``.  Keys are checked here, once, for every backend: a small
alphabet (``A-Z a-z 0-9 . _ -``), ``/``-separated segments, none empty, none starting with a dot (so no
``.`` or ``..``, and no clash with the local store's temporary files), no leading or trailing ``/``, at
most :data:`MAX_KEY_LENGTH` characters.  A bad key is a :class:`ValueError` before any I/O, so that no
key, whatever a caller builds it from, can name a path outside the local directory or an unexpected
S3 object.

A *prefix* names a folder of keys, segment by segment: ``voicemail/42`` (or ``voicemail/42/``) covers
``voicemail/42/…`` and never ``voicemail/420/…`` — deleting one subscriber's messages must not touch
another's.
"""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

MAX_KEY_LENGTH = 512  # well under S3's 1,024 bytes and any file system's path limit
MAX_SEGMENT_LENGTH = 128  # well under a file name's 255 bytes, temporary-file suffix included
_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


class BlobStoreError(RuntimeError):
    """The store could not do what was asked (the message says what and why; never a secret)."""


class BlobNotFound(BlobStoreError):
    """No blob is stored under this key (``.key`` says which)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no blob stored under {key!r}")
        self.key = key


class BlobCorrupt(BlobStoreError):
    """A stored blob does not decrypt: tampered with, copied from another key, or sealed with another
    data key."""


class BlobStoreUnavailable(BlobStoreError):
    """The backend did not answer in time or could not be reached (worth retrying later)."""


def check_key(key: str) -> str:
    """``key`` if it is a valid blob key, else :class:`ValueError` (saying why, without echoing more
    than the start of a long key)."""
    if not isinstance(key, str) or not key:
        raise ValueError("a blob key must be a non-empty string")
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"a blob key is at most {MAX_KEY_LENGTH} characters (got {len(key)})")
    for segment in key.split("/"):
        if not segment:
            raise ValueError(f"blob key {key[:80]!r}: empty segment (leading, trailing or doubled '/')")
        if len(segment) > MAX_SEGMENT_LENGTH:
            raise ValueError(f"blob key {key[:80]!r}: a segment is at most {MAX_SEGMENT_LENGTH} characters")
        if not _SEGMENT.fullmatch(segment):
            raise ValueError(f"blob key {key[:80]!r}: segments use only A-Z a-z 0-9 . _ - and do not start with '.'")
    return key


def check_prefix(prefix: str) -> str:
    """The folder a prefix names, normalised to end with ``/`` (``voicemail/42/``); :class:`ValueError`
    for anything that is not a valid key once a trailing ``/`` is dropped — the empty prefix too, so
    that ``delete_prefix`` can never mean "everything"."""
    if not isinstance(prefix, str):
        raise ValueError("a blob prefix must be a string")
    folder = prefix[:-1] if prefix.endswith("/") else prefix
    if not folder:
        raise ValueError("a blob prefix must name a folder (e.g. 'voicemail/42'); the whole store is refused")
    check_key(folder)
    return folder + "/"


@runtime_checkable
class BlobStore(Protocol):
    """Where video messages and other large binary content live (local directory or S3-compatible).

    Every method checks its key or prefix first (:func:`check_key`, :func:`check_prefix`).  ``put``
    replaces a blob whole or not at all: a reader sees the old bytes or the new, never a mixture.
    """

    async def prepare(self) -> None:
        """Called once at start-up: creates the directory or the bucket if missing, and fails with a
        clear message if the backend cannot be used (wrong endpoint, refused credentials)."""
        ...

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes:
        """The blob's bytes; :class:`BlobNotFound` if there is none."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None:
        """Removes the blob; deleting a missing blob is not an error (retries and races are harmless)."""
        ...

    async def delete_prefix(self, prefix: str) -> int:
        """Removes every blob under the folder ``prefix``; returns how many there were."""
        ...

    async def usage(self, prefix: str) -> int:
        """Bytes stored under the folder ``prefix`` (as stored: see :class:`EncryptedBlobStore`)."""
        ...

    async def aclose(self) -> None:
        """Releases connections; the store is not used afterwards."""
        ...

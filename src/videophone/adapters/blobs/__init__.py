"""The blob store: large binary content (video messages) kept outside the database, encrypted at rest.

``make_blob_store(settings)`` builds the configured backend — :class:`LocalBlobStore` (default, files
under ``var/blobs``) or :class:`S3BlobStore` (any S3-compatible server) — always wrapped in
:class:`EncryptedBlobStore`, so no configuration can store plaintext.  Call ``prepare()`` once at
start-up (creates the directory or the bucket) and ``aclose()`` at shutdown.

The contract every backend keeps is in :mod:`.base`; the modules say why each is built as it is.
"""

from __future__ import annotations

from videophone.adapters import keyring
from videophone.adapters.blobs.base import (
    MAX_KEY_LENGTH,
    BlobCorrupt,
    BlobNotFound,
    BlobStore,
    BlobStoreError,
    BlobStoreUnavailable,
    check_key,
    check_prefix,
)
from videophone.adapters.blobs.encrypted import OVERHEAD, EncryptedBlobStore
from videophone.adapters.blobs.local import LocalBlobStore
from videophone.adapters.blobs.s3 import S3BlobStore
from videophone.adapters.crypto import FieldCipher
from videophone.config import Settings, SettingsError

__all__ = [
    "MAX_KEY_LENGTH",
    "OVERHEAD",
    "BlobCorrupt",
    "BlobNotFound",
    "BlobStore",
    "BlobStoreError",
    "BlobStoreUnavailable",
    "EncryptedBlobStore",
    "LocalBlobStore",
    "S3BlobStore",
    "check_key",
    "check_prefix",
    "make_blob_store",
]


def make_blob_store(settings: Settings, *, data_key: bytes | FieldCipher | None = None) -> BlobStore:
    """The configured blob store, encrypted with ``data_key`` (default: the service's key ring, read
    as the composition root reads it).  A misconfiguration is a :class:`SettingsError` naming the
    settings to fix, raised here — at start-up — rather than at the first voicemail."""
    key = data_key
    if key is None:
        key = keyring.load(
            ring_file=settings.key_ring_file(),
            configured=settings.data_key,
            key_file=settings.key_file(),
            create=settings.demo,
        ).cipher()
    inner: BlobStore
    if settings.blob_store == "s3":
        missing = [
            name
            for name, value in (
                ("VIDEOPHONE_S3_ENDPOINT", settings.s3_endpoint),
                ("VIDEOPHONE_S3_BUCKET", settings.s3_bucket),
                ("VIDEOPHONE_S3_ACCESS_KEY", settings.s3_access_key),
                ("VIDEOPHONE_S3_SECRET_KEY", settings.s3_secret_key),
            )
            if not value
        ]
        if missing:
            raise SettingsError(f"VIDEOPHONE_BLOB_STORE=s3 needs {', '.join(missing)}")
        try:
            inner = S3BlobStore(
                settings.s3_endpoint,
                settings.s3_bucket,
                settings.s3_access_key,
                settings.s3_secret_key,
                settings.s3_region,
            )
        except ValueError as exc:
            raise SettingsError(f"VIDEOPHONE_S3_*: {exc}") from exc
    else:
        inner = LocalBlobStore(settings.effective_blob_dir())
    return EncryptedBlobStore(inner, key)

"""Blobs as files under one directory (the default: ``var/blobs`` beside the SQLite file).

Key ``voicemail/42/m1`` is the file ``<directory>/voicemail/42/m1``: keys are checked first
(:mod:`.base`), so a key can only name a path below the directory.  Every file operation runs in a
worker thread (:func:`asyncio.to_thread`): a few MB written and fsynced must not stall the event loop
that carries calls' signaling.

A write is atomic and durable: the bytes go to a temporary file in the target's own directory (so
that the rename never crosses a file system), are fsynced, then renamed over the target, and the
directory is fsynced so the rename survives a crash.  A reader therefore sees the old blob or the new
one, never half a file; a crash leaves at most a ``.tmp-*`` file, which no listing counts (key
segments never start with a dot).

A file system cannot hold both a file ``a/b`` and a folder ``a/b/``; S3 can.  Such a pair of keys is
refused here with a :class:`BlobStoreError` (the keys this service builds never form one).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import tempfile
from pathlib import Path

from videophone.adapters.blobs.base import BlobNotFound, BlobStoreError, check_key, check_prefix

_TEMP_PREFIX = ".tmp-"
_FILE_MODE = 0o600  # blobs are personal data (ciphertext, but still nobody else's business)


class LocalBlobStore:
    """A :class:`~videophone.adapters.blobs.base.BlobStore` over a local directory."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)

    def __repr__(self) -> str:
        return f"LocalBlobStore({str(self.directory)!r})"

    def _path(self, key: str) -> Path:
        return self.directory.joinpath(*check_key(key).split("/"))

    def _folder(self, prefix: str) -> Path:
        return self.directory.joinpath(*check_prefix(prefix).rstrip("/").split("/"))

    async def prepare(self) -> None:
        await asyncio.to_thread(self.directory.mkdir, parents=True, exist_ok=True)

    async def aclose(self) -> None:
        return None

    # -- single blobs ---------------------------------------------------------------------------------

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        # The content type is not kept: the caller stores it with its own record (a file system has no
        # place for it, and one backend that forgets it is better than two that disagree).
        path = self._path(key)
        await asyncio.to_thread(self._write, key, path, bytes(data))

    def _write(self, key: str, path: Path, data: bytes) -> None:
        for attempt in range(3):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=path.parent)
                break
            except FileNotFoundError:  # a concurrent delete_prefix removed the folder: make it again
                if attempt == 2:
                    raise
            except (NotADirectoryError, FileExistsError) as exc:
                raise BlobStoreError(f"blob key {key!r}: a part of its path is already a blob") from exc
        try:
            os.fchmod(fd, _FILE_MODE)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.replace(temp, path)
            except IsADirectoryError as exc:
                raise BlobStoreError(f"blob key {key!r} is already a folder of other blobs") from exc
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise
        _fsync_directory(path.parent)

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise BlobNotFound(key) from None

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await asyncio.to_thread(_unlink_file, path)

    # -- folders --------------------------------------------------------------------------------------

    async def delete_prefix(self, prefix: str) -> int:
        return await asyncio.to_thread(self._delete_folder, self._folder(prefix))

    async def usage(self, prefix: str) -> int:
        return await asyncio.to_thread(_folder_size, self._folder(prefix))

    def _delete_folder(self, folder: Path) -> int:
        deleted = 0
        for root, dirs, files in os.walk(folder, topdown=False):
            for name in files:
                if not name.startswith(_TEMP_PREFIX) and _unlink_file(Path(root, name)):
                    deleted += 1
            for name in dirs:
                _remove_empty_dir(Path(root, name))
        _remove_empty_dir(folder)
        return deleted


def _unlink_file(path: Path) -> bool:
    """Removes a blob's file; False if there was none (a folder of that name is not a blob)."""
    try:
        os.unlink(path)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return False
    except PermissionError:
        if path.is_dir():  # some systems say EPERM for unlink() of a directory
            return False
        raise
    return True


def _remove_empty_dir(path: Path) -> None:
    try:
        os.rmdir(path)
    except OSError as exc:  # not empty (a put raced in), already gone: both fine
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT, errno.ENOTDIR):
            raise


def _folder_size(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            if name.startswith(_TEMP_PREFIX):
                continue
            with contextlib.suppress(FileNotFoundError):  # deleted while we walk
                total += os.stat(os.path.join(root, name)).st_size
    return total


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

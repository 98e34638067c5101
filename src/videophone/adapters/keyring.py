"""The data key ring: which key encrypts personal data now, and which older keys are still read.

Without a ring file the service has one key (``VIDEOPHONE_DATA_KEY`` or the key file, as before).
``videophone keys rotate`` writes the ring file (``VIDEOPHONE_DATA_KEY_RING``, default
``<data dir>/data.keys``, mode 0600), one key a line::

    # videophone data key ring (docs/operations.md, "Rotate the data key")
    current 3f2a…  <base64 of 32 bytes>
    old     91c0…  <base64>
    retired 77d1…  <base64>
    next    a0b4…  <base64>

* ``current`` encrypts (exactly one);
* ``old``: a rotation away from it is in progress — values on it are being re-encrypted;
* ``retired``: a finished rotation moved everything off it; still read (a restored backup, a node that
  wrote with it before it learnt the new key) until the operator deletes the line;
* ``next``: prepared by ``videophone keys prepare`` — read, not yet used to encrypt, so that every node
  can read it before any node writes with it.

The second column is the key id (:func:`videophone.adapters.crypto.key_id`), for people; it is checked.
A key configured in ``VIDEOPHONE_DATA_KEY`` / the key file but absent from the ring is read as well.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from videophone.adapters.crypto import FieldCipher, generate_key, key_id, load_or_create_key

ROLES = ("current", "next", "old", "retired")
HEADER = (
    "# videophone data key ring: `current` encrypts; `next`, `old` and `retired` are read only.\n"
    '# Written by `videophone keys prepare|rotate`; see docs/operations.md, "Rotate the data key".\n'
    "# Secret: mode 0600, never in logs, backed up apart from the database backups.\n"
)


class KeyRingError(ValueError):
    """A ring file that cannot be used (the message names the file and the line, never a key)."""


@dataclass(frozen=True)
class KeyRing:
    current: bytes
    old: tuple[bytes, ...] = ()
    retired: tuple[bytes, ...] = ()
    next: tuple[bytes, ...] = ()
    extra: tuple[bytes, ...] = field(default=(), compare=False)  # configured elsewhere, read only

    def readable(self) -> tuple[bytes, ...]:
        """Every key the service reads with, the current one first."""
        return tuple(dict.fromkeys((self.current, *self.next, *self.old, *self.retired, *self.extra)))

    def cipher(self) -> FieldCipher:
        return FieldCipher(self.current, self.readable()[1:])

    @property
    def rotating(self) -> bool:
        """A rotation has started and not finished: some values may still be on an ``old`` key."""
        return bool(self.old)

    def rows(self) -> list[tuple[str, str]]:
        """(role, key id) of every key, for ``keys status`` (never the keys themselves)."""
        out = [("current", key_id(self.current).hex())]
        for role, keys in (("next", self.next), ("old", self.old), ("retired", self.retired)):
            out += [(role, key_id(k).hex()) for k in keys]
        out += [("configured", key_id(k).hex()) for k in self.extra]
        return out

    def begin_rotation(self) -> KeyRing:
        """The ``next`` key (or a new one) becomes current; the current key becomes ``old``."""
        new = self.next[0] if self.next else generate_key()
        keep = tuple(k for k in (self.current, *self.old) if k != new)
        return KeyRing(
            current=new,
            old=keep,
            retired=tuple(k for k in self.retired if k != new),
            next=self.next[1:],
            extra=self.extra,
        )

    def finish_rotation(self) -> KeyRing:
        """Nothing is left on the ``old`` keys: they become ``retired``."""
        retired = tuple(dict.fromkeys((*self.old, *self.retired)))
        return KeyRing(current=self.current, retired=retired, next=self.next, extra=self.extra)

    def prepare(self) -> KeyRing:
        """A new ``next`` key (readable everywhere before it encrypts anything)."""
        return KeyRing(self.current, self.old, self.retired, (*self.next, generate_key()), self.extra)

    def render(self) -> str:
        lines = [HEADER]
        for role, keys in (
            ("current", (self.current,)),
            ("next", self.next),
            ("old", self.old),
            ("retired", self.retired),
        ):
            lines += [f"{role:<8}{key_id(k).hex()}  {base64.b64encode(k).decode('ascii')}\n" for k in keys]
        return "".join(lines)


def parse(text: str, *, source: str) -> KeyRing:
    roles: dict[str, list[bytes]] = {r: [] for r in ROLES}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 3 or parts[0] not in ROLES:
            raise KeyRingError(f"{source} line {number}: expected `<{'|'.join(ROLES)}> <key id> <base64 key>`")
        role, kid, encoded = parts
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise KeyRingError(f"{source} line {number}: the key is not base64") from exc
        if len(key) != 32:
            raise KeyRingError(f"{source} line {number}: the key is not 32 bytes")
        if key_id(key).hex() != kid:
            raise KeyRingError(f"{source} line {number}: the key id does not match the key")
        roles[role].append(key)
    if len(roles["current"]) != 1:
        raise KeyRingError(f"{source}: exactly one `current` key is needed, found {len(roles['current'])}")
    return KeyRing(
        current=roles["current"][0], old=tuple(roles["old"]), retired=tuple(roles["retired"]), next=tuple(roles["next"])
    )


def load(*, ring_file: Path, configured: str, key_file: Path, create: bool) -> KeyRing:
    """The ring file if there is one (plus the configured key, read only, if the ring lacks it); else
    the single configured key (created in demo mode, as before)."""
    if ring_file.exists():
        ring = parse(ring_file.read_text(encoding="utf-8"), source=str(ring_file))
        single = _configured_key(configured, key_file)
        extra = () if single is None or single in ring.readable() else (single,)
        return KeyRing(ring.current, ring.old, ring.retired, ring.next, extra)
    return KeyRing(load_or_create_key(configured=configured, key_file=key_file, create=create))


def _configured_key(configured: str, key_file: Path) -> bytes | None:
    if not configured and not key_file.exists():
        return None
    return load_or_create_key(configured=configured, key_file=key_file, create=False)


def save(ring: KeyRing, ring_file: Path) -> None:
    """Write the ring atomically (a new file renamed over the old one, fsynced, mode 0600)."""
    ring_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = ring_file.with_name(f".{ring_file.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(ring.render())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, ring_file)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(ring_file.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def secret_forms(keys: Iterable[bytes]) -> list[str]:
    """How the keys could appear in text (for the log redactor)."""
    return [base64.b64encode(k).decode("ascii") for k in keys]

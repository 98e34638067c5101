"""Bencode, strictly: the dictionary format of rtpengine's *ng* control protocol (ADR 0012).

Four kinds of value: byte strings, integers, lists and dictionaries with byte-string keys.  The
decoder takes hostile input: it refuses anything but the canonical forms of numbers (no ``-0``, no
leading zeros, no empty number), trailing bytes, duplicate keys, nesting deeper than ``max_depth``
and strings longer than what is left of the input, with a :class:`BencodeError` that says where.
Dictionary keys are written sorted; rtpengine's own answers are read in any key order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias

# What decode() gives back.
Value: TypeAlias = "bytes | int | list[Value] | dict[bytes, Value]"
# What encode() takes: text is written as UTF-8, tuples as lists.
Encodable: TypeAlias = "str | bytes | int | Sequence[Encodable] | Mapping[str, Encodable] | Mapping[bytes, Encodable]"

MAX_DEPTH = 32
MAX_SIZE = 1 << 20  # rtpengine speaks over UDP: nothing real comes near this
_DIGITS = frozenset(b"0123456789")


class BencodeError(ValueError):
    """Not bencode this decoder accepts (or a value it cannot encode)."""


def encode(value: Encodable) -> bytes:
    out: list[bytes] = []
    _encode(value, out, 0)
    return b"".join(out)


def _encode(value: Encodable, out: list[bytes], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise BencodeError(f"nested deeper than {MAX_DEPTH}")
    if isinstance(value, bool):
        raise BencodeError("bencode has no booleans")
    if isinstance(value, int):
        out.append(b"i%de" % value)
    elif isinstance(value, str | bytes):
        raw = value.encode() if isinstance(value, str) else value
        out.append(b"%d:" % len(raw))
        out.append(raw)
    elif isinstance(value, Mapping):
        items: dict[bytes, Encodable] = {}
        for key, item in value.items():
            if not isinstance(key, str | bytes):
                raise BencodeError(f"a dictionary key must be text or bytes, not {type(key).__name__}")
            raw_key = key.encode() if isinstance(key, str) else key
            if raw_key in items:
                raise BencodeError(f"duplicate key {raw_key!r}")
            items[raw_key] = item
        out.append(b"d")
        for raw_key in sorted(items):
            out.append(b"%d:" % len(raw_key))
            out.append(raw_key)
            _encode(items[raw_key], out, depth + 1)
        out.append(b"e")
    elif isinstance(value, Sequence):
        out.append(b"l")
        for item in value:
            _encode(item, out, depth + 1)
        out.append(b"e")
    else:
        raise BencodeError(f"cannot bencode a {type(value).__name__}")


def decode(data: bytes, *, max_depth: int = MAX_DEPTH, max_size: int = MAX_SIZE) -> Value:
    """The one value ``data`` holds (nothing may follow it)."""
    if len(data) > max_size:
        raise BencodeError(f"{len(data)} bytes is more than the {max_size} allowed")
    if not data:
        raise BencodeError("empty input")
    value, end = _Decoder(bytes(data), max_depth).value(0, 0)
    if end != len(data):
        raise BencodeError(f"{len(data) - end} bytes after the value at offset {end}")
    return value


class _Decoder:
    def __init__(self, data: bytes, max_depth: int) -> None:
        self.data = data
        self.max_depth = max_depth

    def _byte(self, at: int) -> int:
        if at >= len(self.data):
            raise BencodeError(f"truncated at offset {at}")
        return self.data[at]

    def value(self, at: int, depth: int) -> tuple[Value, int]:
        if depth > self.max_depth:
            raise BencodeError(f"nested deeper than {self.max_depth} at offset {at}")
        kind = self._byte(at)
        if kind == ord("i"):
            end = self.data.find(b"e", at + 1)
            if end < 0:
                raise BencodeError(f"unterminated integer at offset {at}")
            return self._number(self.data[at + 1 : end], at), end + 1
        if kind in _DIGITS:
            return self.string(at)
        if kind == ord("l"):
            items: list[Value] = []
            at += 1
            while self._byte(at) != ord("e"):
                item, at = self.value(at, depth + 1)
                items.append(item)
            return items, at + 1
        if kind == ord("d"):
            mapping: dict[bytes, Value] = {}
            start = at
            at += 1
            while self._byte(at) != ord("e"):
                if self._byte(at) not in _DIGITS:
                    raise BencodeError(f"a dictionary key must be a string (offset {at})")
                key, at = self.string(at)
                if key in mapping:
                    raise BencodeError(f"duplicate key {key[:40]!r} in the dictionary at offset {start}")
                mapping[key], at = self.value(at, depth + 1)
            return mapping, at + 1
        raise BencodeError(f"unexpected byte {bytes([kind])!r} at offset {at}")

    def string(self, at: int) -> tuple[bytes, int]:
        colon = self.data.find(b":", at, at + 12)  # 11 digits already exceed any allowed size
        if colon < 0:
            raise BencodeError(f"string length without ':' at offset {at}")
        length = self._number(self.data[at:colon], at, signed=False)
        start = colon + 1
        if length > len(self.data) - start:
            raise BencodeError(f"string of {length} bytes at offset {at} runs past the end of the input")
        return self.data[start : start + length], start + length

    @staticmethod
    def _number(digits: bytes, at: int, *, signed: bool = True) -> int:
        body = digits[1:] if signed and digits.startswith(b"-") else digits
        if not body or any(b not in _DIGITS for b in body):
            raise BencodeError(f"not a number {digits[:24]!r} at offset {at}")
        if body != b"0" and body.startswith(b"0"):
            raise BencodeError(f"leading zero in {digits[:24]!r} at offset {at}")
        if body == b"0" and digits.startswith(b"-"):
            raise BencodeError(f"negative zero at offset {at}")
        if len(body) > 64:
            raise BencodeError(f"a number of {len(body)} digits at offset {at}")
        return int(body) * (-1 if digits.startswith(b"-") else 1)

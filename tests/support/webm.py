"""WebM files made to measure for the voicemail tests: an EBML header, a Segment (of unknown size, as
a browser's MediaRecorder writes it, or of known size), Info, Tracks and Clusters of SimpleBlocks whose
timestamps span ``duration_ms``.  The frames are not decodable video (the browser test records real
ones); the service only reads the container."""

from __future__ import annotations

import os
import struct

UNKNOWN = b"\x01\xff\xff\xff\xff\xff\xff\xff"


def _size(n: int) -> bytes:
    return b"\x01" + n.to_bytes(7, "big")


def element(element_id: int, payload: bytes = b"", *, unknown: bool = False) -> bytes:
    raw_id = element_id.to_bytes((element_id.bit_length() + 7) // 8, "big")
    return raw_id + (UNKNOWN if unknown else _size(len(payload))) + payload


def _uint(value: int) -> bytes:
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def webm(
    duration_ms: int = 10_000,
    *,
    video: bool = True,
    doc_type: str = "webm",
    unknown_sizes: bool = True,
    frame_ms: int = 100,
    frame_bytes: int = 64,
    timecode_scale: int = 1_000_000,
    info_duration: float | None = None,
) -> bytes:
    """A WebM of ``duration_ms`` (the last block's timestamp), a block every ``frame_ms``."""
    header = element(0x1A45DFA3, element(0x4286, b"\x01") + element(0x4282, doc_type.encode()))
    info_body = element(0x2AD7B1, _uint(timecode_scale)) + element(0x4D80, b"test")
    if info_duration is not None:
        info_body += element(0x4489, struct.pack(">d", info_duration))
    info = element(0x1549A966, info_body)
    track = element(0xD7, b"\x01") + element(0x83, b"\x01" if video else b"\x02") + element(0x86, b"V_VP8")
    tracks = element(0x1654AE6B, element(0xAE, track))
    ticks_per_ms = 1_000_000 / timecode_scale
    clusters = b""
    at = 0
    cluster_span = max(1, min(1000, int(32_000 / ticks_per_ms)))  # relative times are int16
    while True:
        cluster_start = at
        blocks = b""
        while at <= duration_ms and at - cluster_start < cluster_span:
            relative = round((at - cluster_start) * ticks_per_ms)
            frame = b"\x81" + relative.to_bytes(2, "big", signed=True) + b"\x80" + os.urandom(frame_bytes)
            blocks += element(0xA3, frame)
            if at == duration_ms:
                at += 1
                break
            at = min(at + frame_ms, duration_ms)
        body = element(0xE7, _uint(round(cluster_start * ticks_per_ms))) + blocks
        clusters += element(0x1F43B675, body, unknown=unknown_sizes)
        if at > duration_ms:
            break
    segment = element(0x18538067, info + tracks + clusters, unknown=unknown_sizes)
    return header + segment

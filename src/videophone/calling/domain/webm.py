"""What a recorded video message really is, read from its bytes (R-18): WebM/Matroska, with a video
track, and how long it lasts — never what the upload declares.

A browser's ``MediaRecorder`` writes a live WebM: an EBML header (``DocType`` ``webm``), then a
``Segment`` and ``Cluster``\\ s whose sizes are usually *unknown* (all ones), and no ``Duration``.  So the
file is read as a flat run of elements: the masters that matter (``Segment``, ``Info``, ``Tracks``,
``TrackEntry``, ``Cluster``, ``BlockGroup``) are entered, every other element is skipped by its size.
The length is that of the blocks' timestamps (cluster timecode + the block's relative one, scaled by
``TimecodeScale``), or the ``Duration`` of ``Info`` when that is longer.

Pure: bytes in, :class:`WebmInfo` out, :class:`NotWebm` (a ``ValueError``) for anything else.  The scan
is linear in the number of elements and never recurses.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

EBML = 0x1A45DFA3
DOC_TYPE = 0x4282
SEGMENT = 0x18538067
INFO = 0x1549A966
TIMECODE_SCALE = 0x2AD7B1
DURATION = 0x4489
TRACKS = 0x1654AE6B
TRACK_ENTRY = 0xAE
TRACK_TYPE = 0x83
CLUSTER = 0x1F43B675
CLUSTER_TIMECODE = 0xE7
SIMPLE_BLOCK = 0xA3
BLOCK_GROUP = 0xA0
BLOCK = 0xA1

_ENTERED = frozenset({SEGMENT, INFO, TRACKS, TRACK_ENTRY, CLUSTER, BLOCK_GROUP})
_DOC_TYPES = frozenset({"webm", "matroska"})
_VIDEO_TRACK = 1
_MAX_ELEMENTS = 2_000_000  # far beyond any message the policy allows; bounds the work on hostile input
MAGIC = struct.pack(">I", EBML)


class NotWebm(ValueError):
    """The bytes are not a WebM/Matroska recording (``code`` says what is wrong)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class WebmInfo:
    doc_type: str
    duration_ms: int
    has_video: bool
    blocks: int


def looks_like_webm(data: bytes) -> bool:
    """Whether ``data`` starts with the EBML magic (a first check before reading the whole file)."""
    return data[:4] == MAGIC


def _vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int | None, int]:
    """A variable-length integer at ``pos``: (value, next position); value ``None`` for a size whose bits
    are all ones (unknown).  Raises :class:`NotWebm` past the end or for a zero first byte."""
    if pos >= len(data):
        raise NotWebm("voicemail_not_webm")
    first = data[pos]
    if first == 0:
        raise NotWebm("voicemail_not_webm")
    length = 9 - first.bit_length()  # 1 for 0b1xxxxxxx … 8 for 0b00000001
    end = pos + length
    if end > len(data):
        raise NotWebm("voicemail_not_webm")
    value = int.from_bytes(data[pos:end], "big")
    if keep_marker:
        return value, end
    value &= (1 << (7 * length)) - 1
    if value == (1 << (7 * length)) - 1:
        return None, end
    return value, end


def _uint(payload: bytes) -> int:
    return int.from_bytes(payload, "big") if payload else 0


def _float(payload: bytes) -> float:
    if len(payload) == 4:
        return float(struct.unpack(">f", payload)[0])
    if len(payload) == 8:
        return float(struct.unpack(">d", payload)[0])
    return 0.0


def _block_time(payload: bytes) -> int | None:
    """A (Simple)Block's timestamp relative to its cluster: after the track number (a vint), int16."""
    try:
        _track, pos = _vint(payload, 0, keep_marker=False)
    except NotWebm:
        return None
    if pos + 2 > len(payload):
        return None
    return int(struct.unpack(">h", payload[pos : pos + 2])[0])


def inspect(data: bytes) -> WebmInfo:
    """Read ``data`` as a WebM/Matroska file (see the module doc)."""
    if not looks_like_webm(data):
        raise NotWebm("voicemail_not_webm")
    _, pos = _vint(data, 0, keep_marker=True)
    header_size, pos = _vint(data, pos, keep_marker=False)
    if header_size is None or pos + header_size > len(data):
        raise NotWebm("voicemail_not_webm")
    doc_type = ""
    header_end = pos + header_size
    while pos < header_end:
        element, pos = _vint(data, pos, keep_marker=True)
        size, pos = _vint(data, pos, keep_marker=False)
        if size is None or pos + size > header_end:
            raise NotWebm("voicemail_not_webm")
        if element == DOC_TYPE:
            doc_type = data[pos : pos + size].rstrip(b"\0").decode("ascii", "replace")
        pos += size
    if doc_type not in _DOC_TYPES:
        raise NotWebm("voicemail_not_webm")

    scale = 1_000_000  # ns per tick (Matroska's default)
    info_duration = 0.0
    has_video = False
    segment = False
    cluster_time = 0
    first: int | None = None
    last: int | None = None
    blocks = 0
    count = 0
    end = len(data)
    while pos < end:
        count += 1
        if count > _MAX_ELEMENTS:
            raise NotWebm("voicemail_not_webm")
        try:
            element, after_id = _vint(data, pos, keep_marker=True)
            size, body = _vint(data, after_id, keep_marker=False)
        except NotWebm:
            if segment and blocks:
                break  # a recording cut inside its last element header: what came before counts
            raise
        if element == SEGMENT:
            segment = True
        if element in _ENTERED:
            pos = body  # entered: its children follow (its size may be unknown)
            continue
        if size is None:
            raise NotWebm("voicemail_not_webm")  # only masters may have an unknown size
        if not segment:
            raise NotWebm("voicemail_not_webm")
        payload = data[body : body + size]
        if body + size > end:
            if element in (SIMPLE_BLOCK, BLOCK) or blocks:
                break  # the last block was cut short
            raise NotWebm("voicemail_not_webm")
        if element == TIMECODE_SCALE:
            scale = _uint(payload) or scale
        elif element == DURATION:
            info_duration = _float(payload)
        elif element == TRACK_TYPE:
            has_video = has_video or _uint(payload) == _VIDEO_TRACK
        elif element == CLUSTER_TIMECODE:
            cluster_time = _uint(payload)
        elif element in (SIMPLE_BLOCK, BLOCK):
            relative = _block_time(payload)
            if relative is not None:
                at = cluster_time + relative
                first = at if first is None else min(first, at)
                last = at if last is None else max(last, at)
                blocks += 1
        pos = body + size
    if not segment:
        raise NotWebm("voicemail_not_webm")
    if not has_video:
        raise NotWebm("voicemail_no_video")
    if not blocks or first is None or last is None:
        raise NotWebm("voicemail_empty")
    by_blocks = (last - first) * scale / 1_000_000
    # A Duration that is not a plain positive number (NaN, infinity, absurd) is ignored.
    by_info = info_duration * scale / 1_000_000 if 0 < info_duration < 1e9 else 0.0
    return WebmInfo(doc_type, round(max(by_blocks, by_info)), has_video, blocks)

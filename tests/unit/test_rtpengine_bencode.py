"""The strict bencode of rtpengine's ng protocol (adapters/bencode.py) and the codec filter for phones."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.adapters import bencode
from videophone.adapters.sdp_codecs import for_phone, has_ice, with_feedback

values = st.recursive(
    st.binary(max_size=40) | st.integers(min_value=-(10**30), max_value=10**30),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.binary(max_size=10), inner, max_size=5),
    max_leaves=30,
)


@given(values)
def test_round_trip(value: bencode.Value) -> None:
    assert bencode.decode(bencode.encode(value)) == value


def test_known_encoding_sorts_keys_and_writes_text_as_utf8() -> None:
    assert bencode.encode({"z": 1, "command": "ping", "l": ["é", -3]}) == b"d7:command4:ping1:ll2:\xc3\xa9i-3ee1:zi1ee"
    assert bencode.decode(b"d6:result4:ponge") == {b"result": b"pong"}
    assert bencode.decode(b"d1:bi1e1:ai2ee") == {b"b": 1, b"a": 2}  # rtpengine's order is taken as it comes


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"i12", "unterminated integer"),
        (b"5:abc", "runs past the end"),
        (b"l4:spam", "truncated"),
        (b"d3:key", "truncated"),
        (b"i-0e", "negative zero"),
        (b"i03e", "leading zero"),
        (b"03:abc", "leading zero"),
        (b"ie", "not a number"),
        (b"i-e", "not a number"),
        (b"i1x2e", "not a number"),
        (b"999999999999:x", "without ':'"),
        (b"9999999999:x", "runs past the end"),
        (b"x", "unexpected byte"),
        (b"i1ei2e", "after the value"),
        (b"di1ei2ee", "key must be a string"),
        (b"d1:ai1e1:ai2ee", "duplicate key"),
        (b"l" * 40 + b"e" * 40, "nested deeper"),
    ],
)
def test_malformed_input_is_refused_clearly(data: bytes, message: str) -> None:
    with pytest.raises(bencode.BencodeError, match=message):
        bencode.decode(data)


def test_size_limit_and_unencodable_values() -> None:
    with pytest.raises(bencode.BencodeError, match="more than"):
        bencode.decode(b"0:" * 10, max_size=8)
    for bad in (True, 1.5, None, {1: 2}):
        with pytest.raises(bencode.BencodeError):
            bencode.encode(bad)  # type: ignore[arg-type]
    with pytest.raises(bencode.BencodeError, match="nested deeper"):
        nested: list[object] = []
        for _ in range(40):
            nested = [nested]
        bencode.encode(nested)  # type: ignore[arg-type]


CHROME = (Path(__file__).parents[1] / "integration" / "sdp" / "chrome-156-offer.sdp").read_bytes().decode()


def _rtpmaps(sdp: str) -> list[str]:
    return [line.split(" ", 1)[1] for line in sdp.splitlines() if line.startswith("a=rtpmap:")]


def test_a_phone_is_offered_only_what_it_decodes() -> None:
    phone = for_phone(CHROME)
    audio = ["opus/48000/2", "PCMU/8000", "PCMA/8000", "telephone-event/48000", "telephone-event/8000"]
    assert sorted(_rtpmaps(phone)) == sorted([*audio, "VP8/90000", "H264/90000", "H264/90000"])
    assert "m=video 9 UDP/TLS/RTP/SAVPF 96 108 114\r\n" in phone  # VP8, H.264 42e01f modes 1 and 0
    assert "profile-level-id=42001f" not in phone and "4d001f" not in phone
    assert "a=ssrc-group:FID" not in phone and "transport-cc" not in phone and "extmap-allow-mixed" not in phone
    assert "a=rtcp-fb:96 nack pli" in phone and "a=rtcp-fb:108 ccm fir" in phone
    assert phone.endswith("\r\n") and "\r\n\r\n" not in phone
    assert has_ice(CHROME) and not has_ice(phone.replace("a=ice-ufrag", "a=x"))


def test_a_stream_with_nothing_decodable_is_disabled_not_the_call() -> None:
    sdp = "v=0\nm=audio 4000 RTP/AVP 0\na=rtpmap:0 PCMU/8000\nm=video 4002 RTP/AVP 98\na=rtpmap:98 VP9/90000\na=mid:v\n"
    assert for_phone(sdp) == "v=0\nm=audio 4000 RTP/AVP 0\na=rtpmap:0 PCMU/8000\nm=video 0 RTP/AVP 98\na=mid:v\n"


def test_feedback_is_added_for_video_codecs_only() -> None:
    sdp = "v=0\r\nm=video 4002 RTP/AVP 100 101\r\na=rtpmap:100 VP8/90000\r\na=rtpmap:101 rtx/90000\r\na=rtcp-fb:100 ccm fir\r\n"
    out = with_feedback(sdp)
    assert out.count("a=rtcp-fb:100 ccm fir") == 1 and "a=rtcp-fb:100 nack pli" in out and "rtcp-fb:101" not in out

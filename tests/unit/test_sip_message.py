"""The gateway's SIP codec (adapters/sip/message.py): what it reads, writes and refuses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.adapters.sip.message import (
    MAX_MESSAGE,
    SipError,
    SipMessage,
    StreamFramer,
    parse,
    response_to,
    split_list,
    tag_of,
    uri_of,
    user_of,
)
from videophone.calling.domain import sip_status

INVITE = (
    b"INVITE sip:95100016140@videophone.local SIP/2.0\r\n"
    b"Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKedge1\r\n"
    b"v: SIP/2.0/UDP 127.0.0.1:40000;received=127.0.0.1;branch=z9hG4bKphone1\r\n"
    b"Record-Route: <sip:127.0.0.1:5060;transport=tcp;r2=on;lr>, <sip:127.0.0.1;r2=on;lr>\r\n"
    b'f: "Li, Ming" <sip:95100097698-t-1@videophone.local>;tag=abc\r\n'
    b"To: <sip:95100016140@videophone.local>\r\n"
    b"i: call-1@127.0.0.1\r\n"
    b"CSeq: 102 INVITE\r\n"
    b"Contact: <sip:95100097698-t-1@127.0.0.1:40000>\r\n"
    b"c: application/sdp\r\n"
    b"l: 4\r\n\r\nv=0\n"
)


def test_an_invite_with_compact_headers_is_read() -> None:
    message = parse(INVITE)
    assert message.method == "INVITE" and user_of(message.uri) == "95100016140"
    assert message.call_id == "call-1@127.0.0.1" and message.cseq == (102, "INVITE")
    assert message.from_tag == "abc" and message.to_tag == ""
    assert message.branch == "z9hG4bKedge1" and len(message.all("via")) == 2
    assert message.all("record-route") == ["<sip:127.0.0.1:5060;transport=tcp;r2=on;lr>", "<sip:127.0.0.1;r2=on;lr>"]
    assert uri_of(message.get("contact")) == "sip:95100097698-t-1@127.0.0.1:40000"
    assert message.body == b"v=0\n"


def test_a_response_copies_what_rfc_3261_says_and_tags_the_to() -> None:
    invite = parse(INVITE)
    ringing = parse(response_to(invite, 180, "Ringing", to_tag="gw1").encode())
    assert ringing.status == 180 and ringing.to_tag == "gw1" and ringing.from_tag == "abc"
    assert ringing.all("via") == invite.all("via") and ringing.all("record-route") == invite.all("record-route")
    assert not response_to(invite, 486, "Busy Here").all("record-route")


def test_messages_are_framed_on_a_stream_in_any_pieces() -> None:
    framer = StreamFramer()
    data = b"\r\n\r\n" + INVITE + INVITE  # keep-alive CRLFs first
    got = []
    for i in range(0, len(data), 7):
        got += framer.feed(data[i : i + 7])
    assert [m.call_id for m in got] == ["call-1@127.0.0.1", "call-1@127.0.0.1"]


@pytest.mark.parametrize(
    "data",
    [
        b"HELLO\r\n\r\n",
        b"INVITE sip:a@b SIP/2.0\r\nVia x\r\n\r\n",
        b"INVITE sip:a@b SIP/2.0\r\nCall-ID: \x00\r\n\r\n",
        b"INVITE sip:a@b SIP/2.0\r\nContent-Length: 10\r\n\r\nshort",
        b"INVITE sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n",
        b"SIP/2.0 99 Too Low\r\n\r\n",
        b"INVITE sip:a@b SIP/2.0\r\nCall-ID: \xff\r\n\r\n",
        b"INVITE sip:a@b SIP/2.0\r\n",
        b"INVITE sip:a@b SIP/2.0\r\n" + b"X-A: 1\r\n" * 101 + b"\r\n",
    ],
)
def test_what_is_not_sip_is_refused(data: bytes) -> None:
    with pytest.raises(SipError):
        parse(data)


def test_a_stream_without_content_length_or_too_large_is_refused() -> None:
    with pytest.raises(SipError):
        StreamFramer().feed(b"OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n")
    with pytest.raises(SipError):
        StreamFramer().feed(b"A" * (MAX_MESSAGE + 1))


def test_lists_split_on_commas_outside_quotes_and_uris() -> None:
    assert split_list('"a, b" <sip:x@y;p=1,2>;tag=t, <sip:z>') == ['"a, b" <sip:x@y;p=1,2>;tag=t', "<sip:z>"]
    assert tag_of('"x;tag=no" <sip:a;tag=no>;tag=yes') == "yes"


TOKEN = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)


@given(
    method=st.sampled_from(["INVITE", "BYE", "CANCEL", "ACK", "INFO", "OPTIONS"]),
    user=TOKEN,
    headers=st.lists(st.tuples(TOKEN, st.text(alphabet="abc xyz;=<>:@.0123456789", max_size=40)), max_size=10),
    body=st.binary(max_size=300),
)
def test_what_is_written_reads_back_the_same(
    method: str, user: str, headers: list[tuple[str, str]], body: bytes
) -> None:
    message = SipMessage(method=method, uri=f"sip:{user}@videophone.local")
    message.headers = [("x-" + k, v.strip()) for k, v in headers]
    message.body = body
    again = parse(message.encode())
    assert (again.method, again.uri, again.body) == (method, message.uri, body)
    assert [(k, v) for k, v in again.headers if k != "content-length"] == message.headers


def test_end_reasons_read_as_sip_statuses() -> None:
    assert sip_status.final_for_reason("busy") == (486, "Busy Here")
    assert sip_status.final_for_reason("unavailable")[0] == 480  # a blocked caller hears this too
    assert sip_status.final_for_reason("number_unknown")[0] == 404
    assert sip_status.final_for_reason("not_allowed")[0] == 403
    assert sip_status.final_for_reason("cut_off_credit")[0] == 402
    assert sip_status.final_for_reason("anything else")[0] == 500
    assert sip_status.declines(603) and sip_status.declines(486) and not sip_status.declines(480)


def test_refusals_about_money_read_402_others_403() -> None:
    assert sip_status.final_for_reason("not_allowed", "outgoing_barred_credit_limit") == (402, "Payment Required")
    assert sip_status.final_for_reason("not_allowed", "suspended_arrears")[0] == 402
    assert sip_status.final_for_reason("not_allowed", "suspended_violation")[0] == 403
    assert sip_status.final_for_reason("not_allowed", "suspended_lawful")[0] == 403


def test_a_ringing_phones_offer_cannot_reach_the_caller_until_it_answers() -> None:
    from videophone.adapters.sdp_codecs import unreachable

    offer = (
        "v=0\r\nc=IN IP4 127.0.0.1\r\na=ice-lite\r\na=ice-ufrag:abcd\r\na=ice-pwd:secretsecretsecretsecret\r\n"
        "m=audio 31000 UDP/TLS/RTP/SAVPF 96\r\na=candidate:1 1 UDP 2130706431 127.0.0.1 31000 typ host\r\n"
        "a=end-of-candidates\r\n"
    )
    out = unreachable(offer)
    assert "a=candidate" not in out and "end-of-candidates" not in out and "secretsecret" not in out
    assert "m=audio 31000 " in out and "c=IN IP4 127.0.0.1" in out and "a=ice-ufrag:abcd" in out


_GIVEN = (
    "v=0\r\no=- 7 3 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 30000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=sendrecv\r\n"
    "m=video 30002 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=sendrecv\r\n"
)


def _offer(audio: str, video: str) -> str:
    return (
        "v=0\r\no=phone 1 9 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        f"m=audio 40000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n{audio}"
        f"m=video 40002 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n{video}"
    )


def test_a_session_refresh_gets_the_same_answer_version_and_all() -> None:
    from videophone.adapters.sdp_codecs import answer_again

    assert answer_again(_GIVEN, _offer("a=sendrecv\r\n", "")) == _GIVEN


def test_hold_is_answered_recvonly_and_resume_sendrecv_each_a_new_version() -> None:
    from videophone.adapters.sdp_codecs import answer_again

    held = answer_again(_GIVEN, _offer("a=sendonly\r\n", "a=sendonly\r\n"))
    assert held.count("a=recvonly") == 2 and "a=sendrecv" not in held
    assert "o=- 7 4 IN IP4" in held and "m=audio 30000 RTP/AVP 8" in held and "m=video 30002" in held
    resumed = answer_again(held, _offer("", ""))
    assert resumed.count("a=sendrecv") == 2 and "o=- 7 5 IN IP4" in resumed
    assert answer_again(_GIVEN, _offer("a=inactive\r\n", "a=sendrecv\r\n")).count("a=inactive") == 1


@given(
    st.lists(
        st.sampled_from(["", "a=sendrecv\r\n", "a=sendonly\r\n", "a=recvonly\r\n", "a=inactive\r\n"]),
        min_size=2,
        max_size=2,
    )
)
def test_an_answer_again_keeps_the_media_and_answers_each_direction(directions: list[str]) -> None:
    from videophone.adapters.sdp_codecs import answer_again

    answer = answer_again(_GIVEN, _offer(directions[0], directions[1]))
    mirror = {"": "sendrecv", "a=sendrecv\r\n": "sendrecv", "a=sendonly\r\n": "recvonly",
              "a=recvonly\r\n": "sendonly", "a=inactive\r\n": "inactive"}  # fmt: skip
    sections = answer.split("m=")[1:]
    assert [s.split("\r\n")[0] for s in sections] == ["audio 30000 RTP/AVP 8", "video 30002 RTP/AVP 96"]
    for section, direction in zip(sections, directions, strict=True):
        assert f"a={mirror[direction]}\r\n" in section
        assert sum(f"a={d}" in section for d in ("sendrecv", "sendonly", "recvonly", "inactive")) == 1

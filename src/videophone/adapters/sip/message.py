"""SIP messages (RFC 3261 §7) as the gateway reads and writes them: parse, build, frame on a stream.

Strict and bounded: a message is at most ``MAX_MESSAGE`` bytes, at most ``MAX_HEADERS`` header lines,
UTF-8, no NUL; compact header names (``i``, ``f``, ``t``, ``v``, ``m``, ``l``, ``c``, ``k``) are read
as their long forms.  Only what a B2BUA behind Kamailio needs: the gateway never speaks to a phone
directly (Kamailio parses and sanity-checks every packet from the internet first).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

MAX_MESSAGE = 65_536
MAX_HEADERS = 100
COMPACT = {
    "i": "call-id",
    "f": "from",
    "t": "to",
    "v": "via",
    "m": "contact",
    "l": "content-length",
    "c": "content-type",
    "k": "supported",
    "s": "subject",
    "e": "content-encoding",
}
# Header names as the gateway writes them (the canonical spelling of the lower-case key).
CANONICAL = {
    "call-id": "Call-ID",
    "cseq": "CSeq",
    "www-authenticate": "WWW-Authenticate",
    "record-route": "Record-Route",
    "max-forwards": "Max-Forwards",
}
_TOKEN = re.compile(r"^[A-Za-z0-9.!%*_+`'~\-]+$")
_STATUS = re.compile(r"^SIP/2\.0 ([1-6][0-9]{2}) (.*)$")
_REQUEST = re.compile(r"^([A-Z]{3,16}) (\S{3,2048}) SIP/2\.0$")
_TAG = re.compile(r";\s*tag=([^;>\s]+)", re.IGNORECASE)
_BRANCH = re.compile(r";\s*branch=([^;\s,]+)", re.IGNORECASE)
_URI = re.compile(r"<([^>]+)>")


class SipError(ValueError):
    """Not a SIP message the gateway accepts."""


def canonical(name: str) -> str:
    key = name.lower()
    return CANONICAL.get(key) or "-".join(part.capitalize() for part in key.split("-"))


@dataclass
class SipMessage:
    """A request (``method`` and ``uri``) or a response (``status`` and ``reason``)."""

    method: str = ""
    uri: str = ""
    status: int = 0
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)  # (lower-case name, value), in order
    body: bytes = b""

    @property
    def is_request(self) -> bool:
        return bool(self.method)

    def get(self, name: str) -> str:
        """The first value of a header ('' if absent)."""
        key = name.lower()
        return next((v for k, v in self.headers if k == key), "")

    def all(self, name: str) -> list[str]:
        """Every value of a header, comma-separated lists split (Via, Route, Record-Route)."""
        key = name.lower()
        out: list[str] = []
        for k, v in self.headers:
            if k == key:
                out.extend(part for part in split_list(v) if part)
        return out

    def set(self, name: str, value: str) -> None:
        key = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k != key]
        self.headers.append((key, value))

    def remove(self, name: str) -> None:
        key = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k != key]

    # -- what a dialog needs -----------------------------------------------------------------------------
    @property
    def call_id(self) -> str:
        return self.get("call-id")

    @property
    def cseq(self) -> tuple[int, str]:
        number, _, method = self.get("cseq").partition(" ")
        try:
            return int(number), method.strip()
        except ValueError:
            raise SipError("bad CSeq") from None

    @property
    def from_tag(self) -> str:
        return tag_of(self.get("from"))

    @property
    def to_tag(self) -> str:
        return tag_of(self.get("to"))

    @property
    def branch(self) -> str:
        vias = self.all("via")
        match = _BRANCH.search(vias[0]) if vias else None
        return match.group(1) if match else ""

    def encode(self) -> bytes:
        first = f"{self.method} {self.uri} SIP/2.0" if self.is_request else f"SIP/2.0 {self.status} {self.reason}"
        lines = [first]
        lines += [f"{canonical(k)}: {v}" for k, v in self.headers if k != "content-length"]
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


def split_list(value: str) -> list[str]:
    """A comma-separated header value's items; commas inside "quotes" or <URIs> do not split."""
    items: list[str] = []
    current: list[str] = []
    quoted = angled = False
    for ch in value:
        if ch == '"' and not angled:
            quoted = not quoted
        elif ch == "<" and not quoted:
            angled = True
        elif ch == ">" and not quoted:
            angled = False
        elif ch == "," and not quoted and not angled:
            items.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    items.append("".join(current).strip())
    return items


def tag_of(value: str) -> str:
    """The ``tag`` parameter of a From/To value (outside its <URI>)."""
    rest = value.split(">", 1)[1] if ">" in value else value
    match = _TAG.search(rest)
    return match.group(1) if match else ""


def uri_of(value: str) -> str:
    """The URI of a name-addr (``"Name" <sip:…>;tag=…``) or addr-spec."""
    match = _URI.search(value)
    if match:
        return match.group(1).strip()
    return value.split(";", 1)[0].strip()


def user_of(uri: str) -> str:
    """The user part of a ``sip:user@host`` URI ('' if none)."""
    rest = uri.split(":", 1)[1] if ":" in uri else uri
    return rest.split("@", 1)[0] if "@" in rest else ""


def new_tag() -> str:
    return secrets.token_hex(6)


def new_branch() -> str:
    return "z9hG4bK" + secrets.token_hex(10)


def parse(data: bytes) -> SipMessage:
    """One whole message (head and body)."""
    if len(data) > MAX_MESSAGE:
        raise SipError("message too large")
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        raise SipError("no end of headers")
    if b"\x00" in head:
        raise SipError("NUL in the headers")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        raise SipError("headers are not UTF-8") from None
    raw = text.split("\r\n")
    message = _first_line(raw[0])
    lines: list[str] = []
    for line in raw[1:]:
        if line[:1] in (" ", "\t") and lines:  # a folded header line continues the previous one
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    if len(lines) > MAX_HEADERS:
        raise SipError("too many headers")
    for line in lines:
        name, colon, value = line.partition(":")
        name = name.strip()
        if not colon or not _TOKEN.match(name):
            raise SipError("bad header line")
        key = name.lower()
        message.headers.append((COMPACT.get(key, key), value.strip()))
    length = message.get("content-length")
    if length:
        if not length.isdigit() or int(length) > MAX_MESSAGE:
            raise SipError("bad Content-Length")
        if int(length) != len(body):
            raise SipError("Content-Length does not match the body")
    message.body = body
    return message


def _first_line(line: str) -> SipMessage:
    status = _STATUS.match(line)
    if status:
        return SipMessage(status=int(status.group(1)), reason=status.group(2)[:200])
    request = _REQUEST.match(line)
    if request:
        return SipMessage(method=request.group(1), uri=request.group(2))
    raise SipError("not a SIP request or status line")


class StreamFramer:
    """Messages out of a stream transport (TCP, TLS): each head ends at CRLFCRLF, its body is
    ``Content-Length`` bytes (required on streams, RFC 3261 §18.3).  Keep-alive CRLFs are skipped."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, data: bytes) -> list[SipMessage]:
        self._buffer += data
        out: list[SipMessage] = []
        while True:
            self._buffer = self._buffer.lstrip(b"\r\n")
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > MAX_MESSAGE:
                    raise SipError("headers too long")
                return out
            head = self._buffer[:end]
            length = _content_length(head)
            total = end + 4 + length
            if total > MAX_MESSAGE:
                raise SipError("message too large")
            if len(self._buffer) < total:
                return out
            out.append(parse(self._buffer[:total]))
            self._buffer = self._buffer[total:]


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() in (b"content-length", b"l"):
            text = value.strip()
            if not text.isdigit():
                raise SipError("bad Content-Length")
            return int(text)
    raise SipError("no Content-Length on a stream")


def response_to(request: SipMessage, status: int, reason: str, *, to_tag: str = "") -> SipMessage:
    """A response copying what RFC 3261 §8.2.6.2 says it must (Via, From, To (+ tag), Call-ID, CSeq)."""
    answer = SipMessage(status=status, reason=reason)
    for key in ("via", "record-route", "from", "to", "call-id", "cseq"):
        if key == "record-route" and not (request.method == "INVITE" and 100 < status < 300):
            continue
        for k, v in request.headers:
            if k == key:
                if key == "to" and to_tag and not tag_of(v):
                    v = f"{v};tag={to_tag}"
                answer.headers.append((k, v))
    return answer

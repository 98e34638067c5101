"""A tiny SIP user agent for tests: REGISTER over UDP or TLS with HTTP digest (RFC 3261 §22, RFC 2617).

Only what the tests need: send a REGISTER, answer one 401 challenge with the digest of the given
password (qop ``auth`` if offered), and report the final status and the challenges seen; INVITE for the
statuses of refusals; and answer a call as a phone whose ACK got lost would (``answer_twice``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import socket
import ssl
import time
from dataclasses import dataclass, field


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _challenge(header: str) -> dict[str, str]:
    return {k.lower(): v1 or v2 for k, v1, v2 in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]+))', header)}


@dataclass
class RegisterResult:
    status: int  # the final answer to the last REGISTER sent
    statuses: list[int] = field(default_factory=list)  # every final answer, in order
    reason: str = ""


class SipPhone:
    def __init__(
        self,
        server: tuple[str, int],
        user: str,
        domain: str,
        user_agent: str = "vp-test-phone/1.0",
        to_user: str = "",
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.server = server
        self.user = user
        self.to_user = to_user or user  # the address registered (a phone's own: its digest user)
        self.domain = domain
        self.user_agent = user_agent
        self.sock: socket.socket
        self._stream = b""
        if tls is None:
            self.transport = "UDP"
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind(("127.0.0.1", 0))
            self.sock.settimeout(5)
        else:  # SIP over TLS (RFC 3261 §26.2): one connection, messages framed by Content-Length
            self.transport = "TLS"
            self.sock = tls.wrap_socket(socket.create_connection(server, timeout=5), server_hostname=server[0])
        self.port = int(self.sock.getsockname()[1])
        self.call_id = secrets.token_hex(8)
        self.tag = secrets.token_hex(4)
        self.cseq = 0

    def close(self) -> None:
        self.sock.close()

    def _request(self, expires: int, authorization: str = "") -> tuple[int, str, dict[str, str]]:
        self.cseq += 1
        branch = "z9hG4bK" + secrets.token_hex(6)
        lines = [
            f"REGISTER sip:{self.domain} SIP/2.0",
            f"Via: SIP/2.0/{self.transport} 127.0.0.1:{self.port};branch={branch};rport",
            "Max-Forwards: 70",
            f"From: <sip:{self.user}@{self.domain}>;tag={self.tag}",
            f"To: <sip:{self.to_user}@{self.domain}>",
            f"Call-ID: {self.call_id}",
            f"CSeq: {self.cseq} REGISTER",
            f"Contact: <sip:{self.user}@127.0.0.1:{self.port}{';transport=tls' if self.transport == 'TLS' else ''}>",
            f"Expires: {expires}",
            f"User-Agent: {self.user_agent}",
        ]
        if authorization:
            lines.append(f"Authorization: {authorization}")
        lines += ["Content-Length: 0", "", ""]
        if self.transport == "UDP":
            self.sock.sendto("\r\n".join(lines).encode(), self.server)
        else:
            self.sock.sendall("\r\n".join(lines).encode())
        while True:
            data = self._receive()
            head = data.decode(errors="replace").split("\r\n\r\n", 1)[0].split("\r\n")
            status = int(head[0].split()[1])
            if status < 200:
                continue
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            return status, head[0].split(" ", 2)[2] if len(head[0].split(" ", 2)) > 2 else "", headers

    def _receive(self) -> bytes:
        """One SIP message: a datagram, or the next message of the TLS stream."""
        if self.transport == "UDP":
            return self.sock.recvfrom(65535)[0]
        while b"\r\n\r\n" not in self._stream:
            self._stream += self._read()
        head, _, rest = self._stream.partition(b"\r\n\r\n")
        found = re.search(rb"(?im)^(?:content-length|l)\s*:\s*(\d+)", head)
        length = int(found.group(1)) if found else 0
        while len(rest) < length:
            rest += self._read()
        self._stream = rest[length:]
        return head + b"\r\n\r\n" + rest[:length]

    def _read(self) -> bytes:
        chunk = self.sock.recv(65535)
        if not chunk:
            raise ConnectionError("the SIP server closed the connection")
        return chunk

    def _authorization(self, challenge: dict[str, str], password: str, method: str = "REGISTER", uri: str = "") -> str:
        realm, nonce = challenge.get("realm", ""), challenge.get("nonce", "")
        uri = uri or f"sip:{self.domain}"
        ha1 = _md5(f"{self.user}:{realm}:{password}")
        ha2 = _md5(f"{method}:{uri}")
        parts = [f'username="{self.user}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"']
        if "auth" in challenge.get("qop", "").split(","):
            cnonce, nc = secrets.token_hex(8), "00000001"
            response = _md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
            parts += ["qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
        else:
            response = _md5(f"{ha1}:{nonce}:{ha2}")
        parts += [f'response="{response}"', "algorithm=MD5"]
        return "Digest " + ", ".join(parts)

    def register(self, password: str, expires: int = 300) -> RegisterResult:
        """REGISTER, answer the challenge once; the final status of the authenticated attempt (or of
        the first, if it was not challenged)."""
        status, reason, headers = self._request(expires)
        result = RegisterResult(status, [status], reason)
        if status != 401:
            return result
        auth = self._authorization(_challenge(headers.get("www-authenticate", "")), password)
        status, reason, _ = self._request(expires, auth)
        result.status, result.reason = status, reason
        result.statuses.append(status)
        return result

    # -- calls (issue 16): an INVITE answered with proxy digest, for the refusals ---------------------------
    def invite_statuses(self, password: str, number: str, timeout: float = 5.0) -> list[int]:
        """INVITE ``number``, answer a 407 once with ``password``; every final status, in order.  A call
        that rings is cancelled at its first provisional answer (this is for refusals); a 2xx is ACKed
        and ended."""
        statuses: list[int] = []
        authorization = ""
        for _ in range(2):
            self.cseq += 1
            branch = "z9hG4bK" + secrets.token_hex(6)
            uri = f"sip:{number}@{self.domain}"
            sdp = (
                "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                "m=audio 40000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n"
            )
            via = f"SIP/2.0/{self.transport} 127.0.0.1:{self.port};branch={branch};rport"
            head = [
                f"INVITE {uri} SIP/2.0",
                f"Via: {via}",
                "Max-Forwards: 70",
                f"From: <sip:{self.user}@{self.domain}>;tag={self.tag}",
                f"To: <{uri}>",
                f"Call-ID: {self.call_id}-invite",
                f"CSeq: {self.cseq} INVITE",
                f"Contact: <sip:{self.user}@127.0.0.1:{self.port}>",
                f"User-Agent: {self.user_agent}",
                "Content-Type: application/sdp",
            ]
            if authorization:
                head.append(f"Proxy-Authorization: {authorization}")
            message = "\r\n".join([*head, f"Content-Length: {len(sdp)}", "", sdp]).encode()
            self.sock.sendto(message, self.server)
            self.sock.settimeout(timeout)
            while True:
                data = self._receive()
                lines = data.decode(errors="replace").split("\r\n\r\n", 1)[0].split("\r\n")
                status = int(lines[0].split()[1])
                headers = {n.strip().lower(): v.strip() for n, _, v in (line.partition(":") for line in lines[1:])}
                if status < 200:
                    if status > 100:  # it rings: not what this is for; cancel it
                        cancel = [
                            f"CANCEL {uri} SIP/2.0",
                            f"Via: {via}",
                            *head[2:5],
                            head[5].replace("INVITE", "CANCEL"),
                        ]
                        self.sock.sendto("\r\n".join([*cancel, "Content-Length: 0", "", ""]).encode(), self.server)
                    continue
                break
            statuses.append(status)
            ack_to = headers.get("to", f"<{uri}>")
            ack = [f"ACK {uri} SIP/2.0", f"Via: {via}", "Max-Forwards: 70", head[3], f"To: {ack_to}", head[5]]
            ack.append(f"CSeq: {self.cseq} ACK")
            if status < 300:
                return statuses  # (not expected here)
            self.sock.sendto("\r\n".join([*ack, "Content-Length: 0", "", ""]).encode(), self.server)
            if status != 407 or authorization:
                return statuses
            challenge = _challenge(headers.get("proxy-authenticate", ""))
            authorization = self._authorization(challenge, password, "INVITE", uri)
        return statuses

    # -- a call to this phone: answered, and the answer sent again -------------------------------------------
    def answer_twice(self, timeout: float = 10.0) -> int:
        """Wait for an INVITE; answer 180 and 200 (an SDP answer taking each stream's first codec); once
        its ACK came, send the same 200 again, as a phone does whose ACK it did not see (RFC 3261
        §13.3.1.4), and count the ACKs that come within a second after it.  Returns the ACKs seen in
        all (2: the copy was acknowledged too); the call stays up (``answer_bye`` ends it)."""
        self.sock.settimeout(timeout)
        while True:
            invite = self._receive().decode(errors="replace")
            if invite.startswith("INVITE "):
                break
        head, _, body = invite.partition("\r\n\r\n")
        lines = head.split("\r\n")
        kept = [line for line in lines[1:] if line.split(":", 1)[0].strip().lower() in _ECHOED]
        tag = secrets.token_hex(4)
        kept = [f"{line};tag={tag}" if line.lower().startswith("to:") else line for line in kept]
        contact = f"Contact: <sip:{self.user}@127.0.0.1:{self.port}>"
        ringing = "\r\n".join(["SIP/2.0 180 Ringing", *kept, contact, "Content-Length: 0", "", ""])
        sdp = _answer_sdp(body)
        ok = "\r\n".join(
            ["SIP/2.0 200 OK", *kept, contact, "Content-Type: application/sdp", f"Content-Length: {len(sdp)}", "", sdp]
        )
        self.sock.sendto(ringing.encode(), self.server)
        self.sock.sendto(ok.encode(), self.server)
        acks, deadline = 0, 0.0
        while not deadline or time.monotonic() < deadline:
            if deadline:
                self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                message = self._receive().decode(errors="replace")
            except TimeoutError:
                if deadline:
                    break
                raise
            if message.startswith("ACK "):
                acks += 1
                if not deadline:
                    self.sock.sendto(ok.encode(), self.server)  # the 200 again
                    deadline = time.monotonic() + 1.0
            elif not message.startswith("SIP/2.0"):
                self._ok(message)  # INFO picture_fast_update
        self.sock.settimeout(timeout)
        return acks

    def answer_bye(self, timeout: float = 10.0) -> None:
        """Wait for a BYE (answering what else comes) and answer it 200."""
        self.sock.settimeout(timeout)
        while True:
            message = self._receive().decode(errors="replace")
            if not message.startswith(("SIP/2.0", "ACK ")):
                self._ok(message)
                if message.startswith("BYE "):
                    return

    def _ok(self, request: str) -> None:
        lines = request.partition("\r\n\r\n")[0].split("\r\n")
        echoed = [line for line in lines[1:] if line.split(":", 1)[0].strip().lower() in _ECHOED]
        self.sock.sendto("\r\n".join(["SIP/2.0 200 OK", *echoed, "Content-Length: 0", "", ""]).encode(), self.server)


_ECHOED = ("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq", "record-route")


def _answer_sdp(offer: str) -> str:
    """Each stream of ``offer`` answered with its first payload type, at a port of no one (no media flows)."""
    out = ["v=0", "o=- 2 2 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0"]
    port = 41000
    for block in re.split(r"\r?\n(?=m=)", offer)[1:]:
        first = block.splitlines()[0].split()
        media, proto, pt = first[0][2:], first[2], first[3]
        out.append(f"m={media} {port} {proto} {pt}")
        out += [line for line in block.splitlines()[1:] if line.startswith((f"a=rtpmap:{pt} ", f"a=fmtp:{pt} "))]
        out.append("a=sendrecv")
        port += 2
    return "\r\n".join(out) + "\r\n"

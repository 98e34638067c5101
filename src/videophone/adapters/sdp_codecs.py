"""What a SIP phone is offered of a browser's SDP: only the codecs phones decode (issue 16, ADR 0012).

rtpengine does not transcode video, so a phone is offered exactly what it can decode, and the call never
connects with video one side cannot show: video VP8 and H.264 *constrained baseline* (e.g. 42e01f) in
packetization mode 0 or 1; audio opus, PCMA, PCMU and telephone-event.  VP9, AV1, the other H.264
profiles, G.722, CN and the repair formats (rtx, red, ulpfec, flexfec) are removed, with their
``a=rtpmap``/``a=fmtp``/``a=rtcp-fb`` lines and the retransmission SSRCs of ``a=ssrc-group:FID``.
RTCP feedback of what is kept (``nack pli``, ``ccm fir``) stays, so the browser's keyframe requests
have a place to go; ``transport-cc`` goes with the header extensions rtpengine strips.
A media section left with no codec is disabled (port 0), the others stay.
"""

from __future__ import annotations

import re
from collections.abc import Callable

AUDIO = frozenset({"opus", "pcma", "pcmu", "telephone-event"})
VIDEO = frozenset({"vp8", "h264"})
_STATIC = {"0": "pcmu", "8": "pcma"}  # static payload types a phone may list without a=rtpmap
_PT_ATTR = re.compile(r"^a=(rtpmap|fmtp|rtcp-fb):(\d+|\*)[ ]")
_FID = re.compile(r"^a=ssrc-group:FID (\d+) (\d+)$")
_SSRC = re.compile(r"^a=ssrc:(\d+) ")
MAX_LINES = 2_000


class SdpError(ValueError):
    """An SDP the filter cannot read."""


def has_ice(sdp: str) -> bool:
    """The SDP's author speaks ICE (a browser): it carries ICE credentials."""
    return any(line.startswith("a=ice-ufrag:") for line in sdp.splitlines())


def is_ice_lite(sdp: str) -> bool:
    """The SDP's author is an ICE-lite agent (rtpengine itself, on a chained leg)."""
    return any(line.strip() == "a=ice-lite" for line in sdp.splitlines())


def _h264_ok(fmtp: str) -> bool:
    params = dict(p.strip().partition("=")[::2] for p in fmtp.split(";") if p.strip())
    profile = params.get("profile-level-id", "42e01f").lower()  # RFC 6184's default is baseline 420010
    if len(profile) != 6 or not all(c in "0123456789abcdef" for c in profile):
        return False
    constrained_baseline = profile[:2] == "42" and int(profile[2:4], 16) & 0x40 != 0
    return constrained_baseline and params.get("packetization-mode", "0").strip() in {"0", "1"}


def _section(lines: list[str]) -> list[str]:
    """One media section filtered (``lines[0]`` is its ``m=`` line)."""
    parts = lines[0].split()
    if len(parts) < 4:
        raise SdpError(f"not an m= line: {lines[0][:80]!r}")
    kind, port, proto, formats = parts[0][2:], parts[1], parts[2], parts[3:]
    if kind not in ("audio", "video") or "RTP" not in proto:
        return lines
    names: dict[str, str] = {}
    fmtps: dict[str, str] = {}
    for line in lines[1:]:
        match = _PT_ATTR.match(line)
        if match and match[1] == "rtpmap":
            names[match[2]] = line.split(" ", 1)[1].split("/", 1)[0].strip().lower()
        elif match and match[1] == "fmtp":
            fmtps[match[2]] = line.split(" ", 1)[1]
    allowed = AUDIO if kind == "audio" else VIDEO
    keep = []
    for pt in formats:
        name = names.get(pt) or _STATIC.get(pt, "")
        if name in allowed and (name != "h264" or _h264_ok(fmtps.get(pt, ""))):
            keep.append(pt)
    if not [pt for pt in keep if (names.get(pt) or _STATIC.get(pt)) != "telephone-event"]:
        # Nothing a phone decodes: the stream is disabled, not the call.
        return [" ".join([parts[0], "0", proto, formats[0]])] + [x for x in lines[1:] if x.startswith("a=mid:")]
    repair: set[str] = set()
    for line in lines[1:]:
        fid = _FID.match(line)
        if fid:
            repair.add(fid[2])
    out = [" ".join([parts[0], port, proto, *keep])]
    for line in lines[1:]:
        match = _PT_ATTR.match(line)
        if match and match[2] != "*" and match[2] not in keep:
            continue
        if match and match[1] == "rtcp-fb" and "transport-cc" in line:
            continue
        ssrc = _SSRC.match(line)
        if _FID.match(line) or (ssrc and ssrc[1] in repair):
            continue
        out.append(line)
    return out


def _feedback(lines: list[str]) -> list[str]:
    """A video section with ``nack pli`` and ``ccm fir`` for each of its codecs (repair formats aside)."""
    if not lines[0].startswith("m=video "):
        return lines
    out = list(lines)
    for line in lines[1:]:
        match = _PT_ATTR.match(line)
        if not match or match[1] != "rtpmap":
            continue
        name = line.split(" ", 1)[1].split("/", 1)[0].strip().lower()
        if name in {"rtx", "red", "ulpfec", "flexfec-03"}:
            continue
        for fb in ("nack pli", "ccm fir"):
            wanted = f"a=rtcp-fb:{match[2]} {fb}"
            if wanted not in lines:
                out.append(wanted)
    return out


def _rewrite(sdp: str, edit: Callable[[list[str]], list[str]], drop: tuple[str, ...] = ()) -> str:
    newline = "\r\n" if "\r\n" in sdp else "\n"
    lines = sdp.rstrip("\r\n").split(newline)
    if len(lines) > MAX_LINES:
        raise SdpError(f"an SDP of {len(lines)} lines is more than the {MAX_LINES} allowed")
    out: list[str] = []
    section: list[str] = []
    for line in lines:
        if line.startswith("m="):
            out += edit(section) if section else []
            section = [line]
        elif section:
            section.append(line)
        elif not line.startswith(drop):
            out.append(line)
    out += edit(section) if section else []
    return newline.join(out) + newline


def for_phone(sdp: str) -> str:
    """``sdp`` with only the codecs a SIP phone is offered (line endings kept)."""
    return _rewrite(sdp, _section, drop=("a=extmap-allow-mixed",))


def with_feedback(sdp: str) -> str:
    """``sdp`` whose video codecs all ask for keyframes (``nack pli``, ``ccm fir``): a browser sends
    PLI/FIR only for what the SDP it got lists, and a phone's SDP (``RTP/AVP``) often lists none, which
    left the browser waiting seconds for the phone's next keyframe (ADR 0012).  rtpengine relays them."""
    return _rewrite(sdp, _feedback)


def unreachable(sdp: str) -> str:
    """The same offer with no way to reach its sender: no ICE candidates and a password that is not its
    ICE password, so the connectivity checks of whoever gets it fail (ports and addresses stay: this is
    not "hold", and the relay keeps what it told the phone).  A phone that only rings must not start ICE
    and DTLS with the caller's relay: if another device answered, the caller's DTLS would be tied to the
    wrong peer.  The whole offer is given again when the phone answers."""
    out: list[str] = []
    for line in sdp.replace("\r\n", "\n").split("\n"):
        if line.startswith(("a=candidate:", "a=end-of-candidates", "a=remote-candidates:")):
            continue
        if line.startswith("a=ice-pwd:"):
            line = "a=ice-pwd:" + "0" * 24  # valid in form (RFC 8839: 22-256 ice-chars), wrong in value
        out.append(line)
    return "\r\n".join(out)


_DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")
_MIRROR = {"sendonly": "recvonly", "recvonly": "sendonly", "inactive": "inactive", "sendrecv": "sendrecv"}


def _directions(sdp: str) -> list[str]:
    """Each media section's direction (a session-level one applies where a section names none)."""
    session, found = "sendrecv", list[str]()
    for line in sdp.replace("\r\n", "\n").split("\n"):
        if line.startswith("m="):
            found.append(session)
        elif line[2:] in _DIRECTIONS and line.startswith("a="):
            if found:
                found[-1] = line[2:]
            else:
                session = line[2:]
    return found


def answer_again(previous: str, offer: str) -> str:
    """The answer to a phone's offer in a re-INVITE (RFC 3264 §8): the media stay as they were
    (``previous``: what the phone was last given), each section's direction answers the offer's —
    ``sendonly`` (hold) gets ``recvonly``, ``inactive`` gets ``inactive``, anything else ``sendrecv``.
    An offer with the same directions (a session refresh, RFC 4028) gets ``previous`` unchanged, its
    ``o=`` version included; a changed answer gets the next version (RFC 3264 §8)."""
    if len(offer.splitlines()) > MAX_LINES:
        raise SdpError(f"an SDP of more than the {MAX_LINES} lines allowed")
    wanted = [_MIRROR[d] for d in _directions(offer)]
    newline = "\r\n" if "\r\n" in previous else "\n"
    lines = previous.rstrip("\r\n").split(newline)
    out: list[str] = []
    index = -1
    for line in lines:
        if line.startswith("m="):
            index += 1
            out.append(line)
            if index < len(wanted):
                out.append(f"a={wanted[index]}")
            continue
        if index >= 0 and line.startswith("a=") and line[2:] in _DIRECTIONS:
            continue  # replaced by the one written after the m= line
        out.append(line)
    if index >= 0 and _directions(newline.join(out)) == _directions(previous):
        return previous
    for i, line in enumerate(out):
        if line.startswith("o="):
            parts = line.split(" ")
            if len(parts) >= 3 and parts[2].isdigit():
                parts[2] = str(int(parts[2]) + 1)
                out[i] = " ".join(parts)
            break
    return newline.join(out) + newline

"""Which kind of device each side of a call used, and the path its media took (issue 16, the console's
live calls).

A SIP phone is a device of the signaling hub whose id starts with ``sip:`` (the gateway's
``DEVICE_PREFIX``); every other device is a browser.  Media of a call with a SIP phone on either side
always goes through the media relay (rtpengine); between two browsers it is direct (``p2p``) or through
the TURN server (``turn``), as the browsers report it with their quality samples.  Pure.
"""

from __future__ import annotations

from typing import Final, Literal

SIP_DEVICE_PREFIX: Final = "sip:"

DeviceKind = Literal["browser", "sip", ""]
# What a browser reports: its selected ICE candidate pair had a relay candidate on either side ("turn")
# or not ("p2p").
ReportedPath = Literal["p2p", "turn"]
MediaPath = Literal["p2p", "turn", "relay", ""]
REPORTED_PATHS: Final[frozenset[str]] = frozenset({"p2p", "turn"})


def device_kind(device_id: str) -> DeviceKind:
    """``sip`` for a SIP phone, ``browser`` for any other device, ``""`` for none (a callee device has
    not answered yet)."""
    if not device_id:
        return ""
    return "sip" if device_id.startswith(SIP_DEVICE_PREFIX) else "browser"


def reported_path(value: object) -> ReportedPath | None:
    """A browser's reported path if it is one of the known ones, else None."""
    if value == "p2p":
        return "p2p"
    if value == "turn":
        return "turn"
    return None


def media_path(caller_device: str, callee_device: str, reported: str | None) -> MediaPath:
    """``relay`` if either side is a SIP phone; else the path the browsers reported last (``p2p`` /
    ``turn``); else ``""``: not known yet."""
    if "sip" in (device_kind(caller_device), device_kind(callee_device)):
        return "relay"
    return reported_path(reported) or ""

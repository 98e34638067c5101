"""Texts of the call notification a push-woken browser shows (R-36), by locale: rendered by the server
in the callee's language (the service worker shows them as they come)."""

from __future__ import annotations

CALL: dict[str, tuple[str, str]] = {
    "zh-CN": ("{who} 来电", "点按接听（拨打的号码：{to}）"),
    "en": ("{who} is calling you", "Tap to answer (number called: {to})"),
}
WITHHELD: dict[str, str] = {"zh-CN": "号码未显示", "en": "A withheld number"}
# The call notification's buttons: answer, decline.
ACTIONS: dict[str, tuple[str, str]] = {"zh-CN": ("接听", "拒绝"), "en": ("Answer", "Decline")}
# What replaces the call notification when nobody answered (the "call over" push).
MISSED: dict[str, tuple[str, str]] = {
    "zh-CN": ("{who} 的未接来电", "拨打的号码：{to}"),
    "en": ("Missed call from {who}", "Number called: {to}"),
}

"""Texts of the call notification a push-woken browser shows (R-36), by locale: rendered by the server
in the callee's language (the service worker shows them as they come)."""

from __future__ import annotations

CALL: dict[str, tuple[str, str]] = {
    "zh-CN": ("{who} 来电", "点按接听（拨打的号码：{to}）"),
    "en": ("{who} is calling you", "Tap to answer (number called: {to})"),
}
WITHHELD: dict[str, str] = {"zh-CN": "号码未显示", "en": "A withheld number"}

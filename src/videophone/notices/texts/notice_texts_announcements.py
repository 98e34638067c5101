"""Notification texts of the announcements feature: ``TEXTS[kind][language] = (subject, body)`` with
``str.format`` fields from the notification's params (see services.notifications)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    # params: announcement_id, announcement_kind, title, body, title_en, body_en, effective
    "announcement": {
        "zh-CN": ("业务公告：{title}", "{body}\n\n生效时间：{effective}（北京时间）。详情请见“业务公告”页面。"),
        "en": (
            "Service announcement: {title_en}",
            "{body_en}\n\nTakes effect: {effective} (Beijing time). See the Announcements page.",
        ),
    },
    # params: as "announcement", plus version, window_end
    "agreement_change": {
        "zh-CN": (
            "服务协议变更公告：第 {version} 版",
            "{body}\n\n您可以在“业务公告”页面查看新旧协议的差异。如有异议，请在 {window_end}（北京时间）前提出；"
            "逾期未提出异议的，视为您已熟悉并同意本协议的变更。",
        ),
        "en": (
            "Agreement change: version {version}",
            "{body_en}\n\nSee what changed on the Announcements page. If you object, tell us before {window_end} "
            "(Beijing time); otherwise you are deemed to know and accept the changed agreement.",
        ),
    },
    # params: version
    "agreement_objection_received": {
        "zh-CN": (
            "已收到您对第 {version} 版服务协议的异议",
            "我们已收到您的异议，工作人员将与您协商。协商结果将另行通知；在此之前，您的原协议继续有效。",
        ),
        "en": (
            "We received your objection to agreement version {version}",
            "Our staff will contact you to negotiate. You will be told the outcome; until then your current "
            "agreement still applies.",
        ),
    },
    # params: version, outcome, outcome_zh, outcome_en, note
    "agreement_objection_decided": {
        "zh-CN": ("第 {version} 版服务协议异议处理结果", "协商结果：{outcome_zh}。说明：{note}"),
        "en": ("Outcome of your objection to agreement version {version}", "Outcome: {outcome_en}. Note: {note}"),
    },
    # params: version
    "agreement_deemed_accepted": {
        "zh-CN": (
            "第 {version} 版服务协议已对您生效",
            "异议期已届满，您未提出异议，视为已熟悉并同意第 {version} 版服务协议。",
        ),
        "en": (
            "Agreement version {version} now applies to you",
            "The objection window has ended without an objection from you, so you are deemed to accept "
            "agreement version {version}.",
        ),
    },
}

"""Notification texts of the outages feature: ``TEXTS[kind][language] = (subject, body)`` with
``str.format`` fields from the notification's params (see services.notifications)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    # params: outage_id, title, hours, started, ended, credit
    "outage_credit": {
        "zh-CN": (
            "服务中断补偿 ¥{credit}",
            "{started} 至 {ended}（约 {hours} 小时），您的服务因“{title}”中断。按照协议，连续中断 24 小时以上的，"
            "我们以受影响时间的服务费为限给予补偿：¥{credit} 将作为减免列在您的下一期账单上。给您带来不便，深表歉意。",
        ),
        "en": (
            "Outage credit of ¥{credit}",
            'From {started} to {ended} (about {hours} hours) your service was interrupted by "{title}". '
            "Under the agreement, an interruption of 24 continuous hours or more is credited up to the service "
            "fees of the affected time: ¥{credit} will appear as a credit on your next bill. We apologize for "
            "the inconvenience.",
        ),
    },
}

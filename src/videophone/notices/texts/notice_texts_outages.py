"""Notification texts of the outages feature: ``TEXTS[kind][language] = (subject, body)`` with
``str.format`` fields from the notification's params (see services.notifications)."""

from __future__ import annotations

# An outage's cause (003 §12–§14) in the subscriber's words, in both languages.
CAUSE_WORDS: dict[str, tuple[str, str]] = {
    "operator": ("我方自身的故障", "a fault of our own"),
    "third_party": (
        "其他服务提供商或第三方的原因（协议第 13 条：我方不对其行为或过失承担责任）",
        "another provider or a third party (clause 13 of the agreement: we are not liable for their acts)",
    ),
    "internet": (
        "您与我方之间的互联网状况（协议第 12 条：互联网状况引起的中断我方不负责任）",
        "the state of the internet between you and us (clause 12 of the agreement: we are not liable for it)",
    ),
    "force_majeure": (
        "不可抗力，如地震、洪水等自然灾害、战争、暴乱（协议第 14 条）",
        "force majeure, such as an earthquake, flood, war or riot (clause 14 of the agreement)",
    ),
    "government": ("政府行为（协议第 14 条）", "a government act (clause 14 of the agreement)"),
}


def cause_params(cause: str) -> dict[str, str]:
    """The params a notice stores for ``cause``: its code and its words in both languages."""
    zh, en = CAUSE_WORDS[cause]
    return {"cause_code": cause, "cause_zh": zh, "cause_en": en}


CATEGORIES: dict[str, str] = {
    "outage_credit": "billing",
    "outage_no_credit": "billing",
    "outage_credit_reversed": "billing",
}

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    # params: outage_id, title, hours, started, ended, credit
    "outage_credit": {
        "zh-CN": (
            "服务中断补偿 ¥{credit}",
            "{started} 至 {ended}（约 {hours} 小时），您的服务因“{title}”中断，这是我方自身的故障。按照协议，"
            "连续中断 24 小时以上的，我们以受影响时间的服务费为限给予补偿：¥{credit} 将作为减免列在您的下一期账单上。"
            "给您带来不便，深表歉意。",
        ),
        "en": (
            "Outage credit of ¥{credit}",
            'From {started} to {ended} (about {hours} hours) your service was interrupted by "{title}", a fault '
            "of our own. Under the agreement, an interruption of 24 continuous hours or more is credited up to the "
            "service fees of the affected time: ¥{credit} will appear as a credit on your next bill. We apologize "
            "for the inconvenience.",
        ),
    },
    # params: outage_id, title, hours, started, ended, cause_code, cause_zh, cause_en
    "outage_no_credit": {
        "zh-CN": (
            "服务中断说明：{title}",
            "{started} 至 {ended}（约 {hours} 小时），您的服务因“{title}”中断。中断的原因是{cause_zh}。"
            "按照协议，非因我方自身原因造成的中断不予补偿。给您带来不便，敬请谅解。",
        ),
        "en": (
            "About the interruption: {title}",
            'From {started} to {ended} (about {hours} hours) your service was interrupted by "{title}". '
            "It was caused by {cause_en}. Under the agreement, an interruption that is not our own fault is "
            "not credited. We apologize for the inconvenience.",
        ),
    },
    # params: outage_id, title, credit, cause_code, cause_zh, cause_en
    "outage_credit_reversed": {
        "zh-CN": (
            "服务中断补偿 ¥{credit} 冲回",
            "经核实，“{title}”（中断 #{outage_id}）的原因是{cause_zh}，不属于我方自身的故障。按照协议，"
            "此前给予您的补偿 ¥{credit} 将在您的下一期账单上冲回（列为调账）。如有疑问，请联系客服。",
        ),
        "en": (
            "Outage credit of ¥{credit} reversed",
            'On review, "{title}" (outage #{outage_id}) was caused by {cause_en}, not a fault of our own. Under '
            "the agreement, the credit of ¥{credit} you were given is reversed on your next bill (shown as an "
            "adjustment). Contact us if you have any question.",
        ),
    },
}

"""UI texts of SIP phones (issue 16): the subscriber's softphone accounts on ``/account`` and each
terminal's SIP state in the console."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {
    # -- /account: softphones (static/sip-phones.js) -------------------------------------------------
    "sip_title": {"zh-CN": "SIP 话机和软电话", "en": "SIP phones and softphones"},
    "sip_lead": {
        "zh-CN": "在 SIP 可视电话或软电话（Linphone、baresip、MicroSIP 等）上使用您的号码。最多可创建 {max} 个软电话账号。",
        "en": "Use your number on a SIP video phone or a softphone app (Linphone, baresip, MicroSIP …). "
        "You can create up to {max} softphone accounts.",
    },
    "sip_col_label": {"zh-CN": "名称", "en": "Name"},
    "sip_col_user": {"zh-CN": "用户名", "en": "User"},
    "sip_col_state": {"zh-CN": "注册状态", "en": "Registration"},
    "sip_col_agent": {"zh-CN": "软件（User-Agent）", "en": "Software (user agent)"},
    "sip_registered": {"zh-CN": "已注册", "en": "Registered"},
    "sip_unregistered": {"zh-CN": "未注册", "en": "Unregistered"},
    "sip_since": {"zh-CN": "自 {time} 起", "en": "since {time}"},
    "sip_last_seen": {"zh-CN": "最后注册：{time}", "en": "last registered {time}"},
    "sip_none": {"zh-CN": "还没有软电话账号。", "en": "No softphone accounts yet."},
    "sip_field_label": {"zh-CN": "设备名称（如“笔记本电脑”）", "en": "Name of the device (e.g. “Laptop”)"},
    "sip_create": {"zh-CN": "创建 SIP 账号", "en": "Create a SIP account"},
    "sip_created": {
        "zh-CN": "SIP 账号已创建。请在软电话中填写以下设置：",
        "en": "The SIP account is ready. Enter these settings in your softphone:",
    },
    "sip_password_once": {
        "zh-CN": "请立即记下密码：关闭或刷新本页后将不再显示。",
        "en": "Write the password down now: it will not be shown again.",
    },
    "sip_setting_user": {"zh-CN": "用户名 / 认证用户名", "en": "User name / authentication user"},
    "sip_setting_password": {"zh-CN": "密码", "en": "Password"},
    "sip_setting_domain": {"zh-CN": "SIP 域", "en": "SIP domain"},
    "sip_setting_registrar": {"zh-CN": "注册服务器（代理）", "en": "Registrar (proxy)"},
    "sip_setting_realm": {"zh-CN": "认证域（realm）", "en": "Realm"},
    "sip_setting_transport": {"zh-CN": "传输协议", "en": "Transport"},
    "sip_setting_stun": {"zh-CN": "STUN 服务器", "en": "STUN server"},
    "sip_revoke": {"zh-CN": "停用", "en": "Revoke"},
    "sip_revoke_confirm": {
        "zh-CN": "停用“{label}”？该设备将立即断开，且无法再注册。",
        "en": "Revoke “{label}”? The device is disconnected at once and cannot register again.",
    },
    "sip_revoke_yes": {"zh-CN": "确认停用", "en": "Yes, revoke"},
    "sip_cancel": {"zh-CN": "取消", "en": "Cancel"},
    "sip_revoked": {"zh-CN": "SIP 账号已停用。", "en": "The SIP account is revoked."},
    # -- console: a terminal's SIP state (static/terminals-console.js) --------------------------------
    "sip_col_console": {"zh-CN": "SIP 注册", "en": "SIP registration"},
    "sip_no_account": {"zh-CN": "尚无 SIP 账号", "en": "no SIP account yet"},
    "sip_from": {"zh-CN": "地址 {address}", "en": "from {address}"},
    "sip_version": {"zh-CN": "版本 {version}", "en": "version {version}"},
    "sip_upgrade_available": {"zh-CN": "有可用升级", "en": "upgrade available"},
}

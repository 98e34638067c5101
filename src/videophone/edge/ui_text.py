"""Labels of the pages, by locale (zh-CN default, English)."""

from __future__ import annotations

from videophone.billing.texts import ui_billing, ui_disputes, ui_sales
from videophone.calling.texts import ui_call_screen, ui_calls, ui_contacts, ui_history, ui_voicemail
from videophone.collections.texts import ui_credit, ui_payments, ui_termination
from videophone.edge.catalogues import merge
from videophone.enforcement.texts import ui_enforcement
from videophone.identity.texts import ui_account, ui_audit, ui_identity, ui_policy
from videophone.notices.texts import ui_announcements, ui_outages, ui_preferences, ui_push
from videophone.terminals.texts import ui_sip, ui_terminals

# The shell's own labels (navigation, paging, the home page); each context's are in its texts/ui_*.py
# modules (merged below).
SHELL: dict[str, dict[str, str]] = {
    "brand": {"zh-CN": "可视电话", "en": "Videophone"},
    "skip_to_content": {"zh-CN": "跳到正文", "en": "Skip to content"},
    "nav_home": {"zh-CN": "首页", "en": "Home"},
    "nav_register": {"zh-CN": "注册", "en": "Register"},
    "nav_login": {"zh-CN": "登录", "en": "Log in"},
    "nav_account": {"zh-CN": "我的账户", "en": "My account"},
    "nav_agreement": {"zh-CN": "服务协议", "en": "Service agreement"},
    "nav_logout": {"zh-CN": "退出登录", "en": "Log out"},
    "nav_reviews": {"zh-CN": "审核队列", "en": "Review queue"},
    "nav_subscribers": {"zh-CN": "用户", "en": "Subscribers"},
    "nav_policy": {"zh-CN": "运营参数", "en": "Policy"},
    "nav_audit": {"zh-CN": "审计日志", "en": "Audit log"},
    "nav_staff": {"zh-CN": "员工", "en": "Staff"},
    "nav_main": {"zh-CN": "主导航", "en": "Main navigation"},
    "nav_menu": {"zh-CN": "菜单", "en": "Menu"},
    "table_scroll_hint": {"zh-CN": "左右滑动查看更多 →", "en": "Swipe sideways for more →"},
    "lang_switch": {"zh-CN": "切换语言", "en": "Change language"},
    "console_title": {"zh-CN": "运营管理台", "en": "Operator console"},
    "footer_note": {"zh-CN": "可视电话业务平台", "en": "Video telephone service platform"},
    "empty_list": {"zh-CN": "暂无记录。", "en": "Nothing to show."},
    "error_network": {
        "zh-CN": "无法连接服务器，请稍后再试。",
        "en": "Cannot reach the server; please try again later.",
    },
    "save": {"zh-CN": "保存", "en": "Save"},
    "search": {"zh-CN": "搜索", "en": "Search"},
    "previous_page": {"zh-CN": "上一页", "en": "Previous"},
    "next_page": {"zh-CN": "下一页", "en": "Next"},
    "page_info": {"zh-CN": "第 {from}–{to} 条，共 {total} 条", "en": "{from}–{to} of {total}"},
    "optional": {"zh-CN": "（选填）", "en": "(optional)"},
    "not_found_title": {"zh-CN": "页面不存在", "en": "Page not found"},
    "not_found_text": {
        "zh-CN": "您访问的页面不存在或已被移除。",
        "en": "The page you asked for does not exist or has been removed.",
    },
    "not_found_back": {"zh-CN": "返回首页", "en": "Back to the home page"},
    "home_title": {"zh-CN": "可视电话业务", "en": "Video telephone service"},
    "home_lead": {
        "zh-CN": "实名登记后即可获得专属可视电话号码，随时随地进行高清视频通话。",
        "en": "Register with your real name to get your own video phone number and make high-quality video calls anywhere.",
    },
    "home_register": {"zh-CN": "立即注册", "en": "Register now"},
    "home_login": {"zh-CN": "登录账户", "en": "Log in"},
    "home_account": {"zh-CN": "进入我的账户", "en": "Go to my account"},
    "home_feature_number_title": {"zh-CN": "专属号码", "en": "Your own number"},
    "home_feature_number_text": {
        "zh-CN": "注册成功后立即分配 11 位可视电话号码。",
        "en": "An 11-digit video phone number is assigned as soon as you register.",
    },
    "home_feature_realname_title": {"zh-CN": "实名登记", "en": "Real-name registration"},
    "home_feature_realname_text": {
        "zh-CN": "依法进行实名登记，个人信息加密保存。",
        "en": "Registration under your real name, as the law requires; personal data is stored encrypted.",
    },
    "home_feature_agreement_title": {"zh-CN": "透明协议", "en": "Clear agreement"},
    "home_feature_agreement_text": {
        "zh-CN": "服务协议随时可查，可下载 PDF 版本。",
        "en": "The service agreement is always available, also as a PDF.",
    },
    "nothing_changed": {"zh-CN": "没有需要保存的修改。", "en": "There is nothing to save."},
}


NAVIGATION: dict[str, dict[str, str]] = {
    "nav_phone": {"zh-CN": "拨号", "en": "Phone"},
    "nav_group_billing": {"zh-CN": "计费", "en": "Billing"},
    "nav_group_service": {"zh-CN": "服务管理", "en": "Service"},
    "nav_group_devices": {"zh-CN": "终端", "en": "Devices"},
    "nav_group_system": {"zh-CN": "系统", "en": "System"},
    "nav_group_more": {"zh-CN": "更多", "en": "More"},
    "nav_announcements": {"zh-CN": "公告", "en": "Announcements"},
    "nav_my_terminals": {"zh-CN": "终端设备", "en": "Terminals"},
    "nav_termination": {"zh-CN": "销户", "en": "Close account"},
    "nav_violations": {"zh-CN": "违规处理", "en": "Violations"},
    "nav_lawful": {"zh-CN": "依法暂停", "en": "Lawful suspension"},
    "nav_terminations": {"zh-CN": "销户", "en": "Terminations"},
    "nav_console_announcements": {"zh-CN": "公告", "en": "Announcements"},
    "nav_outages": {"zh-CN": "故障", "en": "Outages"},
    "nav_dashboard": {"zh-CN": "概览", "en": "Dashboard"},
    "nav_terminals": {"zh-CN": "终端", "en": "Terminals"},
    "nav_warranty": {"zh-CN": "保修", "en": "Warranty"},
    "nav_releases": {"zh-CN": "客户端版本", "en": "Releases"},
    "nav_payments": {"zh-CN": "收款", "en": "Payments"},
    "nav_arrears": {"zh-CN": "欠费", "en": "Arrears"},
    "nav_disputes": {"zh-CN": "费用争议", "en": "Disputes"},
    "nav_my_payments": {"zh-CN": "缴费", "en": "Pay"},
    "nav_my_disputes": {"zh-CN": "费用争议", "en": "Disputes"},
    "nav_credit": {"zh-CN": "信用额度", "en": "Credit limit"},
    "nav_notifications": {"zh-CN": "通知", "en": "Notifications"},
    "nav_history": {"zh-CN": "通话记录", "en": "History"},
    "nav_contacts": {"zh-CN": "联系人", "en": "Contacts"},
    "nav_live_calls": {"zh-CN": "实时通话", "en": "Live calls"},
    "nav_reports": {"zh-CN": "骚扰举报", "en": "Reports"},
    "nav_prices": {"zh-CN": "资费", "en": "Prices"},
    "nav_orders": {"zh-CN": "我的订单", "en": "Orders"},
    "nav_my_bills": {"zh-CN": "我的账单", "en": "Bills"},
    "nav_tariffs": {"zh-CN": "资费管理", "en": "Tariffs"},
    "nav_bills": {"zh-CN": "账单", "en": "Bills"},
}

# Every part of the catalogue by its module; a key defined in two of them is refused at import.
PARTS: dict[str, dict[str, dict[str, str]]] = {
    "edge.ui_text.SHELL": SHELL,
    "edge.ui_text.NAVIGATION": NAVIGATION,
    "identity.texts.ui_identity": ui_identity.UI,
    "identity.texts.ui_audit": ui_audit.UI,
    "identity.texts.ui_policy": ui_policy.UI,
    "calling.texts.ui_call_screen": ui_call_screen.UI,
    "calling.texts.ui_calls": ui_calls.UI,
    "calling.texts.ui_contacts": ui_contacts.UI,
    "calling.texts.ui_history": ui_history.UI,
    "billing.texts.ui_sales": ui_sales.UI,
    "billing.texts.ui_billing": ui_billing.UI,
    "collections.texts.ui_payments": ui_payments.UI,
    "identity.texts.ui_account": ui_account.UI,
    "collections.texts.ui_credit": ui_credit.UI,
    "notices.texts.ui_preferences": ui_preferences.UI,
    "notices.texts.ui_push": ui_push.UI,
    "billing.texts.ui_disputes": ui_disputes.UI,
    "enforcement.texts.ui_enforcement": ui_enforcement.UI,
    "collections.texts.ui_termination": ui_termination.UI,
    "notices.texts.ui_announcements": ui_announcements.UI,
    "notices.texts.ui_outages": ui_outages.UI,
    "terminals.texts.ui_terminals": ui_terminals.UI,
    "terminals.texts.ui_sip": ui_sip.UI,
    "calling.texts.ui_voicemail": ui_voicemail.UI,
}
UI: dict[str, dict[str, str]] = merge(PARTS)

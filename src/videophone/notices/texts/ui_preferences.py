"""Labels of the notification preferences (portal /notifications), by locale (zh-CN default, English)."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {
    "prefs_heading": {"zh-CN": "通知方式", "en": "How we notify you"},
    "prefs_lead": {
        "zh-CN": "站内通知始终开启。请选择各类通知是否同时通过邮件、短信和推送（在“我的账户”中为本设备开启）发送。",
        "en": "In-app notifications are always on. Choose which notifications also come by email, by SMS and by "
        "push (enable it for a device in My account).",
    },
    "prefs_always": {
        "zh-CN": "服务中止、销户及服务协议变更的通知依法必须送达，无论以下如何设置，都会通过邮件和短信发送。",
        "en": "Notices of suspension, termination and agreement changes are required by law and are always sent "
        "by email and SMS, whatever you choose below.",
    },
    "prefs_col_category": {"zh-CN": "通知类别", "en": "Category"},
    "prefs_col_email": {"zh-CN": "邮件", "en": "Email"},
    "prefs_col_sms": {"zh-CN": "短信", "en": "SMS"},
    "prefs_email_to": {"zh-CN": "邮件发送至 {to}", "en": "Emails go to {to}"},
    "prefs_sms_to": {"zh-CN": "短信发送至 {to}", "en": "Text messages go to {to}"},
    "prefs_save": {"zh-CN": "保存通知方式", "en": "Save preferences"},
    "prefs_saved": {"zh-CN": "通知方式已保存。", "en": "Your preferences are saved."},
    "prefs_category_billing": {"zh-CN": "账单与缴费", "en": "Bills and payments"},
    "prefs_category_overdue": {"zh-CN": "逾期与违约金", "en": "Overdue payments and late fees"},
    "prefs_category_service": {"zh-CN": "服务中止、恢复与销户", "en": "Suspension, restoration, termination"},
    "prefs_category_announcements": {"zh-CN": "公告与协议变更", "en": "Announcements and agreement changes"},
    "prefs_category_disputes": {"zh-CN": "费用争议", "en": "Disputes"},
    "prefs_category_credit_limit": {"zh-CN": "信用额度提醒", "en": "Credit-limit warnings"},
    "prefs_category_other": {"zh-CN": "终端、保修及其他", "en": "Terminals, warranty and other"},
}

"""Texts of the emails the service sends, by language."""

from __future__ import annotations

PASSWORD_RESET = {
    "zh-CN": (
        "重置您的可视电话账户密码",
        "您好，{name}：\n\n我们收到了重置您账户（号码 {number}）密码的请求。请在 {minutes} 分钟内打开以下链接设置新密码：\n\n"
        "{link}\n\n如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。\n",
    ),
    "en": (
        "Reset your videophone password",
        "Hello {name},\n\nWe received a request to reset the password of your account (number {number}). "
        "Open this link within {minutes} minutes to choose a new password:\n\n{link}\n\n"
        "If you did not ask for this, ignore this email; your password stays as it is.\n",
    ),
}

"""Texts of this context: notification kinds, page labels (``ui_*``) and error messages (``messages_*``), zh-CN and English."""

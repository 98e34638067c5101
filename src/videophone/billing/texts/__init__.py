"""Texts of this context that other parts render (notification kinds and their words, zh-CN and English)."""

"""What free text may contain: no control characters (C0 except tab, line feed and carriage return,
and DEL).  PostgreSQL cannot store NUL at all, and none of them means anything in a name or a note.
And which of a text's two languages a reader is shown (:func:`in_language`)."""

from __future__ import annotations

import re

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def in_language(language: str, zh: str, en: str) -> str:
    """A text stored in Chinese and English, in the reader's ``language``: English when asked for and
    written, else the Chinese — or the English when the Chinese is empty."""
    if language == "en":
        return en or zh
    return zh or en

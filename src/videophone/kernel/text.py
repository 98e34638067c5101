"""What free text may contain: no control characters (C0 except tab, line feed and carriage return,
and DEL).  PostgreSQL cannot store NUL at all, and none of them means anything in a name or a note."""

from __future__ import annotations

import re

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None

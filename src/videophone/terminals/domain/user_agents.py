"""The software version a SIP phone reports in its ``User-Agent`` (R-34, issue 16): pure.

Phones name themselves, then their firmware or program version, in many shapes::

    Grandstream GXV3380 1.0.3.35        Yealink SIP-T58A 58.86.0.20      Fanvil X7 2.12.4
    baresip v3.10.1 (x86_64/linux)      Linphone/5.2.0 (belle-sip/5.2.0)  MicroSIP/3.21.3

The version is the first dotted number (two to four parts, optionally after ``v`` or ``/``) standing
on its own — a model such as ``SIP-T58A`` or ``GXV3380`` has no dot and is skipped.  Parts are
normalised (``1.0.11.08`` → ``1.0.11.8``) so that the result is a version the releases compare
(``domain.terminals.version_key``); anything else gives "".  Never raises.
"""

from __future__ import annotations

import re

USER_AGENT_MAX = 200
_VERSION = re.compile(r"(?<![\w.\-])v?(\d{1,6}(?:\.\d{1,6}){1,3})(?![.\w])")


def version_from_user_agent(user_agent: str) -> str:
    """The version in a phone's user agent, normalised; "" when it names none."""
    text = str(user_agent or "")[:USER_AGENT_MAX]
    for match in _VERSION.finditer(text):
        return ".".join(str(int(part)) for part in match.group(1).split("."))
    return ""

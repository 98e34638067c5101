"""User-facing messages for coded errors, by locale (zh-CN default, English)."""

from __future__ import annotations

from videophone.billing.texts import messages_disputes
from videophone.calling.texts import messages_forwarding, messages_voicemail
from videophone.collections.texts import messages_arrears, messages_credit, messages_payments, messages_termination
from videophone.edge.catalogues import merge
from videophone.edge.messages import core, edge
from videophone.enforcement.texts import messages_enforcement
from videophone.identity.texts import messages_identity
from videophone.notices.texts import messages_announcements, messages_outages, messages_preferences, messages_push
from videophone.terminals.texts import messages_terminals

# Every module's messages; a code defined in two of them is refused at import.
PARTS: dict[str, dict[str, dict[str, str]]] = {
    "identity.texts.messages_identity": messages_identity.MESSAGES,
    "calling.texts.messages_forwarding": messages_forwarding.MESSAGES,
    "collections.texts.messages_payments": messages_payments.MESSAGES,
    "collections.texts.messages_arrears": messages_arrears.MESSAGES,
    "collections.texts.messages_credit": messages_credit.MESSAGES,
    "notices.texts.messages_preferences": messages_preferences.MESSAGES,
    "notices.texts.messages_push": messages_push.MESSAGES,
    "billing.texts.messages_disputes": messages_disputes.MESSAGES,
    "enforcement.texts.messages_enforcement": messages_enforcement.MESSAGES,
    "collections.texts.messages_termination": messages_termination.MESSAGES,
    "notices.texts.messages_announcements": messages_announcements.MESSAGES,
    "notices.texts.messages_outages": messages_outages.MESSAGES,
    "terminals.texts.messages_terminals": messages_terminals.MESSAGES,
    "calling.texts.messages_voicemail": messages_voicemail.MESSAGES,
    "messages.edge": edge.MESSAGES,
    "messages.core": core.MESSAGES,
}
CATALOG: dict[str, dict[str, str]] = merge(PARTS)

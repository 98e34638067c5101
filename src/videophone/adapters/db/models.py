"""Every table, importable from one place: the declarative base and the tables of each context live in
``models_*.py`` beside this module; importing this module registers them all on ``Base.metadata`` (the
service, Alembic, the tests).  Changes to a table need an Alembic migration (``migrations/versions``)."""

from __future__ import annotations

from videophone.adapters.db import (
    models_announcements,
    models_enforcement,
    models_outages,
    models_preferences,
    models_terminals,
    models_termination,
    models_voicemail,
)
from videophone.adapters.db.models_base import NAMING, Base, BigId
from videophone.adapters.db.models_billing import (
    Bill,
    BillLine,
    BillRun,
    CallCharge,
    Dispute,
    LedgerLine,
    LedgerTransaction,
    Order,
    OrderItem,
    Plan,
    PlanPrice,
    PlanSubscription,
    ValueAddedService,
    VasPrice,
    VasSubscription,
)
from videophone.adapters.db.models_calling import (
    Block,
    CallQualitySample,
    CallRecord,
    Contact,
    HarassmentReport,
    SignalingNode,
)
from videophone.adapters.db.models_collections import (
    AccountEvent,
    CreditReservation,
    CreditWarning,
    GatewayNotification,
    LateFeeAccrual,
    Payment,
    PaymentIntent,
    Refund,
    ServiceRestriction,
)
from videophone.adapters.db.models_identity import (
    AgreementAcceptance,
    AgreementVersion,
    AuditRecord,
    AuthSession,
    IdentityDocument,
    LoginThrottle,
    NumberChange,
    PasswordReset,
    PhoneNumber,
    PolicyVersion,
    ReviewDecision,
    StaffUser,
    Subscriber,
)
from videophone.adapters.db.models_notifications import (
    Notification,
    OutboxMessage,
)

# The tables of later features, in their own modules (importing them above registers them).
FEATURE_MODELS = (
    models_enforcement,
    models_termination,
    models_announcements,
    models_outages,
    models_terminals,
    models_preferences,
    models_voicemail,
)

__all__ = [
    "FEATURE_MODELS",
    "NAMING",
    "AccountEvent",
    "AgreementAcceptance",
    "AgreementVersion",
    "AuditRecord",
    "AuthSession",
    "Base",
    "BigId",
    "Bill",
    "BillLine",
    "BillRun",
    "Block",
    "CallCharge",
    "CallQualitySample",
    "CallRecord",
    "Contact",
    "CreditReservation",
    "CreditWarning",
    "Dispute",
    "GatewayNotification",
    "HarassmentReport",
    "IdentityDocument",
    "LateFeeAccrual",
    "LedgerLine",
    "LedgerTransaction",
    "LoginThrottle",
    "Notification",
    "NumberChange",
    "Order",
    "OrderItem",
    "OutboxMessage",
    "PasswordReset",
    "Payment",
    "PaymentIntent",
    "PhoneNumber",
    "Plan",
    "PlanPrice",
    "PlanSubscription",
    "PolicyVersion",
    "Refund",
    "ReviewDecision",
    "ServiceRestriction",
    "SignalingNode",
    "StaffUser",
    "Subscriber",
    "ValueAddedService",
    "VasPrice",
    "VasSubscription",
]

"""Who the demo operator has: staff for every role and subscribers with valid (made-up) identity numbers."""

from __future__ import annotations

from videophone.identity.domain.identity_numbers import resident_id_check_char

DEMO_PASSWORD = "Demo-Passw0rd!"  # noqa: S105 - printed for the demo, never used outside demo mode
DEMO_STAFF = [
    ("admin", "演示管理员", ["administrator"]),
    ("reviewer", "演示审核员", ["reviewer"]),
    ("billing", "演示计费员", ["billing"]),
    ("support", "演示客服", ["support"]),
    ("legal", "演示法务", ["legal"]),
]
# The README tour logs in as this subscriber: a customer for some months, with bills paid and unpaid.
TOUR_EMAIL = "zhangwei@example.com"
PEER_EMAIL = "liuyang@example.com"


def _resident_id(prefix17: str) -> str:
    return prefix17 + resident_id_check_char(prefix17)


def demo_subscribers() -> list[dict[str, object]]:
    """The subscribers registered when the demo is set up (today): no history of their own."""
    return [
        {
            "kind": "person",
            "name": "李明",
            "birth_date": "1990-03-07",
            "address": "北京市朝阳区建国路88号",
            "postal_code": "100022",
            "id_type": "resident_id",
            "id_number": _resident_id("11010519900307123"),
            "employer": "北京示例科技有限公司",
            "contact_phone": "13800138001",
            "email": "liming@example.com",
        },
        {
            "kind": "person",
            "name": "王芳",
            "birth_date": "1985-11-20",
            "address": "上海市浦东新区世纪大道100号",
            "postal_code": "200120",
            "id_type": "resident_id",
            "id_number": _resident_id("31011519851120224"),
            "employer": "上海示例贸易有限公司",
            "contact_phone": "13900139002",
            "email": "wangfang@example.com",
        },
        {
            "kind": "organization",
            "name": "深圳示例文化传播有限公司",
            "address": "广东省深圳市南山区科技园1号",
            "postal_code": "518057",
            "credit_code": "91440300MA5G24KH9F",
            "legal_representative": "陈强",
            "employer": "",
            "contact_phone": "13700137003",
            "email": "office@example.org",
        },
    ]


def history_subscribers() -> list[dict[str, object]]:
    """The two subscribers of the seeded history: the tour's (first) and the one they call most."""
    return [
        {
            "kind": "person",
            "name": "张伟",
            "birth_date": "1988-05-12",
            "address": "北京市海淀区中关村大街27号",
            "postal_code": "100080",
            "id_type": "resident_id",
            "id_number": _resident_id("11010819880512135"),
            "employer": "北京示例软件有限公司",
            "contact_phone": "13600136004",
            "email": TOUR_EMAIL,
        },
        {
            "kind": "person",
            "name": "刘洋",
            "birth_date": "1993-02-18",
            "address": "广东省深圳市福田区深南大道6008号",
            "postal_code": "518048",
            "id_type": "resident_id",
            "id_number": _resident_id("44030519930218246"),
            "employer": "深圳示例设计有限公司",
            "contact_phone": "13500135005",
            "email": PEER_EMAIL,
        },
    ]

"""Valid registration data for tests."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from videophone.identity.domain.identity_numbers import resident_id_check_char, uscc_check_char

PASSWORD = "Str0ng-Passw0rd!"
_counter = itertools.count(1)


def resident_id(birth: date, region: str = "110105", seq: int = 123) -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def credit_code(body: str = "91440300MA5G24KH9") -> str:
    return body + uscc_check_char(body)


def person(**overrides: Any) -> dict[str, Any]:
    n = next(_counter)
    birth = date(1990, 3, 7)
    data: dict[str, Any] = {
        "kind": "person",
        "name": "测试用户",
        "birth_date": birth.isoformat(),
        "address": "北京市朝阳区建国路88号",
        "postal_code": "100022",
        "id_type": "resident_id",
        "id_number": resident_id(birth, seq=n),
        "employer": "示例科技有限公司",
        "contact_phone": "13800138000",
        "email": f"user{n}@example.com",
        "password": PASSWORD,
        "accept_agreement": True,
    }
    data.update(overrides)
    return data


def organization(**overrides: Any) -> dict[str, Any]:
    n = next(_counter)
    data: dict[str, Any] = {
        "kind": "organization",
        "name": "深圳示例文化传播有限公司",
        "address": "广东省深圳市南山区科技园1号",
        "postal_code": "518057",
        "credit_code": credit_code(),
        "legal_representative": "陈强",
        "contact_phone": "13700137000",
        "email": f"org{n}@example.org",
        "password": PASSWORD,
        "accept_agreement": True,
    }
    data.update(overrides)
    return data

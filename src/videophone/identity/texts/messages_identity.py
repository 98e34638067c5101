"""Messages for the error codes of real-name registration.

Codes come from :mod:`videophone.identity.domain.identity_numbers` and
:mod:`videophone.identity.domain.contact_details`.  Placeholders use :meth:`str.format` syntax and are
filled from ``FieldError.params``.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # -- identity documents ----------------------------------------------------------------------
    "id_type_unknown": {
        "zh-CN": "请选择有效的证件类型。",
        "en": "Please choose a valid identity document type.",
    },
    "id_number_format": {
        "zh-CN": "证件号码格式不正确，请核对后重新输入。",
        "en": "The document number is not in the correct format. Please check it and try again.",
    },
    "id_number_birth_date_invalid": {
        "zh-CN": "身份证号码中的出生日期无效，请核对后重新输入。",
        "en": "The date of birth contained in the ID number is not a valid date. Please check the number.",
    },
    "id_number_checksum": {
        "zh-CN": "证件号码校验位不正确，请检查是否有输错的数字。",
        "en": "The document number's check character does not match. Please check for mistyped digits.",
    },
    "id_number_birth_date_mismatch": {
        "zh-CN": "出生日期与身份证号码中的出生日期（{expected}）不一致。",
        "en": "The date of birth does not match the one in the ID number ({expected}).",
    },
    "passport_format": {
        "zh-CN": "护照号码应为 5–20 位英文字母或数字。",
        "en": "A passport number must be 5–20 letters or digits.",
    },
    # -- unified social credit code --------------------------------------------------------------
    "uscc_format": {
        "zh-CN": "统一社会信用代码应为 18 位数字或大写字母（不含 I、O、S、V、Z），请核对后重新输入。",
        "en": (
            "A unified social credit code is 18 digits or capital letters (excluding I, O, S, V and Z)."
            " Please check it and try again."
        ),
    },
    "uscc_checksum": {
        "zh-CN": "统一社会信用代码校验位不正确，请检查是否有输错的字符。",
        "en": "The unified social credit code's check character does not match. Please check for typos.",
    },
    # -- contact details -------------------------------------------------------------------------
    "mobile_format": {
        "zh-CN": "请输入有效的 11 位中国大陆手机号码。",
        "en": "Please enter a valid 11-digit mainland China mobile number.",
    },
    "postal_code_format": {
        "zh-CN": "邮政编码应为 6 位数字。",
        "en": "A postal code must be 6 digits.",
    },
    "email_format": {
        "zh-CN": "请输入有效的电子邮箱地址。",
        "en": "Please enter a valid email address.",
    },
    "required": {
        "zh-CN": "此项为必填项。",
        "en": "This field is required.",
    },
    "too_long": {
        "zh-CN": "内容不能超过 {max} 个字符。",
        "en": "Please use at most {max} characters.",
    },
    # -- the console's audit log and policy editor --------------------------------------------------
    "audit_dates_reversed": {
        "zh-CN": "结束日期不能早于开始日期。",
        "en": "The end date cannot be before the start date.",
    },
    "policy_plan_unknown": {
        "zh-CN": "请选择资费目录中现有的套餐。",
        "en": "Please choose a plan of the tariff catalogue.",
    },
}

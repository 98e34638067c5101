"""Messages for the error codes of the service's core (auth, review, policy, numbers, uploads)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "error": {"zh-CN": "出现错误，请稍后再试。", "en": "Something went wrong. Please try again later."},
    "internal_error": {"zh-CN": "服务器内部错误，请稍后再试。", "en": "Internal server error. Please try again later."},
    "validation_failed": {
        "zh-CN": "提交的信息有误，请按提示修改。",
        "en": "Some information is not valid; see the messages.",
    },
    "invalid_input": {"zh-CN": "输入格式不正确。", "en": "The input is not in the expected format."},
    "invalid_choice": {"zh-CN": "请选择有效的选项。", "en": "Please choose a valid option."},
    "not_found": {"zh-CN": "未找到。", "en": "Not found."},
    "bad_request": {
        "zh-CN": "无法读取请求内容（应为 UTF-8 编码的 JSON 或表单）。",
        "en": "The request body could not be read (it should be UTF-8 JSON or a form).",
    },
    "method_not_allowed": {
        "zh-CN": "该地址不支持此请求方法（可用的方法见 Allow 头）。",
        "en": "This method is not allowed here (the Allow header lists those that are).",
    },
    "conflict": {"zh-CN": "数据已被修改，请刷新后重试。", "en": "The data changed meanwhile; reload and try again."},
    "not_authenticated": {"zh-CN": "请先登录。", "en": "Please log in first."},
    "permission_denied": {"zh-CN": "您没有执行此操作的权限。", "en": "You are not allowed to do this."},
    "invalid_state": {"zh-CN": "当前状态下不能执行此操作。", "en": "This cannot be done in the current state."},
    "service_unavailable": {"zh-CN": "服务暂不可用，请稍后再试。", "en": "Service unavailable; please try later."},
    "csrf_failed": {
        "zh-CN": "页面已过期或请求来源无效，请刷新页面后重试。",
        "en": "The page has expired or the request did not come from this site. Reload and try again.",
    },
    "too_many_attempts": {
        "zh-CN": "尝试次数过多，请在 {retry_after} 秒后重试。",
        "en": "Too many attempts. Try again in {retry_after} s.",
    },
    # -- registration -----------------------------------------------------------------------------
    "kind_unknown": {"zh-CN": "请选择个人用户或单位用户。", "en": "Choose a person or an organization."},
    "date_format": {"zh-CN": "日期格式应为 年-月-日（如 1990-03-07）。", "en": "Use the date format YYYY-MM-DD."},
    "birth_date_out_of_range": {
        "zh-CN": "出生日期不能晚于今天，也不能早于 1900 年。",
        "en": "The date of birth cannot be in the future or before 1900.",
    },
    "email_taken": {"zh-CN": "该邮箱已注册。", "en": "This email address is already registered."},
    "language_unknown": {"zh-CN": "不支持该语言。", "en": "This language is not supported."},
    "agreement_not_accepted": {
        "zh-CN": "请阅读并同意《可视电话视频通信服务协议》。",
        "en": "Please read and accept the service agreement.",
    },
    "agreement_version_outdated": {
        "zh-CN": "协议已更新，请重新阅读最新版本后再同意。",
        "en": "The agreement has been updated; please read the current version and accept it.",
    },
    "field_not_editable": {"zh-CN": "该项不能在此修改。", "en": "This field cannot be changed here."},
    "number_pool_exhausted": {
        "zh-CN": "号码资源暂时不足，请联系运营商。",
        "en": "No phone numbers are available; contact the operator.",
    },
    # -- passwords and login ----------------------------------------------------------------------
    "password_too_short": {
        "zh-CN": "密码至少需要 {min} 个字符。",
        "en": "The password needs at least {min} characters.",
    },
    "password_too_weak": {
        "zh-CN": "密码太容易被猜中：请避免重复字符、连续的数字或字母、键盘排列、常见单词、日期和您的个人信息；"
        "由几个互不相关的词语加数字或符号组成的较长口令更安全。",
        "en": "This password is too easy to guess: avoid repeated characters, sequences, keyboard patterns, "
        "common words, dates and your own details; a longer passphrase of several unrelated words with "
        "digits or symbols is safer.",
    },
    "password_control_characters": {
        "zh-CN": "密码不能包含控制字符（如换行、制表符或空字符）。",
        "en": "The password must not contain control characters (such as line breaks, tabs or NUL).",
    },
    "password_common": {"zh-CN": "该密码过于常见，请换一个。", "en": "This password is too common."},
    "password_personal": {
        "zh-CN": "密码不能包含您的号码、手机号、姓名或邮箱名。",
        "en": "The password must not contain your number, phone, name or email name.",
    },
    "password_wrong": {"zh-CN": "当前密码不正确。", "en": "The current password is wrong."},
    "password_unchanged": {"zh-CN": "新密码不能与当前密码相同。", "en": "The new password must differ."},
    "login_failed": {
        "zh-CN": "账号或密码不正确。",
        "en": "The account or the password is not correct.",
    },
    "login_not_allowed": {"zh-CN": "该账号当前不能登录。", "en": "This account cannot log in now."},
    "session_invalid": {"zh-CN": "登录已失效，请重新登录。", "en": "Your session has ended; please log in again."},
    "session_not_found": {"zh-CN": "未找到该会话。", "en": "Session not found."},
    "session_kind_unknown": {"zh-CN": "会话类型无效。", "en": "Unknown session kind."},
    # -- identity review --------------------------------------------------------------------------
    "review_transition_invalid": {
        "zh-CN": "当前审核状态下不能执行该操作。",
        "en": "This review action is not possible in the current state.",
    },
    "review_documents_missing": {
        "zh-CN": "用户尚未上传补充的证件材料，不能通过审核。",
        "en": "The requested documents have not been uploaded yet.",
    },
    "review_action_unknown": {"zh-CN": "未知的审核操作。", "en": "Unknown review action."},
    "review_reason_required": {
        "zh-CN": "请填写原因（至少 4 个字），用户将看到该原因。",
        "en": "Give a reason (at least 4 characters); the subscriber will see it.",
    },
    "documents_not_requested": {
        "zh-CN": "当前无需上传证件材料。",
        "en": "No documents have been requested from you.",
    },
    "document_not_found": {"zh-CN": "未找到该文件。", "en": "Document not found."},
    "upload_empty": {"zh-CN": "请选择要上传的文件。", "en": "Choose a file to upload."},
    "upload_too_large": {"zh-CN": "文件不能超过 {max_mb} MB。", "en": "The file must not exceed {max_mb} MB."},
    "upload_type_not_allowed": {
        "zh-CN": "只能上传 JPEG、PNG 图片或 PDF 文件。",
        "en": "Only JPEG or PNG images and PDF files are accepted.",
    },
    "upload_type_mismatch": {
        "zh-CN": "文件内容与其类型不符。",
        "en": "The file's content does not match its type.",
    },
    "capability_missing": {
        "zh-CN": "当前账号状态下不能执行此操作。",
        "en": "Your account cannot do this in its current state.",
    },
    # -- personal data ----------------------------------------------------------------------------
    "reveal_field_unknown": {"zh-CN": "该项不可查看。", "en": "This field cannot be revealed."},
    "reveal_reason_required": {
        "zh-CN": "查看完整个人信息必须填写事由（至少 4 个字），该操作将被记录。",
        "en": "State a reason (at least 4 characters) to see personal data; the access is logged.",
    },
    "subscriber_not_found": {"zh-CN": "未找到该用户。", "en": "Subscriber not found."},
    # -- numbers ------------------------------------------------------------------------------------
    "number_change_reason_unknown": {"zh-CN": "请选择改号原因。", "en": "Choose the reason for the number change."},
    # -- policy -------------------------------------------------------------------------------------
    "unknown_parameter": {"zh-CN": "未知参数。", "en": "Unknown parameter."},
    "not_an_integer": {"zh-CN": "请输入整数。", "en": "Enter a whole number."},
    "not_a_decimal": {"zh-CN": "请输入数字。", "en": "Enter a number."},
    "not_a_phone_number": {"zh-CN": "请输入 5–15 位数字。", "en": "Enter 5–15 digits."},
    "below_minimum": {"zh-CN": "不能小于 {min}。", "en": "Must be at least {min}."},
    "above_maximum": {"zh-CN": "不能大于 {max}。", "en": "Must be at most {max}."},
    "must_exceed": {
        "zh-CN": "必须大于“逾期中止服务(月)”。",
        "en": "Must be greater than the months before suspension.",
    },
    "pool_length_mismatch": {
        "zh-CN": "号码池起止号码位数必须相同。",
        "en": "Pool start and end must have equal length.",
    },
    "invalid_credit_limit_options": {
        "zh-CN": "请填写以逗号分隔的整数金额(元)，每项在 1 至 1000000 之间。",
        "en": "Enter whole yuan amounts separated by commas, each between 1 and 1,000,000.",
    },
    "pool_range_empty": {
        "zh-CN": "号码池结束号码不能小于起始号码。",
        "en": "The pool end must not be below its start.",
    },
    "policy_changed_meanwhile": {
        "zh-CN": "参数已被他人修改，请刷新后重试。",
        "en": "Someone changed the parameters meanwhile; reload and retry.",
    },
    "policy_no_change": {"zh-CN": "没有任何修改。", "en": "Nothing was changed."},
    "agreement_missing": {"zh-CN": "尚未发布服务协议。", "en": "No agreement has been published."},
    "agreement_not_accepted_yet": {"zh-CN": "您尚未接受服务协议。", "en": "You have not accepted the agreement."},
    "agreement_unknown_placeholder": {
        "zh-CN": "协议模板包含未知占位符：{name}",
        "en": "The template has an unknown placeholder: {name}",
    },
    "agreement_template_malformed": {
        "zh-CN": "协议模板第 {line} 行格式错误。",
        "en": "The template is malformed at line {line}.",
    },
    # -- staff --------------------------------------------------------------------------------------
    "username_format": {
        "zh-CN": "用户名只能包含字母、数字、点和下划线（最多 64 位）。",
        "en": "Use letters, digits, dots and underscores (at most 64).",
    },
    "username_taken": {"zh-CN": "用户名已被使用。", "en": "This username is taken."},
    "role_unknown": {"zh-CN": "未知角色：{role}", "en": "Unknown role: {role}"},
    "staff_not_found": {"zh-CN": "未找到该员工。", "en": "Staff member not found."},
    "staff_cannot_disable_self": {"zh-CN": "不能停用自己的账号。", "en": "You cannot deactivate yourself."},
}

MESSAGES["reset_token_invalid"] = {
    "zh-CN": "重置链接无效或已过期，请重新申请。",
    "en": "This reset link is invalid or has expired; please ask for a new one.",
}
# -- contacts, block list, harassment reports (R-12) ------------------------------------------------
MESSAGES["contact_number_format"] = {
    "zh-CN": "号码应为 {min}–{max} 位数字（可含空格或连字符）。",
    "en": "Enter {min}–{max} digits (spaces and dashes are ignored).",
}
MESSAGES["contact_number_taken"] = {
    "zh-CN": "通讯录中已有该号码。",
    "en": "This number is already in your contacts.",
}
MESSAGES["contact_not_found"] = {"zh-CN": "未找到该联系人。", "en": "Contact not found."}
MESSAGES["block_not_found"] = {"zh-CN": "未找到该拦截记录。", "en": "Block entry not found."}
MESSAGES["number_already_blocked"] = {"zh-CN": "该号码已在黑名单中。", "en": "This number is already blocked."}
MESSAGES["number_is_own"] = {"zh-CN": "不能对自己的号码执行此操作。", "en": "This is your own number."}
MESSAGES["report_description_too_short"] = {
    "zh-CN": "请至少用 {min} 个字描述发生了什么。",
    "en": "Describe what happened in at least {min} characters.",
}
MESSAGES["report_not_found"] = {"zh-CN": "未找到该举报。", "en": "Report not found."}
MESSAGES["report_action_unknown"] = {"zh-CN": "未知的处理操作。", "en": "Unknown action."}
MESSAGES["report_resolution_required"] = {
    "zh-CN": "办结或驳回举报时须填写处理结果。",
    "en": "Write the outcome to resolve or dismiss a report.",
}
MESSAGES["report_transition_invalid"] = {
    "zh-CN": "该举报当前状态下不能执行此操作。",
    "en": "The report cannot be handled this way in its current state.",
}
# -- call history and call quality (R-13, R-15) -----------------------------------------------------
MESSAGES["call_not_found"] = {"zh-CN": "未找到该通话记录。", "en": "Call not found."}
MESSAGES["call_direction_unknown"] = {
    "zh-CN": "请选择全部、未接、呼入或呼出。",
    "en": "Choose all, missed, incoming or outgoing.",
}
MESSAGES["call_outcome_unknown"] = {"zh-CN": "未知的通话结果。", "en": "Unknown call outcome."}
MESSAGES["date_range_inverted"] = {
    "zh-CN": "结束日期不能早于开始日期。",
    "en": "The end date must not be before the start date.",
}
MESSAGES["quality_sample_too_frequent"] = {
    "zh-CN": "质量数据上报过于频繁，请 {retry_after} 秒后再试。",
    "en": "Quality samples are sent too often; try again in {retry_after} s.",
}
MESSAGES["quality_already_final"] = {
    "zh-CN": "该通话的质量数据已上报完毕。",
    "en": "The final quality sample of this call has already been sent.",
}
MESSAGES["quality_window_closed"] = {
    "zh-CN": "该通话已结束太久，不再接收质量数据。",
    "en": "This call ended too long ago to take quality samples.",
}

# -- signaling (docs/signaling.md) ----------------------------------------------------------------------
MESSAGES.update(
    {
        "ws_bad_json": {"zh-CN": "消息不是有效的 JSON 对象。", "en": "The message is not a JSON object."},
        "ws_unknown_type": {"zh-CN": "未知的消息类型。", "en": "Unknown message type."},
        "ws_invalid_message": {"zh-CN": "消息字段无效。", "en": "A field of the message is not valid."},
        "ws_hello_required": {"zh-CN": "连接后必须先发送 hello。", "en": "The first message must be hello."},
        "ws_protocol_unsupported": {"zh-CN": "不支持该协议版本。", "en": "This protocol version is not supported."},
        "ws_call_not_found": {"zh-CN": "通话不存在或已结束。", "en": "No such call, or it has ended."},
        "ws_not_participant": {"zh-CN": "您不是该通话的参与方。", "en": "You are not part of this call."},
        "ws_out_of_order": {
            "zh-CN": "当前通话状态下不能执行该操作。",
            "en": "This cannot be done in the call's current state.",
        },
        "ws_duplicate_call_id": {"zh-CN": "通话编号已被使用。", "en": "This call id is already used."},
        "ws_rate_limited": {"zh-CN": "消息过于频繁，请稍后再试。", "en": "Too many messages; slow down."},
        "ws_unknown_error": {"zh-CN": "发生错误。", "en": "An error occurred."},
    }
)

# -- billing (R-22: bills, bill runs, adjustments) -----------------------------------------------------
MESSAGES.update(
    {
        "idempotency_key_required": {
            "zh-CN": "请求缺少 Idempotency-Key 请求头（防止重复记账）。",
            "en": "The Idempotency-Key header is required (it prevents posting twice).",
        },
        "period_format": {"zh-CN": "账期格式应为 年-月（如 2026-11）。", "en": "Use the period format YYYY-MM."},
        "period_not_ended": {
            "zh-CN": "该账期尚未结束，不能出账。",
            "en": "This period has not ended yet; it cannot be billed.",
        },
        "amount_zero": {"zh-CN": "金额不能为零。", "en": "The amount cannot be zero."},
        "amount_too_large": {
            "zh-CN": "金额不能超过 {max} 元。",
            "en": "The amount cannot exceed ¥{max}.",
        },
        "money_format": {
            "zh-CN": "金额格式不正确（元，最多两位小数）。",
            "en": "Enter an amount in yuan with at most two decimals.",
        },
        "money_negative": {"zh-CN": "金额不能为负数。", "en": "The amount cannot be negative."},
    }
)

# -- tariffs and orders (R-20, R-21) --------------------------------------------------------------------
MESSAGES.update(
    {
        "rate_format": {
            "zh-CN": "费率格式不正确（元/分钟，最多四位小数，不能为负）。",
            "en": "Enter a rate in yuan per minute with at most four decimals (not negative).",
        },
        "tariff_code_format": {
            "zh-CN": "代码须为 2–32 位小写字母、数字、下划线或连字符。",
            "en": "The code must be 2–32 lowercase letters, digits, underscores or hyphens.",
        },
        "tariff_code_taken": {"zh-CN": "该代码已被使用。", "en": "This code is already used."},
        "feature_unknown": {
            "zh-CN": "未知的业务功能；可选：{allowed}，或留空表示仅收费。",
            "en": "Unknown feature; choose one of {allowed}, or leave it empty for a fee-only service.",
        },
        "price_date_in_past": {
            "zh-CN": "新资费只能自今天或以后的日期起执行（历史资费不可修改）。",
            "en": "A new price can only apply from today or a later day (past prices are never changed).",
        },
        "price_date_taken": {
            "zh-CN": "该日期已有一条资费，不能重复设定。",
            "en": "There is already a price from this date.",
        },
        "plan_not_found": {"zh-CN": "套餐不存在。", "en": "No such plan."},
        "vas_not_found": {"zh-CN": "增值业务不存在。", "en": "No such value-added service."},
        "plan_price_missing": {
            "zh-CN": "该套餐当前没有生效的资费，暂不能订购。",
            "en": "This plan has no price in force yet; it cannot be ordered.",
        },
        "vas_price_missing": {
            "zh-CN": "该增值业务当前没有生效的资费，暂不能订购。",
            "en": "This service has no price in force yet; it cannot be ordered.",
        },
        "plan_inactive": {"zh-CN": "该套餐已停止受理。", "en": "This plan is no longer offered."},
        "vas_inactive": {"zh-CN": "该增值业务已停止受理。", "en": "This service is no longer offered."},
        "plan_already_current": {"zh-CN": "您已在使用该套餐。", "en": "You are already on this plan."},
        "plan_change_pending": {
            "zh-CN": "您已申请变更套餐，下月生效前不能再次变更。",
            "en": "A plan change is already ordered for next month; it cannot be changed again before then.",
        },
        "vas_already_active": {"zh-CN": "您已开通该增值业务。", "en": "You already have this service."},
        "vas_not_active": {"zh-CN": "您未开通该增值业务。", "en": "You do not have this service."},
        "order_not_found": {"zh-CN": "订单不存在。", "en": "No such order."},
    }
)

"""UI text of the terminals pages, zh-CN and English."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {
    # -- shared ---------------------------------------------------------------------------------------
    "terminals_state_in_stock": {"zh-CN": "库存", "en": "In stock"},
    "terminals_state_assigned": {"zh-CN": "已安装", "en": "Installed"},
    "terminals_state_in_repair": {"zh-CN": "维修中", "en": "In repair"},
    "terminals_state_returned": {"zh-CN": "已退回", "en": "Returned"},
    "terminals_state_scrapped": {"zh-CN": "已报废", "en": "Scrapped"},
    "warranty_state_submitted": {"zh-CN": "处理中", "en": "Submitted"},
    "warranty_state_repaired": {"zh-CN": "修理", "en": "Repair"},
    "warranty_state_replaced": {"zh-CN": "调换", "en": "Replaced"},
    "warranty_state_denied": {"zh-CN": "不予保修", "en": "Denied"},
    "warranty_cause_defect": {"zh-CN": "产品缺陷（材料或工艺）", "en": "Defect (materials or workmanship)"},
    "warranty_cause_shipping_damage": {"zh-CN": "运输损坏（在保修范围内）", "en": "Damage in shipping (covered)"},
    "warranty_cause_accident": {"zh-CN": "意外事故", "en": "Accident"},
    "warranty_cause_misuse": {"zh-CN": "滥用或不正确使用", "en": "Misuse or improper use"},
    "warranty_cause_power_problem": {"zh-CN": "电源问题", "en": "Power problem"},
    "warranty_cause_opened_sealed_unit": {"zh-CN": "打开封闭的终端", "en": "Sealed unit opened"},
    "warranty_cause_other_equipment_or_network": {
        "zh-CN": "连接非本公司提供的设备或网络",
        "en": "Connected to equipment or networks not from the operator",
    },
    "warranty_cause_unauthorised_repair": {"zh-CN": "不按规定检修", "en": "Unauthorised repair"},
    "terminals_col_serial": {"zh-CN": "序列号", "en": "Serial"},
    "terminals_col_model": {"zh-CN": "型号", "en": "Model"},
    "terminals_col_state": {"zh-CN": "状态", "en": "State"},
    "terminals_col_installed": {"zh-CN": "安装日期", "en": "Installed"},
    "terminals_col_warranty_end": {"zh-CN": "保修截止", "en": "Warranty until"},
    "terminals_col_subscriber": {"zh-CN": "用户号码", "en": "Subscriber"},
    "terminals_in_warranty": {"zh-CN": "保修期内", "en": "In warranty"},
    "terminals_out_of_warranty": {"zh-CN": "已过保修期", "en": "Out of warranty"},
    "terminals_voided": {"zh-CN": "保修已终止（{date} 被他人拆开）", "en": "Warranty ended ({date}, opened by others)"},
    "terminals_close": {"zh-CN": "关闭", "en": "Close"},
    "terminals_replaces": {"zh-CN": "调换自 {serial}", "en": "Replaces {serial}"},
    # -- portal ---------------------------------------------------------------------------------------
    "terminals_lead": {
        "zh-CN": "您的终端设备及保修期。保修期自安装之日起算；运输造成的损坏在保修范围内，"
        "意外、滥用、电源问题、擅自拆开或连接非本公司设备等外部原因除外。修理或调换后保修期不延长。",
        "en": "Your terminals and their warranty, which runs from the installation date. Damage in shipping is "
        "covered; external causes (accident, misuse, power problems, opening the unit, connecting other "
        "equipment) are not. A repair or replacement does not extend the warranty.",
    },
    "terminals_none": {"zh-CN": "您名下还没有终端设备。", "en": "No terminal is installed for you."},
    "terminals_claim_title": {"zh-CN": "书面保修申请", "en": "Written warranty claim"},
    "terminals_field_terminal": {"zh-CN": "终端", "en": "Terminal"},
    "terminals_field_description": {"zh-CN": "故障描述", "en": "What is wrong"},
    "terminals_field_photos": {"zh-CN": "照片（JPEG 或 PNG，最多 5 张）", "en": "Photos (JPEG or PNG, up to 5)"},
    "terminals_claim_submit": {"zh-CN": "提交保修申请", "en": "File the claim"},
    "terminals_claim_done": {"zh-CN": "保修申请 #{id} 已提交。", "en": "Warranty claim #{id} filed."},
    "terminals_claims_title": {"zh-CN": "我的保修申请", "en": "My warranty claims"},
    "terminals_claims_none": {"zh-CN": "暂无保修申请。", "en": "No warranty claims yet."},
    "terminals_col_claim": {"zh-CN": "申请", "en": "Claim"},
    "terminals_col_filed": {"zh-CN": "提交时间", "en": "Filed"},
    "terminals_col_result": {"zh-CN": "处理结果", "en": "Outcome"},
    "terminals_result_pending": {"zh-CN": "技术支持处理中", "en": "Being handled by technical support"},
    "terminals_result_replaced": {
        "zh-CN": "已调换为 {serial}，保修期不变（至 {end}）。",
        "en": "Replaced by {serial}; the warranty is unchanged (until {end}).",
    },
    "terminals_result_repaired": {
        "zh-CN": "免费修理，保修期不变（至 {end}）。",
        "en": "Repaired free of charge; the warranty is unchanged (until {end}).",
    },
    "terminals_result_denied": {"zh-CN": "不予保修：{cause}。理由：{note}", "en": "Denied: {cause}. Reason: {note}"},
    # -- console: inventory ---------------------------------------------------------------------------
    "cterminals_lead": {
        "zh-CN": "终端库存（所有终端归本公司所有）。安装时登记用户和安装日期，保修期自动计算；终端令牌只显示一次。",
        "en": "The terminal inventory (every unit is the operator's). Installing one records the subscriber and "
        "the date and computes the warranty; the terminal token is shown once.",
    },
    "cterminals_add_title": {"zh-CN": "入库", "en": "Add a unit"},
    "cterminals_add_submit": {"zh-CN": "入库", "en": "Add"},
    "cterminals_added": {"zh-CN": "终端 {serial} 已入库。", "en": "Terminal {serial} added."},
    "cterminals_filter_state": {"zh-CN": "状态", "en": "State"},
    "cterminals_filter_all": {"zh-CN": "全部", "en": "All"},
    "cterminals_filter_query": {"zh-CN": "序列号或号码", "en": "Serial or number"},
    "cterminals_filter_submit": {"zh-CN": "查询", "en": "Search"},
    "cterminals_field_number": {"zh-CN": "用户号码", "en": "Subscriber number"},
    "cterminals_field_installed_on": {"zh-CN": "安装日期", "en": "Installation date"},
    "cterminals_token_once": {
        "zh-CN": "终端令牌（只显示这一次，请配置到终端中）：",
        "en": "Terminal token (shown this once; configure it in the terminal):",
    },
    "cterminals_actions": {"zh-CN": "操作", "en": "Actions"},
    "cterminals_assign": {"zh-CN": "安装…", "en": "Install…"},
    "cterminals_set_date": {"zh-CN": "更正安装日期…", "en": "Correct date…"},
    "cterminals_opened": {"zh-CN": "被他人拆开…", "en": "Opened by others…"},
    "cterminals_reissue": {"zh-CN": "重新签发令牌", "en": "New token"},
    "cterminals_revoke": {"zh-CN": "吊销令牌", "en": "Revoke token"},
    "cterminals_opened_prompt": {
        "zh-CN": "终端被非本公司人员拆开，保修将立即终止。请填写检查发现：",
        "en": "The unit was opened by someone other than the operator; its warranty ends now. What was found:",
    },
    "cterminals_revoked": {"zh-CN": "令牌已吊销。", "en": "Token revoked."},
    # -- console: warranty ----------------------------------------------------------------------------
    "cwarranty_lead": {
        "zh-CN": "书面保修申请：对产品缺陷或运输损坏选择修理或调换；对外部原因拒绝并说明理由。"
        "调换的终端保修期不变，换下的终端退回库存，归本公司所有。",
        "en": "Written warranty claims: repair or replace a defect or damage in shipping; deny an external cause "
        "with the reason. A replacement keeps the warranty end; the replaced unit goes back to stock as the "
        "operator's.",
    },
    "cwarranty_summary": {"zh-CN": "待处理 {open} 件", "en": "{open} open"},
    "cwarranty_col_description": {"zh-CN": "故障描述", "en": "Description"},
    "cwarranty_col_photos": {"zh-CN": "照片", "en": "Photos"},
    "cwarranty_decide": {"zh-CN": "处理", "en": "Decide"},
    "cwarranty_decision_title": {"zh-CN": "处理保修申请 #{id}", "en": "Decide warranty claim #{id}"},
    "cwarranty_field_decision": {"zh-CN": "处理方式", "en": "Decision"},
    "cwarranty_decision_repair": {"zh-CN": "修理", "en": "Repair"},
    "cwarranty_decision_replace": {"zh-CN": "调换", "en": "Replace"},
    "cwarranty_decision_deny": {"zh-CN": "拒绝（外部原因）", "en": "Deny (external cause)"},
    "cwarranty_field_cause": {"zh-CN": "原因", "en": "Cause"},
    "cwarranty_field_replacement": {"zh-CN": "调换用终端序列号（库存）", "en": "Replacement serial (in stock)"},
    "cwarranty_field_note": {"zh-CN": "说明 / 拒绝理由", "en": "Explanation / reason for a denial"},
    "cwarranty_submit": {"zh-CN": "确认处理", "en": "Confirm"},
    "cwarranty_done": {"zh-CN": "保修申请已处理。", "en": "The claim is decided."},
    "cwarranty_none": {"zh-CN": "没有保修申请。", "en": "No warranty claims."},
    # -- console: releases ----------------------------------------------------------------------------
    "creleases_lead": {
        "zh-CN": "发布客户端新版本：网页客户端在连接时获知并在通话结束后自动重新加载；终端通过配置接口获知升级。",
        "en": "Publish client releases: the web client learns of them when it connects and reloads itself after "
        "a call; terminals are told to upgrade through their provisioning endpoint.",
    },
    "creleases_publish_title": {"zh-CN": "发布新版本", "en": "Publish a release"},
    "creleases_field_platform": {"zh-CN": "平台", "en": "Platform"},
    "creleases_platform_web": {"zh-CN": "网页客户端", "en": "Web client"},
    "creleases_platform_terminal": {"zh-CN": "终端", "en": "Terminal"},
    "creleases_field_version": {"zh-CN": "版本号", "en": "Version"},
    "creleases_field_notes": {"zh-CN": "更新说明", "en": "Release notes"},
    "creleases_field_mandatory": {"zh-CN": "强制升级", "en": "Mandatory"},
    "creleases_submit": {"zh-CN": "发布", "en": "Publish"},
    "creleases_done": {"zh-CN": "版本 {version} 已发布。", "en": "Version {version} published."},
    "creleases_col_published": {"zh-CN": "发布时间", "en": "Published"},
    "creleases_none": {"zh-CN": "尚未发布任何版本。", "en": "No releases yet."},
    "creleases_yes": {"zh-CN": "是", "en": "Yes"},
    "creleases_no": {"zh-CN": "否", "en": "No"},
    # -- the phone page (static/phone.js) -------------------------------------------------------------
    "releases_banner_mandatory": {
        "zh-CN": "客户端新版本 {version} 已发布，将在当前通话结束后自动重新加载。",
        "en": "Client version {version} is out; the page reloads itself once no call is active.",
    },
    "releases_banner_optional": {
        "zh-CN": "客户端新版本 {version} 可用。",
        "en": "Client version {version} is available.",
    },
    "releases_reload": {"zh-CN": "重新加载", "en": "Reload"},
}

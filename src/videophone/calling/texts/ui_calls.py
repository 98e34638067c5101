"""Page labels for the calls pages, by locale (merged into ``ui_text.UI``)."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {
    # -- console: a subscriber's calling features (issue 14) ------------------------------------------------
    "subscriber_features_title": {"zh-CN": "通话功能", "en": "Calling features"},
    "subscriber_features_none": {"zh-CN": "未开通任何通话功能。", "en": "No calling feature is in force."},
    "subscriber_second_number": {"zh-CN": "第二号码：{number}", "en": "Second number: {number}"},
    "subscriber_forwarding_rules": {"zh-CN": "呼叫转移设置", "en": "Forwarding rules"},
    "subscriber_forwarding_inactive": {
        "zh-CN": "（未订购呼叫转移，设置不生效）",
        "en": "(no call forwarding service: the rules do not apply)",
    },
    # -- phone page ---------------------------------------------------------------------------------------
    "phone_title": {"zh-CN": "可视电话", "en": "Video phone"},
    "phone_my_number": {"zh-CN": "本机号码", "en": "My number"},
    "phone_conn_connecting": {"zh-CN": "正在连接…", "en": "Connecting…"},
    "phone_conn_online": {"zh-CN": "在线，可以拨打和接听", "en": "Online: you can make and take calls"},
    "phone_conn_offline": {
        "zh-CN": "连接已断开，{seconds} 秒后重试…",
        "en": "Disconnected; retrying in {seconds} s…",
    },
    "phone_conn_replaced": {
        "zh-CN": "本设备已在另一个窗口中打开电话页面，此窗口不再接收呼叫。",
        "en": "The phone page is open in another window of this browser; this one no longer receives calls.",
    },
    "phone_conn_signed_out": {"zh-CN": "登录已失效，请重新登录。", "en": "You are signed out; please sign in again."},
    "phone_conn_unsupported": {
        "zh-CN": "服务器不支持此客户端的协议版本，请刷新页面。",
        "en": "The server does not support this client's protocol version; please reload the page.",
    },
    # device check (R-14)
    "phone_check_title": {"zh-CN": "设备检测", "en": "Device check"},
    "phone_check_running": {"zh-CN": "正在检测…", "en": "Checking…"},
    "phone_check_webrtc": {"zh-CN": "浏览器支持视频通话 (WebRTC)", "en": "Browser supports video calls (WebRTC)"},
    "phone_check_media": {"zh-CN": "浏览器可以使用摄像头和麦克风", "en": "Browser can use camera and microphone"},
    "phone_check_camera": {"zh-CN": "摄像头", "en": "Camera"},
    "phone_check_microphone": {"zh-CN": "麦克风", "en": "Microphone"},
    "phone_check_permission": {"zh-CN": "摄像头/麦克风使用权限", "en": "Camera/microphone permission"},
    "phone_check_ok": {"zh-CN": "正常", "en": "OK"},
    "phone_check_missing": {"zh-CN": "不可用", "en": "Not available"},
    "phone_check_granted": {"zh-CN": "已允许", "en": "Allowed"},
    "phone_check_prompt": {"zh-CN": "拨打或接听时询问", "en": "Will be asked when you call"},
    "phone_check_denied": {"zh-CN": "已拒绝", "en": "Blocked"},
    "phone_check_unknown": {"zh-CN": "未知", "en": "Unknown"},
    "phone_check_all_ok": {
        "zh-CN": "您的浏览器和设备可以进行视频通话。",
        "en": "Your browser and devices are ready for video calls.",
    },
    "phone_check_no_webrtc": {
        "zh-CN": "此浏览器不支持视频通话 (WebRTC)。请使用最新版的 Chrome、Edge、Firefox 或 Safari。",
        "en": "This browser cannot make video calls (no WebRTC). Please use a current Chrome, Edge, Firefox or Safari.",
    },
    "phone_check_no_media": {
        "zh-CN": "此浏览器无法使用摄像头和麦克风（可能需要通过 HTTPS 访问本页面）。",
        "en": "This browser cannot use the camera and microphone (the page may need to be opened over HTTPS).",
    },
    "phone_check_no_camera": {
        "zh-CN": "未找到摄像头：您仍可进行语音通话，对方看不到您。",
        "en": "No camera found: you can still talk, but the other party will not see you.",
    },
    "phone_check_no_microphone": {
        "zh-CN": "未找到麦克风：对方将听不到您的声音。请连接麦克风。",
        "en": "No microphone found: the other party will not hear you. Please connect a microphone.",
    },
    "phone_check_permission_denied": {
        "zh-CN": "您已禁止本网站使用摄像头或麦克风，请在浏览器的网站设置中允许。",
        "en": "You have blocked this site from using the camera or microphone; allow it in the browser's site settings.",
    },
    # dialing
    "phone_dial_title": {"zh-CN": "拨号", "en": "Dial"},
    "phone_dial_number": {"zh-CN": "对方号码", "en": "Number to call"},
    "phone_dial_backspace": {"zh-CN": "删除一位", "en": "Delete one digit"},
    "phone_call": {"zh-CN": "呼叫", "en": "Call"},
    "phone_number_invalid": {"zh-CN": "请输入 5–20 位数字的号码。", "en": "Enter a number of 5–20 digits."},
    "phone_not_connected": {
        "zh-CN": "尚未连接到服务器，请稍候再拨。",
        "en": "Not connected to the server yet; please try again in a moment.",
    },
    "phone_contacts_title": {"zh-CN": "联系人", "en": "Contacts"},
    "phone_receive_barred": {
        "zh-CN": "目前您也不能接听来电。",
        "en": "You cannot receive calls at the moment either.",
    },
    "phone_contacts_empty": {"zh-CN": "还没有联系人。", "en": "No contacts yet."},
    "phone_contacts_manage": {"zh-CN": "管理联系人", "en": "Manage contacts"},
    "phone_contacts_unavailable": {"zh-CN": "联系人暂时无法加载。", "en": "Contacts cannot be loaded right now."},
    # incoming
    "phone_incoming_title": {"zh-CN": "来电", "en": "Incoming call"},
    "phone_incoming_video": {"zh-CN": "视频来电", "en": "Video call"},
    "phone_incoming_audio": {"zh-CN": "语音来电", "en": "Voice call"},
    "phone_withheld": {"zh-CN": "号码未显示", "en": "Number withheld"},
    "phone_incoming_to_second": {"zh-CN": "呼叫您的第二号码 {number}", "en": "Call to your second number {number}"},
    "phone_dial_from": {"zh-CN": "显示号码", "en": "Call from"},
    "phone_from_primary": {"zh-CN": "{number}（主号码）", "en": "{number} (main number)"},
    "phone_from_second": {"zh-CN": "{number}（第二号码）", "en": "{number} (second number)"},
    "phone_accept": {"zh-CN": "接听", "en": "Accept"},
    "phone_reject": {"zh-CN": "拒接", "en": "Decline"},
    "phone_answered_elsewhere": {"zh-CN": "已在您的其他设备上接听。", "en": "Answered on another of your devices."},
    # in call
    "phone_remote_video": {"zh-CN": "对方画面", "en": "Other party's video"},
    "phone_local_video": {"zh-CN": "我的画面", "en": "My video"},
    "phone_mute": {"zh-CN": "静音", "en": "Mute"},
    "phone_unmute": {"zh-CN": "取消静音", "en": "Unmute"},
    "phone_camera_off": {"zh-CN": "关闭摄像头", "en": "Camera off"},
    "phone_camera_on": {"zh-CN": "打开摄像头", "en": "Camera on"},
    "phone_hangup": {"zh-CN": "挂断", "en": "Hang up"},
    "phone_quality": {"zh-CN": "通话质量", "en": "Call quality"},
    "phone_quality_good": {"zh-CN": "良好", "en": "Good"},
    "phone_quality_fair": {"zh-CN": "一般", "en": "Fair"},
    "phone_quality_poor": {"zh-CN": "较差", "en": "Poor"},
    "phone_quality_unknown": {"zh-CN": "检测中", "en": "Measuring"},
    "phone_peer_reconnecting": {
        "zh-CN": "对方网络中断，正在等待重新连接…",
        "en": "The other party's connection dropped; waiting for them to reconnect…",
    },
    "phone_peer_reconnected": {"zh-CN": "对方已重新连接。", "en": "The other party is back."},
    "phone_resuming": {"zh-CN": "正在恢复通话…", "en": "Resuming the call…"},
    "phone_media_error": {
        "zh-CN": "无法打开摄像头或麦克风：{error}",
        "en": "The camera or microphone could not be opened: {error}",
    },
    # status line
    "phone_state_idle": {"zh-CN": "空闲，可以拨号", "en": "Ready to call"},
    "phone_state_calling": {"zh-CN": "正在呼叫 {peer}…", "en": "Calling {peer}…"},
    "phone_state_ringing": {"zh-CN": "{peer} 振铃中…", "en": "Ringing {peer}…"},
    "phone_state_incoming": {"zh-CN": "{peer} 来电", "en": "Call from {peer}"},
    "phone_state_in_call": {"zh-CN": "与 {peer} 通话中", "en": "In a call with {peer}"},
    "phone_state_forwarded": {"zh-CN": "呼叫已转移，正在接通…", "en": "Your call is being forwarded…"},
    "phone_incoming_forwarded": {"zh-CN": "经 {number} 转接", "en": "Forwarded by {number}"},
    "phone_reason_forwarded_callee": {"zh-CN": "来电已转移到您设置的号码。", "en": "The call was forwarded."},
    "phone_reason_voicemail_caller": {
        "zh-CN": "对方无法接听，已转入留言信箱。",
        "en": "The other party cannot take the call; you are sent to their voicemail.",
    },
    "phone_reason_voicemail_callee": {
        "zh-CN": "未接来电，主叫已转入您的留言信箱。",
        "en": "Missed call: the caller was sent to your voicemail.",
    },
    "phone_ended_prefix": {"zh-CN": "通话结束：", "en": "Call ended: "},
    # end reasons (docs/signaling.md), from the point of view of the caller / callee where it matters
    "phone_reason_hangup_me": {"zh-CN": "您已挂断。", "en": "You hung up."},
    "phone_reason_hangup_peer": {"zh-CN": "对方已挂断。", "en": "The other party hung up."},
    "phone_reason_cancelled_caller": {"zh-CN": "您已取消呼叫。", "en": "You cancelled the call."},
    "phone_reason_cancelled_callee": {
        "zh-CN": "对方在您接听前挂断了（未接来电）。",
        "en": "The caller hung up before you answered (missed call).",
    },
    "phone_reason_rejected_caller": {"zh-CN": "对方拒绝了您的呼叫。", "en": "The other party declined your call."},
    "phone_reason_rejected_callee": {"zh-CN": "您已拒接来电。", "en": "You declined the call."},
    "phone_reason_no_answer_caller": {"zh-CN": "对方无应答。", "en": "No answer."},
    "phone_reason_no_answer_callee": {"zh-CN": "未接来电。", "en": "Missed call."},
    "phone_reason_offline": {
        "zh-CN": "对方当前不在线，无法接通。",
        "en": "The other party is not online and cannot be reached.",
    },
    "phone_reason_busy": {"zh-CN": "对方正忙（正在通话中），请稍后再拨。", "en": "The line is busy; please try later."},
    "phone_reason_unavailable": {
        "zh-CN": "对方暂时无法接听。",
        "en": "The other party cannot take calls right now.",
    },
    "phone_reason_blocked": {"zh-CN": "已拦截黑名单号码的来电。", "en": "A call from a blocked number was stopped."},
    "phone_reason_number_unknown": {"zh-CN": "您拨打的号码不存在。", "en": "The number you dialled does not exist."},
    "phone_reason_not_allowed": {"zh-CN": "您目前不能拨打电话。", "en": "You cannot place calls at the moment."},
    "phone_reason_not_allowed_documents_requested": {
        "zh-CN": "您的身份审核需要补充材料，补充后才能拨打电话。请在“我的账户”中上传材料。",
        "en": "Your identity review needs more documents before you can place calls; upload them under “Account”.",
    },
    "phone_reason_not_allowed_rejected": {
        "zh-CN": "您的身份审核未通过，不能拨打电话。",
        "en": "Your identity review was not successful, so you cannot place calls.",
    },
    "phone_reason_not_allowed_outgoing_barred": {
        "zh-CN": "您的号码已被限制呼出，请联系客服。",
        "en": "Outgoing calls are barred on your number; please contact customer service.",
    },
    "phone_reason_not_allowed_suspended": {
        "zh-CN": "您的服务已暂停，不能拨打电话。",
        "en": "Your service is suspended, so you cannot place calls.",
    },
    "phone_reason_not_allowed_suspended_arrears": {
        "zh-CN": "您的账户欠费逾期，服务已中止，不能拨打电话。缴清欠费后即可恢复。",
        "en": "Your service is suspended for overdue payment, so you cannot place calls. Pay what is due to restore it.",
    },
    "phone_reason_not_allowed_suspended_credit_limit": {
        "zh-CN": "本月通信费已达到您选定的信用额度，服务已暂停。缴清已发生费用后即可恢复。",
        "en": "This month's charges reached your credit limit, so your service is suspended until you pay them.",
    },
    "phone_reason_not_allowed_outgoing_barred_credit_limit": {
        "zh-CN": "本月通信费已达到您选定的信用额度，已限制呼出。缴清已发生费用后即可恢复。",
        "en": "This month's charges reached your credit limit, so outgoing calls are barred until you pay them.",
    },
    "phone_reason_not_allowed_suspended_violation": {
        "zh-CN": "因违反服务协议，您的服务已暂停，详情请查看通知。",
        "en": "Your service is suspended for a breach of the agreement; see your notifications.",
    },
    "phone_reason_not_allowed_outgoing_barred_violation": {
        "zh-CN": "因违反服务协议，您的号码已被限制呼出，详情请查看通知。",
        "en": "Outgoing calls are barred for a breach of the agreement; see your notifications.",
    },
    "phone_reason_not_allowed_suspended_lawful": {
        "zh-CN": "您的服务已依法暂停，不能拨打电话。",
        "en": "Your service is suspended as required by law, so you cannot place calls.",
    },
    "phone_reason_not_allowed_terminated": {
        "zh-CN": "您的服务已终止，不能拨打电话。",
        "en": "Your service has ended, so you cannot place calls.",
    },
    "phone_reason_not_allowed_in_call": {
        "zh-CN": "您正在另一通电话中，不能同时拨打第二通。",
        "en": "You are already in a call and cannot place a second one.",
    },
    "phone_reason_connection_lost": {
        "zh-CN": "网络连接中断，通话已结束。",
        "en": "The connection was lost and the call ended.",
    },
    "phone_reason_node_lost": {
        "zh-CN": "服务器故障，通话已结束，请重新拨打。",
        "en": "A server fault ended the call; please call again.",
    },
    "phone_reason_failed": {"zh-CN": "无法建立媒体连接。", "en": "The media connection could not be set up."},
    "phone_reason_cut_off_credit": {
        "zh-CN": "已达到信用额度，通话已中断。",
        "en": "Cut off: credit limit reached.",
    },
    "phone_credit_remaining": {"zh-CN": "剩余 {time}", "en": "{time} left"},
    "phone_credit_remaining_label": {
        "zh-CN": "达到信用额度前的剩余通话时间",
        "en": "Call time left before the credit limit",
    },
    "phone_credit_warning": {
        "zh-CN": "信用额度即将用完：通话将在 {seconds} 秒后中断。",
        "en": "Credit limit almost reached: the call will be cut off in {seconds} s.",
    },
    "phone_reason_unknown": {"zh-CN": "通话已结束。", "en": "The call has ended."},
    "phone_duration": {"zh-CN": "通话时长 {duration}", "en": "Duration {duration}"},
}

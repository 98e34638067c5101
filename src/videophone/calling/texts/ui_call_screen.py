"""Labels of the call screen on /phone (issue 15): controls over the video, the devices, the camera-off
placeholder, reconnecting, and the hint that lets a background tab ring (merged into ``ui_text.UI``)."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {
    "phone_fullscreen": {"zh-CN": "全屏", "en": "Full screen"},
    "phone_fullscreen_exit": {"zh-CN": "退出全屏", "en": "Exit full screen"},
    "phone_switch_camera": {"zh-CN": "切换前后摄像头", "en": "Switch camera"},
    "phone_devices": {"zh-CN": "选择扬声器、麦克风和摄像头", "en": "Choose speaker, microphone and camera"},
    "phone_device_audiooutput": {"zh-CN": "扬声器", "en": "Speaker"},
    "phone_device_audioinput": {"zh-CN": "麦克风", "en": "Microphone"},
    "phone_device_videoinput": {"zh-CN": "摄像头", "en": "Camera"},
    "phone_device_unnamed": {"zh-CN": "设备 {n}", "en": "Device {n}"},
    "phone_self_view_move": {"zh-CN": "我的画面（可拖动）", "en": "My video (drag to move)"},
    "phone_peer_camera_off": {"zh-CN": "对方已关闭摄像头", "en": "Camera is off"},
    "phone_peer_muted": {"zh-CN": "对方已静音", "en": "Muted"},
    "phone_reconnecting": {"zh-CN": "正在重新连接…", "en": "Reconnecting…"},
    "phone_notify_hint": {
        "zh-CN": "允许通知后，即使此页面在后台，来电也会响铃并弹出提醒。",
        "en": "Allow notifications so that a call rings and shows a notice even while this page is in the background.",
    },
    "phone_notify_allow": {"zh-CN": "允许通知", "en": "Allow notifications"},
}

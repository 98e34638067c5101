"""Messages for input refused at the edge (web/guard.py, web/params.py) and for uploads that do not
decode as what they claim to be."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "control_characters": {
        "zh-CN": "输入中含有不允许的控制字符（如 NUL）。",
        "en": "The input contains control characters (such as NUL), which are not allowed.",
    },
    "json_too_deep": {
        "zh-CN": "JSON 嵌套层级过深（最多 {max} 层）。",
        "en": "The JSON is nested too deeply (at most {max} levels).",
    },
    "integer_out_of_range": {
        "zh-CN": "数值超出允许范围。",
        "en": "The number is out of the accepted range.",
    },
    "body_too_large": {
        "zh-CN": "请求内容过大（最多 {max_mb} MB）。",
        "en": "The request is too large (at most {max_mb} MB).",
    },
    "image_invalid": {
        "zh-CN": "图片无法识别或已损坏，请上传有效的 JPEG 或 PNG 图片。",
        "en": "The image cannot be read or is damaged; upload a valid JPEG or PNG image.",
    },
    "image_too_many_pixels": {
        "zh-CN": "图片像素过多（最多 {max_megapixels} 百万像素）。",
        "en": "The image has too many pixels (at most {max_megapixels} megapixels).",
    },
    "pdf_invalid": {
        "zh-CN": "PDF 文件结构无效或已损坏。",
        "en": "The PDF file is not valid or is damaged.",
    },
}

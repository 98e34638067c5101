"""Identity documents a subscriber uploads when asked (R-03, 003 §1): what is accepted."""

from __future__ import annotations

from videophone.identity.domain.policy import OperatorPolicy
from videophone.kernel.errors import FieldError, UnsafeInput, ValidationFailed
from videophone.kernel.text import has_control_characters

# Accepted uploads: what the file says it is must match what its first bytes are.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}


def sniff_content_type(content: bytes) -> str | None:
    for content_type, signatures in _SIGNATURES.items():
        if any(content.startswith(sig) for sig in signatures):
            return content_type
    return None


def check_upload(filename: str, declared_type: str, content: bytes, pol: OperatorPolicy) -> str:
    """The real content type of an acceptable upload, or field errors (nothing stored)."""
    check_filename(filename, "file")
    errors: list[FieldError] = []
    if not content:
        errors.append(FieldError("file", "upload_empty"))
    elif len(content) > pol.document_max_bytes:
        errors.append(FieldError("file", "upload_too_large", {"max_mb": round(pol.document_max_bytes / 1e6, 1)}))
    sniffed = sniff_content_type(content) if content else None
    if content and sniffed is None:
        errors.append(FieldError("file", "upload_type_not_allowed"))
    elif sniffed and declared_type and declared_type not in (sniffed, "application/octet-stream"):
        errors.append(FieldError("file", "upload_type_mismatch"))
    if len(filename) > 200:
        errors.append(FieldError("file", "too_long", {"max": 200}))
    if errors:
        raise ValidationFailed(errors)
    assert sniffed is not None
    return sniffed


def check_filename(filename: str, field: str) -> None:
    """A stored file name holds no control characters (PostgreSQL cannot even store NUL)."""
    if has_control_characters(filename):
        raise UnsafeInput("control_characters", field)

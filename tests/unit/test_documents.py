"""What an uploaded identity document must be (domain/documents.py)."""

from __future__ import annotations

import pytest

from videophone.identity.domain.documents import check_upload, sniff_content_type
from videophone.identity.domain.policy import OperatorPolicy
from videophone.kernel.errors import ValidationFailed

POLICY = OperatorPolicy.from_mapping({"document_max_bytes": 100_000})
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def codes(*args: object) -> list[str]:
    with pytest.raises(ValidationFailed) as err:
        check_upload(*args, POLICY)  # type: ignore[arg-type]
    return [e.code for e in err.value.errors]


def test_the_content_decides_the_type() -> None:
    assert sniff_content_type(PNG) == "image/png"
    assert sniff_content_type(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff_content_type(b"%PDF-1.7") == "application/pdf"
    assert sniff_content_type(b"GIF89a") is None
    assert check_upload("scan.bin", "application/octet-stream", PNG, POLICY) == "image/png"


def test_refusals() -> None:
    assert codes("id.png", "image/png", b"") == ["upload_empty"]
    assert codes("id.gif", "image/gif", b"GIF89a....") == ["upload_type_not_allowed"]
    assert codes("id.png", "application/pdf", PNG) == ["upload_type_mismatch"]
    assert codes("big.pdf", "application/pdf", b"%PDF-" + b"0" * 100_000) == ["upload_too_large"]

"""Shaping service results for the wire (shared by the API and the pages)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Response

from videophone.identity.domain.agreement import AgreementDocument


def agreement_json(doc: AgreementDocument) -> dict[str, Any]:
    return {
        "version": doc.version,
        "title": doc.title,
        "paragraphs": [{"kind": p.kind, "text": p.text} for p in doc.paragraphs],
        "language": doc.language,
        "has_translation": doc.has_translation,
    }


def pdf_response(content: bytes, filename: str, *, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}"},
    )

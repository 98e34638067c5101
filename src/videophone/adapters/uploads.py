"""What an uploaded file really is: images are decoded with Pillow, PDFs checked for their structure.

The domain accepts a file by its first bytes (``domain.documents``); a PNG signature followed by HTML
passes that.  Before anything is stored, the service asks this adapter whether the content decodes as
the type it was accepted as.  Decoding is bounded: an image with more than ``MAX_PIXELS`` pixels is
refused from its header, before a single pixel is decoded (decompression bombs).
"""

from __future__ import annotations

import asyncio
import io
import re
import warnings

from PIL import Image, UnidentifiedImageError

from videophone.kernel.errors import FieldError, ValidationFailed

MAX_PIXELS = 40_000_000  # 40 megapixels: any phone photo of a document, not a bomb
_PIL_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
_PDF_HEADER = re.compile(rb"%PDF-[12]\.[0-9]")
_PDF_TAIL = re.compile(rb"startxref\s+[0-9]+\s+%%EOF\s*$")
_PDF_TAIL_BYTES = 2048


def check_content(content: bytes, content_type: str, *, field: str) -> None:
    """Raise :class:`ValidationFailed` unless ``content`` is a well-formed ``content_type``."""
    if content_type in _PIL_FORMATS:
        _check_image(content, _PIL_FORMATS[content_type], field)
    elif content_type == "application/pdf":
        _check_pdf(content, field)


async def check_content_async(content: bytes, content_type: str, *, field: str) -> None:
    """The same, decoding in a worker thread (a large photo takes a while; the event loop does not wait)."""
    await asyncio.to_thread(check_content, content, content_type, field=field)


def _check_image(content: bytes, pil_format: str, field: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[pil_format]) as image:
                pixels = image.width * image.height
                if pixels > MAX_PIXELS:
                    raise ValidationFailed(
                        [FieldError(field, "image_too_many_pixels", {"max_megapixels": MAX_PIXELS // 1_000_000})]
                    )
                image.verify()  # chunk structure and checksums (PNG)
            with Image.open(io.BytesIO(content), formats=[pil_format]) as image:
                image.load()  # every pixel decodes (verify() leaves JPEG data unread)
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed(
            [FieldError(field, "image_too_many_pixels", {"max_megapixels": MAX_PIXELS // 1_000_000})]
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ValidationFailed([FieldError(field, "image_invalid")]) from None


def _check_pdf(content: bytes, field: str) -> None:
    """A header, at least one object, and the cross-reference pointer and end marker at the end."""
    ok = (
        _PDF_HEADER.match(content) is not None
        and b" obj" in content
        and _PDF_TAIL.search(content[-_PDF_TAIL_BYTES:]) is not None
    )
    if not ok:
        raise ValidationFailed([FieldError(field, "pdf_invalid")])

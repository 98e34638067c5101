"""AWS Signature Version 4 for S3 requests (header form), as the S3 API documents it.

Small on purpose: the S3 store needs one signing method (``Authorization`` header, signed payload
hash), path-style URLs and a handful of query parameters — no presigned URLs, no chunked uploads, no
credential providers.  Pure functions, so that the published example vector is a unit test.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from urllib.parse import quote

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def uri_encode(text: str, *, keep_slash: bool = False) -> str:
    """Percent-encodes everything but ``A-Z a-z 0-9 - _ . ~`` (and ``/`` in a path), as SigV4 wants."""
    return quote(text, safe="/~" if keep_slash else "~")


def canonical_query(params: Iterable[tuple[str, str]]) -> str:
    """The query string, encoded and sorted as SigV4 signs it (also the one sent, so both agree)."""
    pairs = sorted((uri_encode(k), uri_encode(v)) for k, v in params)
    return "&".join(f"{k}={v}" for k, v in pairs)


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signing_key(secret_key: str, day: str, region: str, service: str) -> bytes:
    k_date = _hmac(("AWS4" + secret_key).encode(), day)
    return _hmac(_hmac(_hmac(k_date, region), service), "aws4_request")


def sign(
    *,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    payload_sha256: str,
    access_key: str,
    secret_key: str,
    region: str,
    service: str = "s3",
    now: datetime | None = None,
) -> dict[str, str]:
    """The headers to add to a request: ``x-amz-date``, ``x-amz-content-sha256`` and
    ``Authorization``.

    ``path`` is the URL path as sent (already encoded once), ``query`` the query string as sent
    (:func:`canonical_query`), ``headers`` the headers to sign — at least ``host`` — by any case.
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    amz_date = moment.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    signed = {name.lower(): " ".join(str(value).split()) for name, value in headers.items()}
    signed["x-amz-date"] = amz_date
    signed["x-amz-content-sha256"] = payload_sha256
    names = sorted(signed)
    canonical_request = "\n".join(
        [
            method.upper(),
            path or "/",
            query,
            "".join(f"{name}:{signed[name]}\n" for name in names),
            ";".join(names),
            payload_sha256,
        ]
    )
    scope = f"{day}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()])
    signature = hmac.new(
        signing_key(secret_key, day, region, service), string_to_sign.encode(), hashlib.sha256
    ).hexdigest()
    return {
        "x-amz-date": amz_date,
        "x-amz-content-sha256": payload_sha256,
        "Authorization": (
            f"{ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={';'.join(names)}, Signature={signature}"
        ),
    }

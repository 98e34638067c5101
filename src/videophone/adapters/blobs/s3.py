"""Blobs as objects in an S3-compatible bucket (AWS S3, SeaweedFS, MinIO, Ceph RGW, …).

**Why a small SigV4 signer over httpx rather than aiobotocore / aioboto3.**  The store needs seven
requests of the S3 REST API (HEAD/PUT bucket, PUT/GET/HEAD/DELETE object, ListObjectsV2 and the
multi-object delete).  aiobotocore would add botocore (a large package, mostly service models we
would never load), aiohttp and their pins — a second HTTP stack beside httpx, which the project
already uses and types — for requests that fit in one module, and its typing needs a separate stubs
package to pass ``mypy --strict``.  The cost of doing it ourselves is the signature
(:mod:`.sigv4`, checked against the published example vectors) and the error mapping below; both are
covered by the contract tests against a real SeaweedFS server.

Requests use path-style URLs (``{endpoint}/{bucket}/{key}``), which every S3-compatible server
accepts, and sign the payload's SHA-256, so the server rejects a body altered on the way.  Keys come
from a safe alphabet (:mod:`.base`), so a key is its own URL path.

Timeouts are bounded (connect 5 s; 60 s by default for each read, write or wait for a pooled
connection: a few MB over a LAN), and a failed connection is retried twice by the transport; anything else is mapped to a
:class:`~.base.BlobStoreError` whose message names the bucket, the key and the server's error code —
never the secret key, which is used only to derive the signing key and is kept out of ``repr``.
"""

from __future__ import annotations

import base64
import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import NoReturn
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import httpx

from videophone.adapters.blobs import sigv4
from videophone.adapters.blobs.base import (
    BlobNotFound,
    BlobStoreError,
    BlobStoreUnavailable,
    check_key,
    check_prefix,
)

MAX_PAGE_SIZE = 1000  # S3's own limit for one listing page and one multi-object delete
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_NS = re.compile(r"^\{[^}]*\}")


@dataclass(frozen=True)
class _Listed:
    key: str
    size: int


class S3BlobStore:
    """A :class:`~videophone.adapters.blobs.base.BlobStore` over an S3-compatible bucket.

    ``page_size`` is how many keys one listing (and one batch delete) asks for: S3's maximum of
    1,000 in production; the tests set it small to walk several pages cheaply.
    """

    def __init__(
        self,
        endpoint_url: str,
        bucket: str,
        access_key: str,
        secret_key: str,
        region: str = "us-east-1",
        *,
        page_size: int = MAX_PAGE_SIZE,
        timeout: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        parts = urlsplit(endpoint_url)
        if "@" in parts.netloc or parts.query or parts.fragment:  # checked first: never echo credentials
            raise ValueError("S3 endpoint: no credentials, query or fragment in the URL (use the key settings)")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"S3 endpoint {endpoint_url!r}: expected http(s)://host[:port]")
        if not _BUCKET.fullmatch(bucket) or ".." in bucket:
            raise ValueError(f"S3 bucket {bucket!r}: 3-63 characters of a-z 0-9 . - (S3's bucket naming rules)")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}")
        if not access_key or not secret_key:
            raise ValueError("S3 access key and secret key are both required")
        self.endpoint_url = endpoint_url.rstrip("/")
        self.bucket = bucket
        self.region = region or "us-east-1"
        self.page_size = page_size
        self._access_key = access_key
        self._secret_key = secret_key
        self._base_path = parts.path.rstrip("/")
        self._client = httpx.AsyncClient(
            base_url=f"{parts.scheme}://{parts.netloc}",
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            transport=transport or httpx.AsyncHTTPTransport(retries=2),
            follow_redirects=False,
            trust_env=False,  # no proxy from the environment between us and the bucket
        )

    def __repr__(self) -> str:  # never the secret key
        return f"S3BlobStore({self.endpoint_url!r}, bucket={self.bucket!r}, region={self.region!r})"

    # -- the protocol ---------------------------------------------------------------------------------

    async def prepare(self) -> None:
        await self.ensure_bucket()

    async def ensure_bucket(self) -> None:
        """Creates the bucket if it does not exist (at start-up); fails clearly if the server is not
        reachable or refuses the credentials."""
        response = await self._send("HEAD", self._bucket_path(), what="")
        if response.status_code == 200:
            return
        if response.status_code != 404:
            self._raise(response, what="")
        body = b""
        if self.region != "us-east-1":  # AWS wants the region spelled out anywhere else
            body = (
                '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                f"<LocationConstraint>{escape(self.region)}</LocationConstraint></CreateBucketConfiguration>"
            ).encode()
        response = await self._send("PUT", self._bucket_path(), body=body, what="")
        if response.status_code == 200 or _error_code(response) in ("BucketAlreadyOwnedByYou",):
            return
        self._raise(response, what="")

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._object_path(key)
        headers = {"Content-Type": content_type or "application/octet-stream"}
        response = await self._send("PUT", path, body=bytes(data), headers=headers, what=key)
        if response.status_code != 200:
            self._raise(response, what=key)

    async def get(self, key: str) -> bytes:
        response = await self._send("GET", self._object_path(key), what=key)
        if response.status_code == 200:
            return response.content
        if response.status_code == 404 and _error_code(response) in ("NoSuchKey", ""):
            raise BlobNotFound(key)
        self._raise(response, what=key)

    async def exists(self, key: str) -> bool:
        response = await self._send("HEAD", self._object_path(key), what=key)
        if response.status_code == 200:
            return True
        if response.status_code == 404:  # a HEAD answer has no body to tell a key from a bucket
            return False
        self._raise(response, what=key)

    async def delete(self, key: str) -> None:
        response = await self._send("DELETE", self._object_path(key), what=key)
        if response.status_code in (200, 204) or (
            response.status_code == 404 and _error_code(response) != "NoSuchBucket"
        ):
            return
        self._raise(response, what=key)

    async def delete_prefix(self, prefix: str) -> int:
        deleted = 0
        async for page in self._pages(check_prefix(prefix)):
            if page:
                await self._delete_many([item.key for item in page])
                deleted += len(page)
        return deleted

    async def usage(self, prefix: str) -> int:
        total = 0
        async for page in self._pages(check_prefix(prefix)):
            total += sum(item.size for item in page)
        return total

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- listing and batch delete ---------------------------------------------------------------------

    async def _pages(self, prefix: str) -> AsyncIterator[list[_Listed]]:
        """ListObjectsV2 page by page (``page_size`` keys each), following continuation tokens."""
        token = ""
        while True:
            params = [("list-type", "2"), ("prefix", prefix), ("max-keys", str(self.page_size))]
            if token:
                params.append(("continuation-token", token))
            response = await self._send("GET", self._bucket_path(), params=params, what=f"list {prefix}")
            if response.status_code != 200:
                self._raise(response, what=f"list {prefix}")
            root = _parse(response)
            items = [
                _Listed(_text(node, "Key"), int(_text(node, "Size") or 0))
                for node in root
                if _local(node.tag) == "Contents"
            ]
            # A server may answer with keys outside the prefix only if it ignored it: never act on those.
            items = [item for item in items if item.key.startswith(prefix)]
            yield items
            truncated = _text(root, "IsTruncated").lower() == "true"
            token = _text(root, "NextContinuationToken")
            if not truncated:
                return
            if not token:
                raise BlobStoreError(f"S3 bucket {self.bucket!r}: a truncated listing without a continuation token")

    async def _delete_many(self, keys: list[str]) -> None:
        """One multi-object delete (quiet: the server lists only the keys it failed to delete)."""
        objects = "".join(f"<Object><Key>{escape(key)}</Key></Object>" for key in keys)
        body = f'<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>{objects}</Delete>'.encode()
        headers = {
            "Content-Type": "application/xml",
            # S3 requires Content-MD5 on this request; MD5 here is a transport checksum, not security.
            "Content-MD5": base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode(),
        }
        response = await self._send(
            "POST",
            self._bucket_path(),
            params=[("delete", "")],
            body=body,
            headers=headers,
            what=f"delete {len(keys)} objects from {keys[0]}",
        )
        if response.status_code != 200:
            self._raise(response, what=f"delete {len(keys)} objects from {keys[0]}")
        failed = [node for node in _parse(response) if _local(node.tag) == "Error"]
        if failed:
            first = failed[0]
            raise BlobStoreError(
                f"S3 bucket {self.bucket!r}: {len(failed)} of {len(keys)} objects not deleted, e.g. "
                f"{_text(first, 'Key')!r}: {_text(first, 'Code')} {_text(first, 'Message')}".rstrip()
            )

    # -- requests -------------------------------------------------------------------------------------

    def _bucket_path(self) -> str:
        return f"{self._base_path}/{self.bucket}"

    def _object_path(self, key: str) -> str:
        return f"{self._bucket_path()}/{sigv4.uri_encode(check_key(key), keep_slash=True)}"

    async def _send(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: Iterable[tuple[str, str]] = (),
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        query = sigv4.canonical_query(params)
        request = self._client.build_request(
            method, path + (f"?{query}" if query else ""), content=body, headers=headers or {}
        )
        to_sign = {"host": request.headers["host"]}
        for name in ("content-type", "content-md5"):
            if name in request.headers:
                to_sign[name] = request.headers[name]
        request.headers.update(
            sigv4.sign(
                method=method,
                path=request.url.raw_path.split(b"?", 1)[0].decode("ascii"),
                query=request.url.query.decode("ascii"),  # as sent (equal to ``query``: httpx keeps it)
                headers=to_sign,
                payload_sha256=hashlib.sha256(body).hexdigest() if body else sigv4.EMPTY_SHA256,
                access_key=self._access_key,
                secret_key=self._secret_key,
                region=self.region,
            )
        )
        try:
            response = await self._client.send(request)
            await response.aread()
        except httpx.TimeoutException as exc:
            raise BlobStoreUnavailable(f"{self._where(what)}: {method} timed out") from exc
        except httpx.TransportError as exc:
            raise BlobStoreUnavailable(
                f"{self._where(what)}: {method} failed, server unreachable: {type(exc).__name__}: {exc}"
            ) from exc
        return response

    def _where(self, what: str) -> str:
        return f"S3 {self.endpoint_url}, bucket {self.bucket!r}" + (f", {what}" if what else "")

    def _raise(self, response: httpx.Response, *, what: str) -> NoReturn:
        code = _error_code(response)
        message = _error_message(response)
        where = self._where(what)
        detail = f"HTTP {response.status_code}" + (f" {code}" if code else "") + (f": {message}" if message else "")
        if response.status_code in (401, 403) or code in _CREDENTIAL_ERRORS:
            raise BlobStoreError(f"{where}: credentials refused ({detail}); check VIDEOPHONE_S3_ACCESS_KEY/_SECRET_KEY")
        if code == "NoSuchBucket":
            raise BlobStoreError(f"{where}: the bucket does not exist ({detail})")
        if response.status_code in (500, 502, 503, 504) or code in ("SlowDown", "ServiceUnavailable"):
            raise BlobStoreUnavailable(f"{where}: server unavailable ({detail})")
        raise BlobStoreError(f"{where}: {detail}")


_CREDENTIAL_ERRORS = frozenset(
    {
        "AccessDenied",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "RequestTimeTooSkewed",
        "AuthorizationHeaderMalformed",
    }
)


def _local(tag: str) -> str:
    return _NS.sub("", tag)


def _text(node: ET.Element, name: str) -> str:
    for child in node:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _parse(response: httpx.Response) -> ET.Element:
    # The configured S3 server's own answer, not a stranger's upload; ElementTree never fetches external
    # entities and the bundled expat (>= 2.4.1) bounds entity expansion.
    try:
        return ET.fromstring(response.content)  # noqa: S314
    except ET.ParseError as exc:
        raise BlobStoreError(f"S3 answered HTTP {response.status_code} with a body that is not XML") from exc


def _error_root(response: httpx.Response) -> ET.Element | None:
    if not response.content or b"<" not in response.content[:200]:
        return None
    try:
        return ET.fromstring(response.content)  # noqa: S314 - see _parse
    except ET.ParseError:
        return None


def _error_code(response: httpx.Response) -> str:
    root = _error_root(response)
    return _text(root, "Code") if root is not None else ""


def _error_message(response: httpx.Response) -> str:
    root = _error_root(response)
    return _text(root, "Message")[:300] if root is not None else ""

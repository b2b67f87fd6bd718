"""The S3 file store (boto3), for AWS S3 and S3-compatible stores (``RAPPORT_S3_ENDPOINT_URL``).

Files go up and down through boto3's managed transfers (``upload_file``/``download_file``): multipart,
in parallel parts, above the transfer's threshold (8 MiB by default), and a failed multipart upload is
aborted rather than left half-stored. Browsers download from S3 directly through a short-lived presigned
URL, so the API never streams a big file. boto3 is synchronous: every call that talks to S3 runs in a
thread. Credentials come from boto3's own chain (``AWS_ACCESS_KEY_ID``…, a profile, an instance role);
they never pass through our settings or our logs.
"""

from __future__ import annotations

import asyncio
import errno
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError
from litestar import MediaType, Response
from litestar.response import Redirect

from rapport.kernel.files import FileStore, content_disposition

__all__ = ["S3FileStore", "S3StoreError"]

LINK_SECONDS = 300
"""How long a download link works: enough to start the download, too short to be worth sharing."""


class S3StoreError(Exception):
    """S3 refused part of a request (e.g. some objects of a prefix could not be deleted)."""


def _temporary() -> Path:
    handle, name = tempfile.mkstemp(prefix="rapport-file-", suffix=".part")
    os.close(handle)
    return Path(name)


def _is_missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in ("404", "NoSuchKey", "NotFound")


class S3FileStore(FileStore):
    """Files in one bucket, at their key. Local copies (being written or read) live in the temp folder."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        transfer: TransferConfig | None = None,
        link_seconds: int = LINK_SECONDS,
    ) -> None:
        options: dict[str, Any] = {"signature_version": "s3v4", "retries": {"mode": "standard"}}
        if endpoint_url:
            # S3-compatible stores: path-style addressing works on all of them (a bucket subdomain
            # needs DNS they often lack), and not all accept the checksums boto3 adds by default.
            options["s3"] = {"addressing_style": "path"}
            options["request_checksum_calculation"] = "when_required"
            options["response_checksum_validation"] = "when_required"
        # A session of our own: boto3's default session is not safe to share between threads.
        self.client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url or None, region_name=region, config=Config(**options)
        )
        self.bucket = bucket
        self.transfer = transfer or TransferConfig()
        self.link_seconds = link_seconds

    @asynccontextmanager
    async def _writing(self, key: str) -> AsyncIterator[Path]:
        local = await asyncio.to_thread(_temporary)
        try:
            yield local
            await self._upload(local, key)
        finally:
            local.unlink(missing_ok=True)

    @asynccontextmanager
    async def _reading(self, key: str) -> AsyncIterator[Path]:
        local = await asyncio.to_thread(_temporary)
        try:
            try:
                await asyncio.to_thread(
                    self.client.download_file, self.bucket, key, str(local), Config=self.transfer
                )
            except ClientError as exc:
                if _is_missing(exc):
                    raise FileNotFoundError(errno.ENOENT, "no such file in the store", key) from None
                raise
            yield local
        finally:
            local.unlink(missing_ok=True)

    async def _upload(self, source: Path, key: str) -> None:
        await asyncio.to_thread(self.client.upload_file, str(source), self.bucket, key, Config=self.transfer)

    async def _put(self, key: str, source: Path) -> None:
        if not await asyncio.to_thread(source.is_file):
            raise FileNotFoundError(errno.ENOENT, "no such file", str(source))
        await self._upload(source, key)

    async def _delete(self, key: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=key)

    async def _delete_prefix(self, prefix: str) -> int:
        return await asyncio.to_thread(self._delete_listed, prefix)

    def _delete_listed(self, prefix: str) -> int:
        """List the prefix a page (up to 1,000 keys) at a time and delete each page in one request."""
        count = 0
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            objects = [{"Key": item["Key"]} for item in page.get("Contents", ())]
            if not objects:
                continue
            answer = self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True}
            )
            if answer.get("Errors"):
                first = answer["Errors"][0]
                raise S3StoreError(
                    f"{len(answer['Errors'])} objects under {prefix} not deleted, "
                    f"e.g. {first.get('Key')}: {first.get('Code')} {first.get('Message')}"
                )
            count += len(objects)
        return count

    def _download(self, key: str, filename: str, media_type: str) -> Response[Any]:
        # Presigning is computed locally (no request to S3), so it may run on the event loop.
        url = self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentDisposition": content_disposition(filename),
                "ResponseContentType": media_type,
            },
            ExpiresIn=self.link_seconds,
        )
        # The link is a credential for a few minutes: no cache may keep it. The media type is the
        # (empty) body's: a redirect refuses the route's own (a file type) otherwise.
        return Redirect(
            url, status_code=302, headers={"Cache-Control": "no-store"}, media_type=MediaType.TEXT
        )

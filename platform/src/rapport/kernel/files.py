"""Files the product writes (exports, later attachments and imports), by key, on local disk or in S3.

Keys are relative paths starting with the tenant (``t/<tenant id>/…``), so one tenant's files never share
a prefix with another's and a whole tenant goes with one :meth:`FileStore.delete_prefix`. Every key and
prefix is checked here, once, before either backend sees it. :func:`file_store` picks the backend from the
settings (``RAPPORT_FILES_BACKEND``): ``local`` keeps files under ``RAPPORT_DATA_DIR/files``, ``s3`` in
``RAPPORT_S3_BUCKET`` (see ADR 0013).
"""

from __future__ import annotations

import functools
import re
import uuid
from abc import ABC, abstractmethod
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from litestar import Response

    from rapport.kernel.settings import Settings

__all__ = ["FileStore", "check_key", "check_prefix", "content_disposition", "file_store", "tenant_prefix"]

_TENANT = r"t/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/"
_SEGMENT = r"[a-z0-9_][a-z0-9_.-]{0,99}"
_KEY = re.compile(rf"{_TENANT}{_SEGMENT}(?:/{_SEGMENT})*")
_PREFIX = re.compile(rf"{_TENANT}(?:{_SEGMENT}/)*")
_MAX_KEY = 250


def check_key(key: str) -> str:
    """``key`` if it names a file of one tenant (``t/<uuid>/exports/12.csv``), else ``ValueError``.

    Segments start with a letter, digit or underscore, so ``.`` and ``..`` (and hidden names, which the
    local backend uses for files in progress) are not keys.
    """
    if len(key) > _MAX_KEY or not _KEY.fullmatch(key):
        raise ValueError(f"not a file key: {key!r}")
    return key


def check_prefix(prefix: str) -> str:
    """``prefix`` if it is a tenant's folder (``t/<uuid>/`` or deeper, ending in ``/``), else ValueError."""
    if len(prefix) > _MAX_KEY or not _PREFIX.fullmatch(prefix):
        raise ValueError(f"not a file prefix: {prefix!r}")
    return prefix


def tenant_prefix(tenant_id: uuid.UUID) -> str:
    """The prefix of every file of one tenant."""
    return f"t/{tenant_id}/"


def content_disposition(filename: str) -> str:
    """``attachment`` with ``filename`` (an ASCII fallback and the exact name, RFC 6266)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class FileStore(ABC):
    """Where the product keeps files, by key. Methods check keys; backends implement the ``_`` methods.

    Code never sees where a file really is: it writes to, and reads from, a local path that the store
    provides for the duration of an ``async with``.
    """

    def writing(self, key: str) -> AbstractAsyncContextManager[Path]:
        """A local temporary path to write; stored under ``key`` when the block exits cleanly.

        On an error inside the block nothing is stored (and an earlier file under ``key`` stays).
        """
        return self._writing(check_key(key))

    def reading(self, key: str) -> AbstractAsyncContextManager[Path]:
        """A local path holding the file of ``key`` for the block; ``FileNotFoundError`` if there is none."""
        return self._reading(check_key(key))

    async def put(self, key: str, source: Path) -> None:
        """Store a copy of the local file ``source`` under ``key``."""
        await self._put(check_key(key), source)

    async def delete(self, key: str) -> None:
        """Delete the file of ``key``; a missing file is fine."""
        await self._delete(check_key(key))

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every file whose key starts with ``prefix`` (e.g. ``t/<uuid>/``); how many there were."""
        return await self._delete_prefix(check_prefix(prefix))

    def download(self, key: str, filename: str, media_type: str) -> Response[Any]:
        """The response that makes a browser download the file of ``key`` as ``filename``.

        It does not promise to look for the file first (with S3 that would cost a request per download):
        a missing file may reach the browser as the store's own 404.
        """
        return self._download(check_key(key), filename, media_type)

    @abstractmethod
    def _writing(self, key: str) -> AbstractAsyncContextManager[Path]: ...

    @abstractmethod
    def _reading(self, key: str) -> AbstractAsyncContextManager[Path]: ...

    @abstractmethod
    async def _put(self, key: str, source: Path) -> None: ...

    @abstractmethod
    async def _delete(self, key: str) -> None: ...

    @abstractmethod
    async def _delete_prefix(self, prefix: str) -> int: ...

    @abstractmethod
    def _download(self, key: str, filename: str, media_type: str) -> Response[Any]: ...


_configured: list[Settings] = []
"""The settings the process started with (the app's, given at startup), used when none are passed."""


def file_store(settings: Settings | None = None) -> FileStore:
    """The configured store (one per process and configuration; an S3 client is costly to build).

    The app passes its settings once at startup; later calls without settings use those, and a process
    that never passed any (the worker) reads them from the environment.
    """
    if settings is not None:
        _configured[:] = [settings]
    elif _configured:
        settings = _configured[0]
    else:
        from rapport.kernel.settings import load_settings

        settings = load_settings()
    return _store(
        settings.files_backend,
        settings.data_dir / "files",
        settings.s3_bucket,
        settings.s3_endpoint_url,
        settings.s3_region,
    )


@functools.lru_cache(maxsize=8)
def _store(
    backend: str, root: Path, bucket: str | None, endpoint_url: str | None, region: str | None
) -> FileStore:
    if backend == "s3":
        from rapport.kernel.s3_files import S3FileStore

        if bucket is None:  # the settings refuse this already; here for the type checker
            raise ValueError("RAPPORT_S3_BUCKET is required when RAPPORT_FILES_BACKEND is s3")
        return S3FileStore(bucket, endpoint_url=endpoint_url, region=region)
    from rapport.kernel.local_files import LocalFileStore

    return LocalFileStore(root)

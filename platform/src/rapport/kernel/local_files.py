"""The local-disk file store: one folder, each file written beside its place and renamed into it.

A rename within one filesystem is atomic, so a reader sees the old file or the new one, never half of
one. Files in progress are hidden names (``.12.csv.x7k2.part``) that no key can name. Disk calls run in
a thread: a slow or network disk must not stall the event loop.
"""

from __future__ import annotations

import asyncio
import errno
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Response
from litestar.response import File

from rapport.kernel.files import FileStore

__all__ = ["LocalFileStore"]


def _missing(key: str) -> FileNotFoundError:
    return FileNotFoundError(errno.ENOENT, "no such file in the store", key)


class LocalFileStore(FileStore):
    """Files under ``root`` (``RAPPORT_DATA_DIR/files``), at their key's path."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @staticmethod
    def _partial(target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        os.close(handle)
        return Path(name)

    @asynccontextmanager
    async def _writing(self, key: str) -> AsyncIterator[Path]:
        target = self.root / key
        partial = await asyncio.to_thread(self._partial, target)
        try:
            yield partial
            await asyncio.to_thread(os.replace, partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    @asynccontextmanager
    async def _reading(self, key: str) -> AsyncIterator[Path]:
        path = self.root / key
        if not await asyncio.to_thread(path.is_file):
            raise _missing(key)
        yield path  # the stored file itself: readers must not change it

    async def _put(self, key: str, source: Path) -> None:
        async with self._writing(key) as partial:
            await asyncio.to_thread(shutil.copyfile, source, partial)

    async def _delete(self, key: str) -> None:
        await asyncio.to_thread((self.root / key).unlink, missing_ok=True)

    async def _delete_prefix(self, prefix: str) -> int:
        return await asyncio.to_thread(self._remove_folder, self.root / prefix)

    @staticmethod
    def _remove_folder(folder: Path) -> int:
        if not folder.is_dir():
            return 0
        count = sum(1 for path in folder.rglob("*") if path.is_file())
        shutil.rmtree(folder)
        return count

    def _download(self, key: str, filename: str, media_type: str) -> Response[Any]:
        path = self.root / key
        if not path.is_file():  # one stat; File would otherwise fail later with a server error
            raise _missing(key)
        return File(path, filename=filename, media_type=media_type, content_disposition_type="attachment")

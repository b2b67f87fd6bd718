"""Files the product writes (exports, imports, later attachments), by key.

Keys are relative paths starting with the tenant (``t/<tenant id>/…``), so one tenant's files never share
a directory with another's. The local store lives under ``RAPPORT_DATA_DIR/files``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rapport.kernel.settings import Settings

__all__ = ["FileStore", "file_store"]

_KEY = re.compile(r"^t/[0-9a-f-]{36}/[a-z0-9_/.-]{1,200}$")


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        """The file of ``key`` (checked: no way out of the store)."""
        if not _KEY.match(key) or ".." in key:
            raise ValueError(f"not a file key: {key!r}")
        return self.root / key

    def writer(self, key: str) -> Path:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    @contextlib.asynccontextmanager
    async def writing(self, key: str) -> AsyncIterator[Path]:
        """A temporary path to write; stored under ``key`` on a clean exit, nothing stored on an error."""
        target = self.writer(key)
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        os.close(handle)
        try:
            yield Path(name)
            os.replace(name, target)
        finally:
            await asyncio.to_thread(Path(name).unlink, missing_ok=True)

    @contextlib.asynccontextmanager
    async def reading(self, key: str) -> AsyncIterator[Path]:
        path = self.path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        yield path

    async def put(self, key: str, source: Path) -> None:
        async with self.writing(key) as target:
            await asyncio.to_thread(shutil.copyfile, source, target)

    async def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


_store: FileStore | None = None


def file_store(settings: Settings | None = None) -> FileStore:
    """The process's file store: set up from ``settings`` at startup, else from the environment."""
    global _store
    if settings is not None:
        _store = FileStore(settings.data_dir / "files")
    elif _store is None:
        from rapport.kernel.settings import load_settings

        _store = FileStore(load_settings().data_dir / "files")
    return _store

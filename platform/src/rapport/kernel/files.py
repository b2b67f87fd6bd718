"""Files the product writes (exports, later attachments and imports), by key, on the local filesystem.

Keys are relative paths starting with the tenant (``t/<tenant id>/…``), so one tenant's files never share
a directory with another's. The store lives under ``RAPPORT_DATA_DIR/files``.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["FileStore"]

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

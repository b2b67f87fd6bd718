"""A plugin's manifest: who it is, which platform versions it supports, what it needs."""

from __future__ import annotations

import msgspec

__all__ = ["Manifest"]


class Manifest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Declared by every plugin; validated when the plugin host loads it."""

    id: str
    version: str
    name: str
    min_platform: str = "0.1.0"
    max_platform: str | None = None
    permissions: tuple[str, ...] = ()

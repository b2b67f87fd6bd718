"""Object types: the kinds of records permissions speak about (contacts, deals, tickets, a plugin's own).

A module declares each object type it owns in ``Module.object_types``. Roles grant operations per object
type, hide or freeze its fields, and limit its rows to the member's own, their teams' or all; the access
layer (``rapport.identity.access``) reads these declarations to enforce that in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ObjectType"]


@dataclass(frozen=True, slots=True)
class ObjectType:
    """A permission-checked kind of record stored in a tenant table.

    ``fields`` maps each field a role may hide or make read-only to its label; ``id`` is always visible.
    ``owner_field`` names the column holding the owning user's id: row scopes ``own`` and ``team`` filter
    on it.
    """

    name: str
    label: str
    table: Any
    """The Piccolo ``Table`` class (tenant schema) holding the records."""
    fields: Mapping[str, str] = field(default_factory=dict)
    owner_field: str = "owner_id"
    id_field: str = "id"

    def column(self, name: str) -> Any:
        return getattr(self.table, name)

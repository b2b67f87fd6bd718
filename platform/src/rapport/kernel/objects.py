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
    deleted_field: str | None = None
    """A timestamp column: deleting sets it (restorable) and every read skips rows where it is set."""
    derived_columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Columns that follow a field's rule (``{"emails": ("email",)}``: hiding emails hides the primary)."""

    def field_of(self, column: str) -> str:
        """The field whose rule governs ``column`` (itself unless it is derived)."""
        for name, columns in self.derived_columns.items():
            if column in columns:
                return name
        return column

    def columns_of(self, fields: frozenset[str]) -> frozenset[str]:
        """The columns ``fields`` govern: themselves and their derived columns."""
        return fields | {column for name in fields for column in self.derived_columns.get(name, ())}

    def column(self, name: str) -> Any:
        return getattr(self.table, name)

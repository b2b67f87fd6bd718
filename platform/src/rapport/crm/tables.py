"""CRM tables (every tenant schema). Indexes beyond Piccolo's are in raw migrations (trigram, keyset)."""

from __future__ import annotations

from typing import Any

from piccolo.columns import JSONB, UUID, BigSerial, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

__all__ = ["Company", "Contact"]


class Company(Table, tablename="companies"):
    id = BigSerial(primary_key=True)
    name = Varchar(length=200)
    domain = Varchar(length=253, null=True, default=None)
    industry = Varchar(length=100, null=True, default=None)
    parent: ForeignKey[Any] = ForeignKey(references="self", null=True, on_delete=OnDelete.set_null)
    owner_id = UUID()
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    deleted_at = Timestamptz(null=True, default=None)


class Contact(Table, tablename="contacts"):
    id = BigSerial(primary_key=True)
    first_name = Varchar(length=100, default="")
    last_name = Varchar(length=100, default="")
    email = Varchar(length=320, null=True, default=None)
    """The primary address (lowercased), also first in ``emails``."""
    emails = JSONB(default=[])
    phones = JSONB(default=[])
    title = Varchar(length=150, null=True, default=None)
    company = ForeignKey(references=Company, null=True, on_delete=OnDelete.set_null)
    owner_id = UUID()
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    deleted_at = Timestamptz(null=True, default=None)

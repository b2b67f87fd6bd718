"""The notifications table (every tenant schema): one row per message to one member."""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, BigInt, BigSerial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

__all__ = ["KINDS", "Notification"]

KINDS = ("reminder",)
"""What a notification may be about (a CHECK constraint holds the column to these)."""


class Notification(Table, tablename="notifications"):
    """A message to ``user_id``; ``record_type``/``record_id`` is where opening it leads."""

    id = BigSerial(primary_key=True)
    user_id = UUID()
    kind = Varchar(length=30)
    title = Varchar(length=300)
    body = Text(default="")
    record_type = Varchar(length=30, null=True, default=None)
    record_id = BigInt(null=True, default=None)
    data = JSONB(default={})
    """Details of the kind (a reminder: the activity's id, kind and due time)."""
    dedupe_key = Varchar(length=200, unique=True)
    """One notification per key: a job that runs twice (or twice at once) sends it once."""
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None)

"""Event tables in every tenant schema: the outbox, and which consumer has handled which event."""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, BigSerial, Integer, SmallInt, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table

__all__ = ["EventReceipt", "OutboxEvent"]


class OutboxEvent(Table, tablename="outbox_events"):
    """A domain event, written in the transaction of the change it describes; the relay publishes it."""

    id = BigSerial(primary_key=True)
    event_id = UUID(unique=True)
    name = Varchar(length=100)
    version = Integer(default=1)
    record_type = Varchar(length=50, default="")
    record_id = Varchar(length=100, default="")
    changes = JSONB(default={})
    actor_user_id = UUID(null=True, default=None)
    actor = Varchar(length=320, default="")
    occurred_at = Timestamptz(default=TimestamptzNow())
    depth = SmallInt(default=0)
    """0 for a change a person or API client made; n+1 for a change automation made in reaction to depth n."""
    published_at = Timestamptz(null=True, default=None)


class EventReceipt(Table, tablename="event_receipts"):
    """Consumer ``consumer`` has applied event ``event_id``: written with the consumer's effects."""

    id = BigSerial(primary_key=True)
    consumer = Varchar(length=100)
    event_id = UUID()
    processed_at = Timestamptz(default=TimestamptzNow())

    unique_consumer_event = Unique([consumer, event_id])

"""Event consumers: what modules do with events, applied exactly once per consumer and event.

A consumer's handler runs inside the tenant transaction that also records its receipts
(``event_receipts``, unique per consumer and event). An event delivered twice finds its receipt and is
skipped; a handler that fails rolls its receipts back with its effects, and the job is retried.
Effects outside the database (HTTP calls, mail) belong in their own idempotent jobs, enqueued here.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import cache

from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.events.outbox import Event

__all__ = ["EventConsumer", "apply_events", "registered_consumers"]

Handler = Callable[[TenantContext, list[Event]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class EventConsumer:
    """``events`` are names or shell-style patterns (``contact.*``, ``*``)."""

    name: str
    handle: Handler
    events: Sequence[str] = ("*",)

    def wants(self, event_name: str) -> bool:
        return any(fnmatch.fnmatchcase(event_name, pattern) for pattern in self.events)


@cache
def registered_consumers() -> dict[str, EventConsumer]:
    """Every loaded module's consumers, by name (per process; modules load once)."""
    from rapport.kernel.modules import load_modules

    return {
        consumer.name: consumer for module in load_modules().modules for consumer in module.event_consumers
    }


_CLAIM = """
WITH claimed AS (
    INSERT INTO event_receipts (consumer, event_id, processed_at)
    SELECT $1, event_id, clock_timestamp() FROM outbox_events WHERE id = ANY($2::bigint[])
    ON CONFLICT (consumer, event_id) DO NOTHING
    RETURNING event_id
)
SELECT o.id, o.event_id, o.name, o.version, o.record_type, o.record_id, o.changes, o.actor_user_id, o.actor,
       o.occurred_at, o.depth
FROM outbox_events o JOIN claimed USING (event_id)
ORDER BY o.id
"""


async def apply_events(tenant: TenantContext, consumer: EventConsumer, outbox_ids: Sequence[int]) -> int:
    """Claim the events this consumer has not applied and hand them to it, in one transaction."""
    async with tenant_transaction(tenant) as transaction:
        rows = await transaction.connection.fetch(_CLAIM, consumer.name, list(outbox_ids))
        events = [Event.from_row(row) for row in rows]
        if events:
            await consumer.handle(tenant, events)
    return len(events)

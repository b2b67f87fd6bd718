"""Actors of the events module."""

from __future__ import annotations

import structlog
from rapport_tenants.context import TenantContext

from rapport.events.consumers import apply_events, registered_consumers
from rapport.kernel.jobs import tenant_actor

__all__ = ["consume"]

log = structlog.get_logger(__name__)


@tenant_actor(actor_name="events.consume", queue_name="events")
async def consume(tenant: TenantContext, consumer_name: str, outbox_ids: list[int]) -> None:
    """Apply a batch of one tenant's events to one consumer (ids of ``outbox_events`` rows)."""
    consumer = registered_consumers().get(consumer_name)
    if consumer is None:
        log.warning("event_consumer_missing", consumer=consumer_name, events=len(outbox_ids))
        raise LookupError(f"no event consumer {consumer_name!r} in this worker")
    applied = await apply_events(tenant, consumer, outbox_ids)
    log.debug("events_applied", consumer=consumer_name, applied=applied, delivered=len(outbox_ids))

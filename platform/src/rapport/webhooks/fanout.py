"""The events consumer of webhooks: a delivery per matching endpoint and event, and its job.

It runs in the events transaction (exactly once per event): one delivery row per matching endpoint
(unique per endpoint and event), then a ``webhooks.deliver`` job each, sent with a short delay; a job
that runs before that transaction commits finds no row and is retried.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

from rapport_tenants.context import TenantContext

from rapport.events.consumers import EventConsumer
from rapport.events.outbox import Event
from rapport.kernel.db import transaction_connection
from rapport.webhooks.services import payload_of, queue_delivery

__all__ = ["CONSUMER", "fan_out"]

FIRST_SEND_DELAY_MS = 250


async def fan_out(tenant: TenantContext, events: list[Event]) -> None:
    connection = transaction_connection()
    endpoints = await connection.fetch("SELECT id, event_types FROM webhook_endpoints WHERE active")
    rows: list[tuple[int, Any, str, str]] = []
    for event in events:
        payload = json.dumps(
            payload_of(event.name, event.id, event.occurred_at, {
                "record_type": event.record_type, "record_id": event.record_id, "changes": event.changes,
                "actor": event.actor, "version": event.version,
            }),
            default=str,
        )  # fmt: skip
        for endpoint in endpoints:
            patterns = json.loads(endpoint["event_types"])
            if any(fnmatch.fnmatchcase(event.name, pattern) for pattern in patterns):
                rows.append((endpoint["id"], event.id, event.name, payload))
    if not rows:
        return
    created = await connection.fetch(
        "INSERT INTO webhook_deliveries "
        "(endpoint, event_id, event_name, payload, status, attempts, created_at, updated_at) "
        "SELECT e, i, n, p::jsonb, 'pending', 0, now(), now() "
        "FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[]) AS r(e, i, n, p) "
        "ON CONFLICT (endpoint, event_id) DO NOTHING RETURNING id",
        *map(list, zip(*rows, strict=True)),
    )
    for row in created:
        queue_delivery(tenant, row["id"], delay_ms=FIRST_SEND_DELAY_MS)


CONSUMER = EventConsumer("webhooks.fan_out", fan_out, events=("*",))

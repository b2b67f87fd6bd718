"""The realtime events consumer: every record change, with its owner, onto the tenant's Redis channel.

Owners are looked up with one query per object type and batch (a deleted record's owner comes from the
change itself when the row is gone). API processes filter per connected member (see ``socket``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from rapport_tenants.context import TenantContext

from rapport.events.consumers import EventConsumer
from rapport.events.outbox import Event
from rapport.kernel.db import transaction_connection

__all__ = ["CONSUMER", "channel_of"]

RECORD_EVENTS = ("*.created", "*.updated", "*.deleted", "*.restored", "deal.stage_changed", "notification.*")


def channel_of(tenant_id: object) -> str:
    return f"rapport:rt:{tenant_id}"


async def _owners(events: list[Event]) -> dict[tuple[str, str], Any]:
    from rapport.kernel.modules import object_types

    kinds = object_types()
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.record_type in kinds and event.record_id.isdigit():
            wanted[event.record_type].add(int(event.record_id))
    owners: dict[tuple[str, str], Any] = {}
    for name, ids in wanted.items():
        kind = kinds[name]
        table = kind.table._meta.tablename
        owner = kind.column(kind.owner_field)._meta.db_column_name
        rows = await transaction_connection().fetch(
            f'SELECT id, "{owner}" AS owner FROM "{table}" WHERE id = ANY($1::bigint[])', sorted(ids)
        )  # names come from the declared object type
        owners |= {(name, str(row["id"])): row["owner"] for row in rows}
    return owners


async def publish(tenant: TenantContext, events: list[Event]) -> None:
    import dramatiq

    owners = await _owners(events)
    pipeline = dramatiq.get_broker().client.pipeline(transaction=False)  # type: ignore[attr-defined]
    for event in events:
        owner = owners.get((event.record_type, event.record_id))
        if owner is None:
            before = event.changes.get("owner_id", [None])[0]
            owner = before
        message = {
            "event": event.name, "id": str(event.id), "record_type": event.record_type,
            "record_id": event.record_id, "owner_id": str(owner) if owner else None,
            "changes": event.changes, "actor": event.actor, "at": event.occurred_at.isoformat(),
        }  # fmt: skip
        pipeline.publish(channel_of(tenant.id), json.dumps(message, default=str))
    pipeline.execute()  # one round trip for the batch


CONSUMER = EventConsumer("realtime.push", publish, events=RECORD_EVENTS)

"""Writing domain events: :func:`emit` inside the tenant transaction of the change.

The event commits or rolls back with the change. ``pg_notify`` (delivered at commit, once per tenant per
transaction) wakes the relay; the relay's periodic sweep finds anything a lost notification missed.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from piccolo.engine import engine_finder
from rapport_tenants.context import current_tenant

__all__ = ["ALSO_FIRST_PLACEHOLDER", "CHANNEL", "Event", "NewEvent", "cause_depth", "emit", "emit_many"]

CHANNEL = "rapport_outbox"
cause_depth: ContextVar[int] = ContextVar("rapport_cause_depth", default=0)
"""How deep in a chain of automated reactions the running code is: events it emits get this depth."""


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to write: ``name`` like ``contact.created``; ``changes`` maps field → [before, after]."""

    name: str
    record_type: str = ""
    record_id: object = ""
    changes: Mapping[str, Any] = field(default_factory=dict)
    actor_user_id: uuid.UUID | None = None
    actor: str = ""
    version: int = 1


@dataclass(frozen=True, slots=True)
class Event:
    """A committed event as consumers receive it."""

    seq: int
    id: uuid.UUID
    name: str
    version: int
    record_type: str
    record_id: str
    changes: dict[str, Any]
    actor_user_id: uuid.UUID | None
    actor: str
    occurred_at: dt.datetime
    depth: int = 0

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Event:
        changes = row["changes"]
        return cls(
            seq=row["id"],
            id=row["event_id"],
            name=row["name"],
            version=row["version"],
            record_type=row["record_type"],
            record_id=row["record_id"],
            changes=json.loads(changes) if isinstance(changes, str) else changes,
            actor_user_id=row["actor_user_id"],
            actor=row["actor"],
            occurred_at=row["occurred_at"],
            depth=row["depth"],
        )


# The events and the relay's wake-up in one statement (one round trip per write); ``{also}`` may add a
# data-modifying CTE of the caller's (the write's audit row), with placeholders from $12.
_INSERT = """
WITH {also}written AS (
    INSERT INTO outbox_events (event_id, name, version, record_type, record_id, changes, actor_user_id, actor,
                               occurred_at, depth)
    SELECT e.event_id, e.name, e.version, e.record_type, e.record_id, e.changes::jsonb, e.actor_user_id,
           e.actor, now(), $9
    FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::text[])
         AS e(event_id, name, version, record_type, record_id, changes, actor_user_id, actor)
    RETURNING 1
)
SELECT pg_notify($10, $11) FROM (SELECT 1 FROM written LIMIT 1) AS any_written
"""
ALSO_FIRST_PLACEHOLDER = 12
"""Where the placeholders of ``emit_many(also=...)`` start."""


async def emit_many(
    events: Sequence[NewEvent], also: tuple[str, Sequence[Any]] | None = None
) -> list[uuid.UUID]:
    """Write events to the outbox of the current tenant transaction (one statement); their ids.

    ``also``: another insert to run in the same statement (SQL with placeholders from
    :data:`ALSO_FIRST_PLACEHOLDER`, and its values), such as the audit row of the same write.
    """
    tenant = current_tenant.get()
    engine = engine_finder()
    transaction = engine.current_transaction.get() if engine is not None else None
    if tenant is None or transaction is None:
        raise RuntimeError("emit() runs inside tenant_transaction(), with the change it describes")
    ids = [uuid.uuid4() for _ in events]
    columns = (
        ids,
        [event.name for event in events],
        [event.version for event in events],
        [event.record_type for event in events],
        [str(event.record_id) for event in events],
        [json.dumps(event.changes, default=str) for event in events],
        [event.actor_user_id for event in events],
        [event.actor[:320] for event in events],
    )
    statement, extra = (_INSERT.format(also=f"also AS ({also[0]}), "), also[1]) if also else (_PLAIN, ())
    await transaction.connection.execute(
        statement, *columns, cause_depth.get(), CHANNEL, tenant.schema_name, *extra
    )
    return ids


_PLAIN = _INSERT.format(also="")


async def emit(event: NewEvent, also: tuple[str, Sequence[Any]] | None = None) -> uuid.UUID:
    (event_id,) = await emit_many([event], also)
    return event_id

"""The audit log: one row per write, admin action and sign-in attempt, in the tenant's own schema.

Services call :func:`record` inside the tenant transaction of the change, so the row commits with it.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import structlog

from rapport.identity.principal import Principal
from rapport.identity.tables import AuditEvent
from rapport.kernel.db import transaction_connection

__all__ = [
    "SYSTEM", "Actor", "AuditFilter", "audit_page", "insert_statement", "iter_audit", "record", "record_many",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did it, as the audit log shows it."""

    user_id: uuid.UUID | None
    label: str
    via: str
    ip: str | None = None

    @classmethod
    def of(cls, principal: Principal, ip: str | None) -> Actor:
        label = principal.email if principal.via == "session" else f"{principal.email} (api key)"
        return cls(principal.user_id, label, principal.via, ip)

    @classmethod
    def anonymous(cls, label: str, ip: str | None) -> Actor:
        return cls(None, label, "anonymous", ip)


SYSTEM = Actor(None, "system", "system")
"""Changes made by the platform itself (seeding, jobs)."""


_INSERT = (
    "INSERT INTO audit_events (occurred_at, action, actor_user_id, actor, via, ip, object_type, object_id, "
    "changes, request_id)"
)


def insert_statement(
    actor: Actor,
    action: str,
    object_type: str = "",
    object_id: object = "",
    changes: dict[str, tuple[Any, Any]] | None = None,
    first: int = 1,
) -> tuple[str, list[Any]]:
    """The insert of one audit row and its values, placeholders numbered from ``first``: to run alone
    (:func:`record`) or as a part of another statement (a write's event goes in the same round trip)."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    pairs = {field: [before, after] for field, (before, after) in (changes or {}).items()}
    n = [f"${first + i}" for i in range(9)]
    sql = (
        f"{_INSERT} VALUES (now(), {n[0]}, {n[1]}::uuid, {n[2]}, {n[3]}, {n[4]}, "
        f"{n[5]}, {n[6]}, {n[7]}::jsonb, {n[8]})"
    )
    values = [
        action, actor.user_id, actor.label[:320], actor.via, actor.ip, object_type, str(object_id),
        json.dumps(pairs, default=str), request_id,
    ]  # fmt: skip
    return sql, values


async def record(
    actor: Actor,
    action: str,
    object_type: str = "",
    object_id: object = "",
    changes: dict[str, tuple[Any, Any]] | None = None,
) -> None:
    """Append an event; call inside the tenant transaction of the change it describes."""
    # Raw SQL: this runs on every write, and building a Piccolo insert cost more than the statement.
    sql, values = insert_statement(actor, action, object_type, object_id, changes)
    await transaction_connection().execute(sql, *values)


async def record_many(
    actor: Actor, action: str, object_type: str, entries: list[tuple[object, dict[str, tuple[Any, Any]]]]
) -> None:
    """Append one event per ``(object_id, changes)`` of a bulk change, in one statement."""
    if not entries:
        return
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    await transaction_connection().execute(
        f"{_INSERT} SELECT now(), $1, $2, $3, $4, $5, $6, object_id, changes::jsonb, $7 "
        "FROM unnest($8::text[], $9::text[]) AS entry(object_id, changes)",
        action, actor.user_id, actor.label[:320], actor.via, actor.ip, object_type, request_id,
        [str(object_id) for object_id, _ in entries],
        [json.dumps({f: [b, a] for f, (b, a) in changes.items()}, default=str) for _, changes in entries],
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class AuditFilter:
    action: str | None = None
    actor_user_id: uuid.UUID | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


_COLUMNS = (
    AuditEvent.id, AuditEvent.occurred_at, AuditEvent.action, AuditEvent.actor_user_id, AuditEvent.actor,
    AuditEvent.via, AuditEvent.ip, AuditEvent.object_type, AuditEvent.object_id, AuditEvent.changes,
    AuditEvent.request_id,
)  # fmt: skip


async def audit_page(where: AuditFilter, before_id: int | None, limit: int) -> list[dict[str, Any]]:
    """Newest first, ``limit`` events older than ``before_id`` (keyset); call in a tenant transaction."""
    query = AuditEvent.select(*_COLUMNS).order_by(AuditEvent.id, ascending=False).limit(limit)
    conditions = [
        (where.action, AuditEvent.action), (where.actor_user_id, AuditEvent.actor_user_id),
        (where.object_type, AuditEvent.object_type), (where.object_id, AuditEvent.object_id),
    ]  # fmt: skip
    for value, column in conditions:
        if value is not None:
            query = query.where(column == value)
    if where.since is not None:
        query = query.where(AuditEvent.occurred_at >= where.since)
    if where.until is not None:
        query = query.where(AuditEvent.occurred_at < where.until)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    rows: list[dict[str, Any]] = await query
    for row in rows:
        if isinstance(row["changes"], str):
            row["changes"] = json.loads(row["changes"])
    return rows


async def iter_audit(where: AuditFilter, batch: int = 1000) -> AsyncIterator[list[dict[str, Any]]]:
    """Every matching event, newest first, a page at a time (for exports); call in a tenant transaction."""
    before: int | None = None
    while True:
        rows = await audit_page(where, before, batch)
        if not rows:
            return
        yield rows
        before = rows[-1]["id"]

"""A member's notifications: list (newest first, keyset), count unread, mark read.

Every function takes the tenant and the member and touches only that member's rows: another member's
notification is "not found", never "forbidden", so ids reveal nothing. Marking read emits
``notification.read`` (to the addressee only, like every ``notification.*`` event), so the member's other
tabs and devices update their count. Reading is not audited: it changes no shared data.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from typing import Any

from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.events.outbox import NewEvent, emit
from rapport.identity.audit import Actor
from rapport.kernel.errors import NotFoundError
from rapport.notifications.tables import Notification

__all__ = ["UNREAD_COUNT_CAP", "list_notifications", "mark_all_read", "mark_read", "unread_count"]

UNREAD_COUNT_CAP = 1000
"""Unread notifications are counted up to this (a bell shows "99+" long before)."""

_PUBLIC = (
    Notification.id, Notification.kind, Notification.title, Notification.body, Notification.record_type,
    Notification.record_id, Notification.data, Notification.created_at, Notification.read_at,
)  # fmt: skip


def _out(row: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(row)
    if isinstance(out.get("data"), str):
        out["data"] = json.loads(out["data"])
    return out


async def list_notifications(
    tenant: TenantContext, user_id: uuid.UUID, *, unread_only: bool, before: int | None, limit: int
) -> list[dict[str, Any]]:
    """The member's notifications, newest first, below the id ``before`` (keyset), at most ``limit``."""
    mine: Any = Notification.user_id == user_id
    if unread_only:
        mine &= Notification.read_at.is_null()
    if before is not None:
        mine &= Notification.id < before
    query = Notification.select(*_PUBLIC).where(mine).order_by(Notification.id, ascending=False).limit(limit)
    async with tenant_transaction(tenant):
        return [_out(row) for row in await query]


async def unread_count(tenant: TenantContext, user_id: uuid.UUID) -> int:
    """How many of the member's notifications are unread, counted up to ``UNREAD_COUNT_CAP``."""
    async with tenant_transaction(tenant) as transaction:
        count: int = await transaction.connection.fetchval(
            "SELECT count(*) FROM (SELECT 1 FROM notifications WHERE user_id = $1 AND read_at IS NULL "
            "LIMIT $2) unread",
            user_id,
            UNREAD_COUNT_CAP,
        )
    return count


def _read_event(actor: Actor, record_id: object, read_at: dt.datetime) -> NewEvent:
    user = str(actor.user_id)
    changes = {"user_id": [user, user], "read_at": [None, read_at.isoformat()]}
    return NewEvent("notification.read", "notification", record_id, changes, actor.user_id, actor.label)


async def mark_read(tenant: TenantContext, actor: Actor, notification_id: int) -> dict[str, Any]:
    """Mark one of the member's notifications read (already read: unchanged); the notification."""
    mine = (Notification.id == notification_id) & (Notification.user_id == actor.user_id)
    async with tenant_transaction(tenant):
        now = dt.datetime.now(dt.UTC)
        changed = (
            await Notification.update({Notification.read_at: now})
            .where(mine & Notification.read_at.is_null())
            .returning(Notification.id)
        )
        if changed:
            await emit(_read_event(actor, notification_id, now))
        row = await Notification.select(*_PUBLIC).where(mine).first()
        if row is None:
            raise NotFoundError(f"No notification {notification_id}.")
        return _out(row)


async def mark_all_read(tenant: TenantContext, actor: Actor) -> int:
    """Mark every unread notification of the member read; how many were."""
    async with tenant_transaction(tenant) as transaction:
        now = dt.datetime.now(dt.UTC)
        marked: int = await transaction.connection.fetchval(
            "WITH marked AS (UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL "
            "RETURNING 1) SELECT count(*) FROM marked",
            actor.user_id,
            now,
        )
        if marked:
            await emit(_read_event(actor, "", now))
    return marked

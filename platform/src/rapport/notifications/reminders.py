"""Activity reminders: a notification to the activity's owner once its ``reminder_at`` has come.

One set-based statement per tenant and batch writes the notifications (``ON CONFLICT DO NOTHING`` on the
dedupe key, so a job run twice, or twice at once, reminds once) and the outbox gets one
``notification.created`` event per new row in the same transaction: the realtime layer pushes it to the
addressee after commit. The dedupe key names the activity and its reminder time, so moving a reminder
later reminds again. Reminders more than ``LOOKBACK`` late are not sent (a day-old nudge is noise).

Which tenants have a reminder due is answered for many schemas at once (:func:`tenants_with_due`), so
the minute tick sends a job only to those, not to every workspace. The tick looks at what came due or
was written in the last ``RECENT`` (cheap at any volume of reminders already sent); every
``CATCH_UP_MINUTES`` it looks at the whole day, for what a recent probe cannot see (a worker that was
down longer, a restored activity, a job that failed for good).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import asyncpg
from rapport_tenants.context import TenantContext, tenant_transaction
from rapport_tenants.probe import schemas_where

from rapport.events.outbox import NewEvent, emit_many
from rapport.kernel.db import transaction_connection

__all__ = [
    "BATCH", "CATCH_UP_MINUTES", "LOOKBACK", "RECENT", "send_due_reminders",
    "tenants_with_due",
]  # fmt: skip

LOOKBACK = dt.timedelta(days=1)
BATCH = 1000
"""Reminders written per statement; a full batch makes the job run again."""
RECENT = dt.timedelta(minutes=10)
CATCH_UP_MINUTES = 15
ACTOR = "system"

# The activities_reminder index (reminder_at, WHERE reminder_at IS NOT NULL AND NOT done) answers the
# range; the unique dedupe key answers "already sent". Table names: plain in a tenant transaction, or
# schema-qualified by the cross-tenant probe.
_KEY = "'reminder:' || a.id || ':' || floor(extract(epoch FROM a.reminder_at))::bigint"
_DUE = (
    "FROM {activities} a "
    "WHERE a.reminder_at <= $1 AND a.reminder_at > $2 AND NOT a.done AND a.deleted_at IS NULL "
    f"AND NOT EXISTS (SELECT 1 FROM {{notifications}} n WHERE n.dedupe_key = {_KEY})"
)

_SEND = f"""
INSERT INTO notifications (user_id, kind, title, body, record_type, record_id, data, dedupe_key, created_at)
SELECT a.owner_id, 'reminder', a.subject, '',
       CASE WHEN a.record_id IS NULL THEN 'activity' ELSE a.record_type END,
       coalesce(a.record_id, a.id),
       jsonb_build_object('activity_id', a.id, 'activity_kind', a.kind, 'due_at', a.due_at,
                          'reminder_at', a.reminder_at),
       {_KEY}, now()
{_DUE.format(activities="activities", notifications="notifications")}
ORDER BY a.reminder_at, a.id
LIMIT $3
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id, user_id, kind, title, record_type, record_id
"""


def _event(row: asyncpg.Record) -> NewEvent:
    changes = {
        name: [None, str(row[name]) if name == "user_id" else row[name]]
        for name in ("user_id", "kind", "title", "record_type", "record_id")
    }
    return NewEvent("notification.created", "notification", row["id"], changes, None, ACTOR)


async def send_due_reminders(tenant: TenantContext, now: dt.datetime | None = None) -> int:
    """Notify owners of the tenant's activities whose reminder has come (one batch); how many were sent."""
    moment = now or dt.datetime.now(dt.UTC)
    async with tenant_transaction(tenant):
        rows = await transaction_connection().fetch(_SEND, moment, moment - LOOKBACK, BATCH)
        if rows:
            await emit_many([_event(row) for row in rows])
    return len(rows)


def _probe(schema: str, recent: bool) -> str:
    """One schema's condition in the probe: it has a reminder to send.

    ``recent``: only reminders that came due, or activities written, since ``$3`` (each an index range);
    otherwise every unsent reminder of the lookback day.
    """
    due = _DUE.format(activities=f'"{schema}".activities', notifications=f'"{schema}".notifications')
    if not recent:
        return f"EXISTS (SELECT 1 {due})"
    return f"EXISTS (SELECT 1 {due} AND a.reminder_at > $3) OR EXISTS (SELECT 1 {due} AND a.updated_at > $3)"


async def tenants_with_due(
    connection: asyncpg.Connection | asyncpg.Pool,
    schemas: Sequence[str],
    now: dt.datetime | None = None,
    since: dt.datetime | None = None,
) -> set[str]:
    """Which of ``schemas`` have a reminder due and not sent: one query per ``PROBE_CHUNK`` schemas.

    With ``since``, only reminders that came due or whose activity was written after it are looked
    for: a probe that stays cheap however many reminders of the day were already sent. Without it,
    the whole lookback day (the periodic catch-up). Schemas without the notifications table yet (being
    provisioned or migrated) are left out.
    """
    moment = now or dt.datetime.now(dt.UTC)
    args = [moment, moment - LOOKBACK, *([since] if since else [])]
    return await schemas_where(
        connection, schemas, "notifications", lambda schema: _probe(schema, since is not None), *args
    )

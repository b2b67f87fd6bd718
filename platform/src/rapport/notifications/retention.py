"""Read notifications are kept ``KEEP_READ`` (90 days) after they were read, then deleted; unread ones stay.

A daily tick (``notifications.prune``) probes the workspaces 200 per query for a notification read
before the cutoff (a partial index on ``read_at`` answers each) and sends a job only to those; the job
(``notifications.prune_tenant``) deletes a batch of ``BATCH`` and sends itself again while batches come
back full. Nothing depends on old rows: a reminder's dedupe key is only looked up for a day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import asyncpg
from rapport_tenants.context import TenantContext, tenant_transaction
from rapport_tenants.probe import schemas_where

from rapport.kernel.db import transaction_connection

__all__ = ["BATCH", "KEEP_READ", "prune_read", "tenants_to_prune"]

KEEP_READ = dt.timedelta(days=90)
BATCH = 5000

_PRUNE = """
DELETE FROM notifications WHERE id IN (
    SELECT id FROM notifications WHERE read_at IS NOT NULL AND read_at < $1 ORDER BY read_at LIMIT $2
)
"""


async def prune_read(tenant: TenantContext, now: dt.datetime | None = None) -> int:
    """Delete one batch of the workspace's notifications read more than ``KEEP_READ`` ago; how many."""
    cutoff = (now or dt.datetime.now(dt.UTC)) - KEEP_READ
    async with tenant_transaction(tenant):
        status = await transaction_connection().execute(_PRUNE, cutoff, BATCH)
    return int(status.split()[-1])


async def tenants_to_prune(
    connection: asyncpg.Connection | asyncpg.Pool, schemas: Sequence[str], now: dt.datetime | None = None
) -> set[str]:
    """Which of ``schemas`` hold a notification read more than ``KEEP_READ`` ago."""
    cutoff = (now or dt.datetime.now(dt.UTC)) - KEEP_READ
    return await schemas_where(
        connection,
        schemas,
        "notifications",
        lambda schema: f'EXISTS (SELECT 1 FROM "{schema}".notifications WHERE read_at < $1)',
        cutoff,
    )

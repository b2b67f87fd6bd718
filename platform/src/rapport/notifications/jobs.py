"""Reminder jobs: a minute tick finds the workspaces with reminders due and sends each one job.

The tick (``notifications.remind``, every minute) probes tenant schemas a chunk at a time for a due,
unsent reminder, so a minute costs a few queries and no message for the many workspaces with nothing due;
it looks back ``RECENT``, and over the whole day every ``CATCH_UP_MINUTES``.
``notifications.send_reminders`` writes one tenant's batch and sends itself again while batches are full.
The daily ``notifications.prune`` does the same for read notifications past their keeping (``retention``).
"""

from __future__ import annotations

import datetime as dt

import dramatiq
from rapport_tenants.context import TenantContext, process_pool
from rapport_tenants.tables import TenantStatus

from rapport.kernel.jobs import send_for_tenant, send_to_tenants, tenant_actor
from rapport.notifications.reminders import (
    BATCH,
    CATCH_UP_MINUTES,
    RECENT,
    send_due_reminders,
    tenants_with_due,
)
from rapport.notifications.retention import BATCH as PRUNE_BATCH
from rapport.notifications.retention import prune_read, tenants_to_prune

__all__ = ["prune", "prune_tenant", "remind", "send_reminders"]


@dramatiq.actor(actor_name="notifications.remind", queue_name="system", max_retries=0)
async def remind() -> None:
    """Every minute: a reminder job for each active workspace with a reminder due."""
    now = dt.datetime.now(dt.UTC)
    since = None if int(now.timestamp() // 60) % CATCH_UP_MINUTES == 0 else now - RECENT
    await send_to_tenants(
        send_reminders,
        lambda schemas: tenants_with_due(process_pool(), schemas, now, since),
        statuses=(TenantStatus.ACTIVE,),
    )


@tenant_actor(actor_name="notifications.send_reminders", max_retries=5)
async def send_reminders(tenant: TenantContext) -> None:
    if await send_due_reminders(tenant) == BATCH:
        send_for_tenant(tenant, send_reminders)


@dramatiq.actor(actor_name="notifications.prune", queue_name="system", max_retries=0)
async def prune() -> None:
    """Daily: a pruning job for each workspace holding notifications read more than 90 days ago."""
    await send_to_tenants(prune_tenant, lambda schemas: tenants_to_prune(process_pool(), schemas))


@tenant_actor(actor_name="notifications.prune_tenant", max_retries=5)
async def prune_tenant(tenant: TenantContext) -> None:
    if await prune_read(tenant) == PRUNE_BATCH:
        send_for_tenant(tenant, prune_tenant)

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
from rapport_tenants.context import TenantContext, process_engine, process_pool
from rapport_tenants.tables import TenantStatus

from rapport.kernel.db import transaction_connection
from rapport.kernel.jobs import live_tenants, send_for_tenant, tenant_actor
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
    tenants = await live_tenants((TenantStatus.ACTIVE,))
    now = dt.datetime.now(dt.UTC)
    catch_up = int(now.timestamp() // 60) % CATCH_UP_MINUTES == 0
    async with process_engine().transaction():
        connection = transaction_connection()
        due = await tenants_with_due(connection, sorted(tenants), now, None if catch_up else now - RECENT)
    for schema in sorted(due):
        send_for_tenant(tenants[schema], send_reminders)


@tenant_actor(actor_name="notifications.send_reminders", max_retries=5)
async def send_reminders(tenant: TenantContext) -> None:
    if await send_due_reminders(tenant) == BATCH:
        send_for_tenant(tenant, send_reminders)


@dramatiq.actor(actor_name="notifications.prune", queue_name="system", max_retries=0)
async def prune() -> None:
    """Daily: a pruning job for each workspace holding notifications read more than 90 days ago."""
    tenants = await live_tenants()
    due = await tenants_to_prune(process_pool(), sorted(tenants))
    for schema in sorted(due):
        send_for_tenant(tenants[schema], prune_tenant)


@tenant_actor(actor_name="notifications.prune_tenant", max_retries=5)
async def prune_tenant(tenant: TenantContext) -> None:
    if await prune_read(tenant) == PRUNE_BATCH:
        send_for_tenant(tenant, prune_tenant)

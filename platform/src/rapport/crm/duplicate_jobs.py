"""The duplicate scan's jobs: one workspace (on request and daily), and the daily fan-out."""

from __future__ import annotations

import dramatiq
from rapport_tenants.context import TenantContext
from rapport_tenants.tables import TenantStatus

from rapport.crm.duplicate_queue import QUEUED, scan_workspace
from rapport.kernel.jobs import send_to_tenants, tenant_actor

__all__ = ["scan_all_duplicates", "scan_duplicates"]


@tenant_actor(actor_name="crm.scan_duplicates", max_retries=2, time_limit=3_600_000)
async def scan_duplicates(tenant: TenantContext, object_type: str | None = None) -> None:
    for name in [object_type] if object_type else list(QUEUED):
        await scan_workspace(tenant, name)


@dramatiq.actor(actor_name="crm.scan_all_duplicates", queue_name="system", max_retries=0)
async def scan_all_duplicates() -> None:
    """Daily: one scan per active workspace."""
    await send_to_tenants(scan_duplicates, statuses=(TenantStatus.ACTIVE,))

"""Export files live a week: an hourly job deletes older ones and marks their exports ``expired``.

The hourly tick (``crm.expire_exports``) sends one job per workspace (``crm.expire_tenant_exports``), so
a slow or failing workspace delays and retries only itself. Files are deleted inside the transaction that
marks their rows: if the commit fails, the next run deletes them again (deleting a missing file is fine)
and marks the rows then. The files of a purged workspace go with its prefix (``rapport.tenancy.jobs``).
"""

from __future__ import annotations

import datetime as dt

import dramatiq
import structlog
from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.crm.tables import Export
from rapport.kernel.files import FileStore, file_store
from rapport.kernel.jobs import send_for_tenant, send_to_tenants, tenant_actor

__all__ = ["EXPORT_LIFETIME", "expire_exports", "expire_old_exports", "expire_tenant_exports"]

log = structlog.get_logger(__name__)
EXPORT_LIFETIME = dt.timedelta(days=7)
BATCH = 500


async def expire_old_exports(tenant: TenantContext, store: FileStore, now: dt.datetime | None = None) -> int:
    """Delete the files of the workspace's exports finished more than a week ago; how many expired.

    One batch of at most ``BATCH`` exports; the job sends itself again while a batch comes back full.
    """
    cutoff = (now or dt.datetime.now(dt.UTC)) - EXPORT_LIFETIME
    async with tenant_transaction(tenant):
        due = (
            await Export.select(Export.id, Export.file_key)
            .where((Export.status == "done") & (Export.finished_at < cutoff))
            .order_by(Export.id)
            .limit(BATCH)
        )
        if not due:
            return 0
        for row in due:
            if row["file_key"]:
                await store.delete(row["file_key"])
        await Export.update({Export.status: "expired"}).where(Export.id.is_in([row["id"] for row in due]))
    log.info("exports_expired", tenant=tenant.slug, count=len(due))
    return len(due)


@dramatiq.actor(actor_name="crm.expire_exports", queue_name="system", max_retries=0)
async def expire_exports() -> None:
    """Hourly: one expiry job per workspace that can hold exports (not those being provisioned or purged)."""
    await send_to_tenants(expire_tenant_exports)


@tenant_actor(actor_name="crm.expire_tenant_exports", max_retries=5)
async def expire_tenant_exports(tenant: TenantContext) -> None:
    if await expire_old_exports(tenant, file_store()) == BATCH:
        send_for_tenant(tenant, expire_tenant_exports)

"""The ``crm.import`` job (see ``import_run``), and the sweep that settles imports whose worker died."""

from __future__ import annotations

from typing import Any

import dramatiq
from rapport_tenants.context import TenantContext, process_pool, tenant_transaction
from rapport_tenants.probe import schemas_where

from rapport.crm.imports import STOPPABLE, settle_stopped
from rapport.kernel.jobs import TENANT_OPTION, send_to_tenants, tenant_actor

__all__ = ["queue_import", "run_import", "settle_stopped_imports", "settle_tenant_imports"]


def queue_import(tenant: TenantContext, import_id: int) -> None:
    options: dict[str, Any] = {TENANT_OPTION: tenant.as_message()}
    run_import.send_with_options(args=(import_id,), **options)


@tenant_actor(actor_name="crm.import", max_retries=0, time_limit=3_600_000)
async def run_import(tenant: TenantContext, import_id: int) -> None:
    from rapport.crm.import_run import execute_import

    await execute_import(tenant, import_id)


async def _with_stoppable(schemas: list[str]) -> set[str]:
    """Which of ``schemas`` have a running import that may have stopped."""
    return await schemas_where(
        process_pool(),
        schemas,
        "imports",
        lambda schema: f'EXISTS (SELECT 1 FROM "{schema}".imports WHERE {STOPPABLE})',
    )


@dramatiq.actor(actor_name="crm.settle_stopped_imports", queue_name="system", max_retries=0)
async def settle_stopped_imports() -> None:
    """Every ten minutes (``crm.module``): settle the imports whose worker died and that nobody has
    looked at since (reading them settles them too), so none stays ``running`` and their files go.
    Only workspaces whose probe finds a running import get a job."""
    await send_to_tenants(settle_tenant_imports, _with_stoppable)


@tenant_actor(actor_name="crm.settle_tenant_imports", max_retries=3)
async def settle_tenant_imports(tenant: TenantContext) -> None:
    async with tenant_transaction(tenant):
        await settle_stopped(tenant, None)

"""The ``crm.import`` job (see ``import_run``)."""

from __future__ import annotations

from typing import Any

from rapport_tenants.context import TenantContext

from rapport.kernel.jobs import TENANT_OPTION, tenant_actor

__all__ = ["queue_import", "run_import"]


def queue_import(tenant: TenantContext, import_id: int) -> None:
    options: dict[str, Any] = {TENANT_OPTION: tenant.as_message()}
    run_import.send_with_options(args=(import_id,), **options)


@tenant_actor(actor_name="crm.import", max_retries=0, time_limit=3_600_000)
async def run_import(tenant: TenantContext, import_id: int) -> None:
    from rapport.crm.import_run import execute_import

    await execute_import(tenant, import_id)

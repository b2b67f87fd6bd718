"""The tenant registry: find tenants by host, slug or id, and list them (keyset-paginated)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from rapport_tenants.context import TenantContext
from rapport_tenants.tables import Tenant

__all__ = ["context_from_row", "list_tenants", "tenant_by_host", "tenant_by_id", "tenant_by_slug"]

_COLUMNS = "t.id, t.slug, t.schema_name, t.status, t.display_name"


def context_from_row(row: dict[str, Any]) -> TenantContext:
    return TenantContext(
        id=row["id"],
        slug=row["slug"],
        schema_name=row["schema_name"],
        status=row["status"],
        display_name=row["display_name"],
    )


async def _one(sql: str, *args: Any) -> TenantContext | None:
    rows = await Tenant.raw(sql, *args)
    return context_from_row(rows[0]) if rows else None


async def tenant_by_host(host: str) -> TenantContext | None:
    """The tenant a host name (lowercase, no port) is registered to in ``control.domains``."""
    return await _one(
        f"SELECT {_COLUMNS} FROM control.domains d JOIN control.tenants t ON t.id = d.tenant_id "
        "WHERE d.host = {}",
        host,
    )


async def tenant_by_slug(slug: str) -> TenantContext | None:
    return await _one(f"SELECT {_COLUMNS} FROM control.tenants t WHERE t.slug = {{}}", slug)


async def tenant_by_id(tenant_id: uuid.UUID) -> TenantContext | None:
    return await _one(f"SELECT {_COLUMNS} FROM control.tenants t WHERE t.id = {{}}", tenant_id)


async def list_tenants(
    limit: int = 50,
    after: tuple[dt.datetime, uuid.UUID] | None = None,
    status: str | None = None,
    tenant_id: uuid.UUID | None = None,
) -> list[dict[str, Any]]:
    """Tenants ordered by (created_at, id), ``limit`` after the cursor ``after`` = (created_at, id)."""
    after_at = after[0] if after else None
    rows: list[dict[str, Any]] = await Tenant.raw(
        "SELECT t.id, t.slug, t.display_name, t.status, t.schema_name, t.created_at, t.status_reason, "
        "t.delete_after, "
        "(SELECT d.host FROM control.domains d WHERE d.tenant_id = t.id AND d.is_primary) AS host "
        "FROM control.tenants t "
        "WHERE ({}::text IS NULL OR t.status = {}) AND ({}::uuid IS NULL OR t.id = {}) "
        "AND ({}::timestamptz IS NULL OR (t.created_at, t.id) > ({}::timestamptz, {}::uuid)) "
        "ORDER BY t.created_at, t.id LIMIT {}",
        status,
        status,
        tenant_id,
        tenant_id,
        after_at,
        after_at,
        after[1] if after else None,
        limit,
    )
    return rows

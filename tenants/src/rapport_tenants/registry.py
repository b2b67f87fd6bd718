"""The tenant registry: look up and register tenants in the control schema."""

from __future__ import annotations

import re
import uuid

from rapport_tenants.tables import Tenant, TenantStatus

__all__ = ["SCHEMA_NAME_PATTERN", "ensure_tenant", "schema_name_for"]

SCHEMA_NAME_PATTERN = re.compile(r"^t_[0-9a-f]{32}$")


def schema_name_for(tenant_id: uuid.UUID) -> str:
    """The PostgreSQL schema of a tenant: ``t_`` and the id's 32 hex digits (always a safe identifier)."""
    name = f"t_{tenant_id.hex}"
    if not SCHEMA_NAME_PATTERN.match(name):
        raise ValueError(f"invalid schema name {name!r}")
    return name


async def ensure_tenant(slug: str, display_name: str) -> Tenant:
    """Return the tenant with ``slug``, creating it (row and empty schema, in one transaction) if absent."""
    existing = await Tenant.objects().get(Tenant.slug == slug)
    if existing is not None:
        return existing
    tenant_id = uuid.uuid4()
    schema = schema_name_for(tenant_id)
    async with Tenant._meta.db.transaction():
        await Tenant.raw(f'CREATE SCHEMA "{schema}"')  # schema name checked against SCHEMA_NAME_PATTERN
        tenant = Tenant(
            id=tenant_id,
            slug=slug,
            display_name=display_name,
            status=TenantStatus.ACTIVE,
            schema_name=schema,
        )
        await tenant.save()
    return tenant

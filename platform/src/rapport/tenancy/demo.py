"""Demo data of the tenancy module: the ``demo`` tenant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapport_tenants.registry import ensure_tenant

if TYPE_CHECKING:
    from rapport.kernel.settings import Settings

__all__ = ["DEMO_SLUG", "seed_demo_tenant"]

DEMO_SLUG = "demo"


async def seed_demo_tenant(settings: Settings) -> list[str]:
    tenant = await ensure_tenant(DEMO_SLUG, "Demo Company")
    return [
        f"demo tenant '{tenant.slug}' ({tenant.id}, schema {tenant.schema_name}, {tenant.status})",
        f"  http://{tenant.slug}.{settings.base_domain}:{settings.port}",
    ]

"""Demo data of the tenancy module: the ``demo`` workspace with an owner who can sign in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapport_tenants.registry import tenant_by_slug

from rapport.tenancy.schemas import SignupRequest
from rapport.tenancy.signup import create_workspace

if TYPE_CHECKING:
    from rapport.kernel.settings import Settings

__all__ = ["DEMO_EMAIL", "DEMO_PASSWORD", "DEMO_SLUG", "seed_demo_tenant"]

DEMO_SLUG = "demo"
DEMO_EMAIL = "owner@demo.rapport.localhost"
DEMO_PASSWORD = "demo-password-1234"  # noqa: S105 - published demo credentials, development only


async def seed_demo_tenant(settings: Settings) -> list[str]:
    tenant = await tenant_by_slug(DEMO_SLUG)
    if tenant is None:
        request = SignupRequest(
            organization_name="Demo Company", slug=DEMO_SLUG, admin_email=DEMO_EMAIL, password=DEMO_PASSWORD
        )
        await create_workspace(request, settings.base_domain)
        tenant = await tenant_by_slug(DEMO_SLUG)
    assert tenant is not None
    return [
        f"demo tenant '{tenant.slug}' ({tenant.id}, schema {tenant.schema_name}, {tenant.status})",
        f"  {settings.tenant_url(tenant.slug)}  owner {DEMO_EMAIL} / {DEMO_PASSWORD}",
    ]

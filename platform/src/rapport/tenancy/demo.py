"""Demo data of the tenancy module: the ``demo`` workspace with an owner who can sign in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapport_tenants.registry import tenant_by_slug

from rapport.identity.members import ensure_member
from rapport.identity.tables import Role
from rapport.tenancy.schemas import SignupRequest
from rapport.tenancy.signup import create_workspace

if TYPE_CHECKING:
    from rapport.kernel.settings import Settings

__all__ = ["DEMO_EMAIL", "DEMO_PASSWORD", "DEMO_ROLES", "DEMO_SLUG", "demo_email", "seed_demo_tenant"]

DEMO_SLUG = "demo"
DEMO_EMAIL = "owner@demo.rapport.localhost"
DEMO_ROLES = (Role.ADMIN, Role.MANAGER, Role.MEMBER, Role.READ_ONLY)
"""Besides the owner, one demo user per role, to try what each may do."""
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
    for role in DEMO_ROLES:
        await ensure_member(tenant, demo_email(role), DEMO_PASSWORD, role)
    people = ", ".join(demo_email(role) for role in (Role.OWNER, *DEMO_ROLES))
    return [
        f"demo tenant '{tenant.slug}' ({tenant.id}, schema {tenant.schema_name}, {tenant.status})",
        f"  {settings.tenant_url(tenant.slug)}  sign in as any of {people}; password {DEMO_PASSWORD}",
    ]


def demo_email(role: Role) -> str:
    return f"{role.value.replace('-', '')}@demo.rapport.localhost"

"""The tenants a user belongs to, from the control-plane index kept beside each membership."""

from __future__ import annotations

import uuid
from typing import Any

from rapport.identity.tables import UserTenant

__all__ = ["tenants_of"]


async def tenants_of(user_id: uuid.UUID) -> list[dict[str, Any]]:
    """Active tenants of ``user_id``, by name."""
    rows: list[dict[str, Any]] = await UserTenant.raw(
        "SELECT t.id, t.slug, t.display_name FROM control.user_tenants ut "
        "JOIN control.tenants t ON t.id = ut.tenant_id "
        "WHERE ut.user_id = {} AND t.status = 'active' ORDER BY lower(t.display_name), t.slug LIMIT 1000",
        user_id,
    )
    return rows

"""Operator actions on a tenant (suspend, resume, delete) recorded in that tenant's own audit log."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from rapport_tenants.context import tenant_transaction
from rapport_tenants.lifecycle import LifecycleError
from rapport_tenants.registry import tenant_by_id

from rapport.identity import audit
from rapport.identity.audit import Actor

__all__ = ["audited_operator_action"]

T = TypeVar("T")


async def audited_operator_action(
    tenant_id: uuid.UUID,
    action: str,
    step: Callable[[], Awaitable[T]],
    changes: dict[str, tuple[Any, Any]],
    via: str,
) -> T:
    """Run a lifecycle ``step`` and its audit row in one transaction of the tenant (both or neither)."""
    tenant = await tenant_by_id(tenant_id)
    if tenant is None:
        raise LifecycleError(f"no tenant {tenant_id}", not_found=True)
    async with tenant_transaction(tenant):
        result = await step()
        await audit.record(Actor(None, "platform operator", via), action, "tenant", tenant_id, changes)
    return result

"""A tenant's life after signup: suspend, resume, delete (marked, then purged after a grace period)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from piccolo.columns import Column

from rapport_tenants.context import process_engine
from rapport_tenants.names import check_schema_name
from rapport_tenants.tables import Tenant, TenantStatus

__all__ = ["LifecycleError", "mark_for_deletion", "purge_due", "resume", "suspend"]


class LifecycleError(Exception):
    """The tenant cannot make this transition (unknown, or in the wrong state)."""

    def __init__(self, message: str, *, not_found: bool = False) -> None:
        super().__init__(message)
        self.not_found = not_found


async def _transition(
    tenant_id: uuid.UUID, allowed_from: set[TenantStatus], values: dict[Column | str, Any], verb: str
) -> None:
    tenant = await Tenant.select(Tenant.status, Tenant.slug).where(Tenant.id == tenant_id).first()
    if tenant is None:
        raise LifecycleError(f"no tenant {tenant_id}", not_found=True)
    if tenant["status"] not in allowed_from:
        raise LifecycleError(f"tenant {tenant['slug']} is {tenant['status']}; cannot {verb} it")
    updated = (
        await Tenant.update(values)
        .where((Tenant.id == tenant_id) & Tenant.status.is_in([status.value for status in allowed_from]))
        .returning(Tenant.id)
    )
    if not updated:
        raise LifecycleError(f"tenant {tenant['slug']} changed state meanwhile; try again")


async def suspend(tenant_id: uuid.UUID, reason: str) -> None:
    """Suspend an active tenant: its users get 403 with ``reason`` until it is resumed."""
    await _transition(
        tenant_id,
        {TenantStatus.ACTIVE},
        {Tenant.status: TenantStatus.SUSPENDED.value, Tenant.status_reason: reason},
        "suspend",
    )


async def resume(tenant_id: uuid.UUID) -> None:
    """Make a suspended tenant, or one marked for deletion and still in its grace period, active again."""
    await _transition(
        tenant_id,
        {TenantStatus.SUSPENDED, TenantStatus.DELETING},
        {Tenant.status: TenantStatus.ACTIVE.value, Tenant.status_reason: None, Tenant.delete_after: None},
        "resume",
    )


async def mark_for_deletion(
    tenant_id: uuid.UUID, grace: dt.timedelta, reason: str = "deleted"
) -> dt.datetime:
    """Mark a tenant for deletion; the purge job drops its schema once ``grace`` has passed."""
    delete_after = dt.datetime.now(dt.UTC) + grace
    await _transition(
        tenant_id,
        {TenantStatus.ACTIVE, TenantStatus.SUSPENDED, TenantStatus.PROVISIONING},
        {
            Tenant.status: TenantStatus.DELETING.value,
            Tenant.status_reason: reason,
            Tenant.delete_after: delete_after,
        },
        "delete",
    )
    return delete_after


async def purge_due(
    now: dt.datetime | None = None,
    limit: int = 100,
    before_drop: Callable[[uuid.UUID], Awaitable[object]] | None = None,
) -> list[str]:
    """Drop the schemas and control rows of tenants whose grace period is over; return their slugs.

    Each tenant goes in its own transaction, locked with ``FOR UPDATE SKIP LOCKED`` so two purge jobs
    never work on the same tenant. ``before_drop(tenant_id)`` runs first, under that lock, for what lives
    outside the database (the tenant's files): if it fails, the tenant stays, to be purged by a later run.
    """
    now = now or dt.datetime.now(dt.UTC)
    engine = process_engine()
    purged: list[str] = []
    for _ in range(limit):
        async with engine.transaction(allow_nested=False) as transaction:
            row = await transaction.connection.fetchrow(
                "SELECT id, slug, schema_name FROM control.tenants "
                "WHERE status = $1 AND delete_after <= $2 "
                "ORDER BY delete_after LIMIT 1 FOR UPDATE SKIP LOCKED",
                TenantStatus.DELETING.value,
                now,
            )
            if row is None:
                break
            schema = check_schema_name(row["schema_name"])
            if before_drop is not None:
                await before_drop(row["id"])
            await transaction.connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            await transaction.connection.execute(
                "DELETE FROM control.tenant_migrations WHERE schema_name = $1", schema
            )
            await transaction.connection.execute(
                "DELETE FROM control.domains WHERE tenant_id = $1", row["id"]
            )
            await transaction.connection.execute("DELETE FROM control.tenants WHERE id = $1", row["id"])
            purged.append(row["slug"])
    return purged
